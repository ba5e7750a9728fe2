"""The IT status report as a Document."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.choices import FaultStatus, FaultUrgency
from inventory.formatting import format_date, format_number

from ..document import Chart, Column, Document, Kind, Section, Table
from ..selectors.it_status import ITStatus
from .common import (
    library_filter,
    listing_table,
    made,
    organisation,
    status_label,
)


def _warranty_ending_title(days: int) -> str:
    return ngettext(
        "Warranty ends within %(days)s day", "Warranty ends within %(days)s days", days
    ) % {"days": days}


def gap_label(code: str) -> str:
    return {
        "serial_number": _("No serial number"),
        "location": _("No location"),
        "purchase_date": _("No purchase date"),
        "purchase_price": _("No purchase price"),
    }[code]


def _status_columns(data: ITStatus) -> tuple[Column, ...]:
    return (
        *(Column(status_label(code), Kind.INT, 0.8) for code in data.statuses),
        Column(_("Total"), Kind.INT, 0.8),
    )


def _asset_columns(day_label: str, days_label: str) -> tuple[Column, ...]:
    return (
        Column(_("Asset tag"), Kind.TEXT, 1.1),
        Column(_("Equipment"), Kind.TEXT, 2),
        Column(_("Library"), Kind.TEXT, 0.7),
        Column(_("Location"), Kind.TEXT, 1.6),
        Column(day_label, Kind.DATE, 1),
        Column(days_label, Kind.INT, 0.8),
    )


def _asset_row(row):
    return (row.tag, row.name, row.library, row.location, row.day, row.days)


def _past_row(row):
    """A row about a day already passed: the days since, not a negative "days left"."""
    return (row.tag, row.name, row.library, row.location, row.day, -row.days)


def it_status_document(data: ITStatus) -> Document:
    scope = data.scope
    statuses = _status_columns(data)
    counts = dict(zip(data.statuses, data.totals.counts, strict=True))
    summary = Section(
        key="summary",
        title=_("The register at a glance"),
        facts=(
            (_("Assets"), format_number(data.totals.total)),
            (_("In use"), format_number(counts["in_use"])),
            (_("In repair"), format_number(counts["in_repair"])),
            (
                _warranty_ending_title(data.warranty_days),
                format_number(data.warranty_ending.total),
            ),
            (_("Warranty ended, still in use"), format_number(data.warranty_ended_in_use.total)),
            (
                _("Due for replacement within 12 months"),
                format_number(data.replacement_due.total),
            ),
            (_("Overdue for replacement"), format_number(data.replacement_overdue.total)),
            (_("Records with data gaps"), format_number(data.gaps.total)),
            (_("Open fault reports"), format_number(data.open_faults_total)),
        ),
        chart=Chart(
            title=_("Assets by status"),
            categories=tuple(status_label(code) for code in data.statuses),
            series=((_("Assets"), tuple(data.totals.counts)),),
            description=_(
                "Bar chart of the number of assets in each status; the same figures are in "
                "the table below."
            ),
        ),
    )
    by_library = Section(
        key="by_library",
        title=_("Assets by library and status"),
        tables=(
            Table(
                columns=(Column(_("Library"), Kind.TEXT, 1.8), *statuses),
                rows=[(row.label, *row.counts, row.total) for row in data.by_library],
                footer=(_("Total"), *data.totals.counts, data.totals.total),
                caption=_("Assets by library and status"),
                sheet=_("By library"),
            ),
        ),
        empty=_("No assets."),
    )
    by_location = Section(
        key="by_location",
        title=_("Assets by location and status"),
        tables=(
            Table(
                columns=(
                    Column(_("Library"), Kind.TEXT, 0.7),
                    Column(_("Location"), Kind.TEXT, 1.8),
                    *statuses,
                ),
                rows=[
                    (row.library, row.label or _("(no location)"), *row.counts, row.total)
                    for row in data.by_location
                ],
                caption=_("Assets by location and status"),
                sheet=_("By location"),
            ),
        ),
        empty=_("No assets."),
    )
    by_category = Section(
        key="by_category",
        title=_("Assets by category and status"),
        tables=(
            Table(
                columns=(Column(_("Category"), Kind.TEXT, 1.8), *statuses),
                rows=[(row.label, *row.counts, row.total) for row in data.by_category],
                caption=_("Assets by category and status"),
                sheet=_("By category"),
            ),
        ),
        empty=_("No assets."),
    )
    warranty = Section(
        key="warranty",
        title=_("Warranties"),
        tables=(
            listing_table(
                data.warranty_ending,
                _asset_columns(_("Warranty ends"), _("Days left")),
                _asset_row,
                caption=_warranty_ending_title(data.warranty_days),
                sheet=_("Warranty ending"),
            ),
            listing_table(
                data.warranty_ended_in_use,
                _asset_columns(_("Warranty ended"), _("Days ago")),
                _past_row,
                caption=_("Warranty ended, still in use"),
                sheet=_("Warranty ended"),
            ),
        ),
        empty=ngettext(
            "No warranty ends within %(days)s day, and none has ended on equipment in use.",
            "No warranty ends within %(days)s days, and none has ended on equipment in use.",
            data.warranty_days,
        )
        % {"days": data.warranty_days},
    )
    replacement = Section(
        key="replacement",
        title=_("Replacement"),
        paragraphs=(
            _(
                "Equipment in use, in stock, ordered, in repair or on loan whose replacement "
                "date falls before %(date)s, or has passed."
            )
            % {"date": format_date(data.replacement_before)},
        ),
        tables=(
            listing_table(
                data.replacement_due,
                _asset_columns(_("Replacement due"), _("Days left")),
                _asset_row,
                caption=_("Due for replacement within 12 months"),
                sheet=_("Replacement due"),
            ),
            listing_table(
                data.replacement_overdue,
                _asset_columns(_("Replacement due"), _("Days overdue")),
                _past_row,
                caption=_("Overdue for replacement"),
                sheet=_("Replacement overdue"),
            ),
        ),
        empty=_("Nothing is due for replacement within 12 months."),
    )
    repair = Section(
        key="repair",
        title=_("In repair"),
        tables=(
            listing_table(
                data.in_repair,
                _asset_columns(_("In repair since"), _("Days")),
                _asset_row,
                caption=_("In repair"),
                sheet=_("In repair"),
            ),
        ),
        empty=_("Nothing is in repair."),
    )
    gaps = Section(
        key="gaps",
        title=_("Data gaps"),
        paragraphs=(
            _(
                "Records of equipment still in service that lack something IT needs: a "
                "serial number, a location, and for equipment the municipality owns, a "
                "purchase date and price."
            ),
        ),
        facts=tuple((gap_label(code), format_number(count)) for code, count in data.gap_counts),
        tables=(
            listing_table(
                data.gaps,
                (
                    Column(_("Asset tag"), Kind.TEXT, 1.1),
                    Column(_("Equipment"), Kind.TEXT, 2),
                    Column(_("Library"), Kind.TEXT, 0.7),
                    Column(_("Location"), Kind.TEXT, 1.4),
                    Column(_("Missing"), Kind.TEXT, 2),
                ),
                lambda row: (
                    row.tag,
                    row.name,
                    row.library,
                    row.location,
                    ", ".join(gap_label(code) for code in row.missing),
                ),
                caption=_("Records with data gaps"),
                sheet=_("Data gaps"),
            ),
        ),
        empty=_("No gaps: every record has what IT needs."),
    )
    stocktaking = Section(
        key="stocktaking",
        title=_("Last stocktaking"),
        paragraphs=(
            _(
                "Each library's last stocktake closed by the as-of day: the assets on its "
                "list, those seen, those not seen (missing) and those found that were not on "
                "the list."
            ),
            *(
                _("A stocktake of %(library)s is open since %(date)s.")
                % {"library": row.name, "date": format_date(row.open_since)}
                for row in data.stocktaking
                if row.open_since is not None
            ),
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Library"), Kind.TEXT, 1.6),
                    Column(_("Closed"), Kind.DATE, 1),
                    Column(_("On the list"), Kind.INT, 0.8),
                    Column(_("Seen"), Kind.INT, 0.7),
                    Column(_("Missing"), Kind.INT, 0.7),
                    Column(_("Not on the list"), Kind.INT, 0.8),
                    Column(_("Missing assets"), Kind.TEXT, 2.2),
                ),
                rows=[
                    (
                        row.name,
                        row.closed_on,
                        row.expected if row.closed_on else None,
                        row.seen if row.closed_on else None,
                        row.missing if row.closed_on else None,
                        row.unexpected if row.closed_on else None,
                        ", ".join(row.missing_tags) if row.closed_on else _("never counted"),
                    )
                    for row in data.stocktaking
                ],
                caption=_("Last stocktaking per library"),
                sheet=_("Stocktaking"),
            ),
        ),
    )
    faults = Section(
        key="faults",
        title=_("Open fault reports"),
        paragraphs=(
            _(
                "Faults reported on the equipment and not yet closed by IT, per library; "
                "days open are counted from the day of the report to the as-of date."
            ),
        ),
        facts=tuple(
            (
                f"{row.name} ({row.library})",
                ngettext("%(count)s open", "%(count)s open", row.count)
                % {"count": format_number(row.count)}
                + (
                    ""
                    if row.oldest_days is None
                    else ngettext(
                        ", the oldest for %(days)s day",
                        ", the oldest for %(days)s days",
                        row.oldest_days,
                    )
                    % {"days": format_number(row.oldest_days)}
                ),
            )
            for row in data.fault_counts
            if row.count
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Library"), Kind.TEXT, 0.7),
                    Column(_("Asset tag"), Kind.TEXT, 1.1),
                    Column(_("Equipment"), Kind.TEXT, 1.8),
                    Column(_("Urgency"), Kind.TEXT, 1.6),
                    Column(_("Status"), Kind.TEXT, 1.1),
                    Column(_("Reported"), Kind.DATE, 1),
                    Column(_("Days open"), Kind.INT, 0.8),
                ),
                rows=[
                    (
                        row.library,
                        row.tag,
                        row.name,
                        str(FaultUrgency(row.urgency).label),
                        str(FaultStatus(row.status).label),
                        row.reported_on,
                        row.days_open,
                    )
                    for row in data.open_faults
                ],
                caption=_("Open fault reports"),
                total=data.open_faults_total,
                sheet=_("Fault reports"),
            ),
        ),
        empty=_("No open fault reports."),
    )
    return Document(
        key="it-status",
        title=_("IT status report"),
        organisation=organisation(scope),
        **made(scope),
        filters=(library_filter(scope),),
        notes=(
            _(
                "Counts are the register as it stands when the report is made; days are "
                "counted from the as-of date."
            ),
        ),
        sections=(
            summary,
            by_library,
            by_location,
            by_category,
            warranty,
            replacement,
            repair,
            faults,
            gaps,
            stocktaking,
        ),
    )
