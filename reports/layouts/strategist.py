"""The strategist report as a Document."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from inventory.formatting import format_number, format_sek

from ..document import Chart, Column, Document, Kind, Section, Table
from ..selectors.strategist import (
    FORECAST_YEARS,
    PRICE_HISTORY_YEARS,
    CaseRow,
    Durations,
    StrategistReport,
)
from .common import (
    library_filter,
    made,
    money_column,
    organisation,
    party_label,
    period_filter,
    stage_label,
    vat_note,
)


def grant_state_label(state: str) -> str:
    return {"spent": _("Spent"), "open": _("Not yet spent"), "lapsed": _("Lapsed")}[state]


def _days(value: float | None) -> str:
    return "–" if value is None else format_number(value, decimals=1)


def _case_columns() -> tuple[Column, ...]:
    return (
        Column(_("Reference"), Kind.TEXT, 1),
        Column(_("Title"), Kind.TEXT, 2.2),
        Column(_("Library"), Kind.TEXT, 0.6),
        Column(_("Stage"), Kind.TEXT, 1),
        Column(_("Waits on"), Kind.TEXT, 1),
        Column(_("Days in stage"), Kind.INT, 0.7),
        Column(_("Days since opened"), Kind.INT, 0.7),
        money_column(_("Estimated value"), 1.1),
    )


def _case_row(row: CaseRow) -> tuple:
    return (
        row.reference,
        row.title,
        row.library,
        stage_label(row.stage),
        party_label(row.waits_on),
        row.days_in_stage,
        row.age_days,
        row.value,
    )


def _durations_facts(label: str, durations: Durations) -> tuple[tuple[str, str], ...]:
    return (
        (label, format_number(durations.count)),
        (_("Median days"), _days(durations.median)),
        (_("90th percentile, days"), _days(durations.p90)),
    )


def strategist_document(data: StrategistReport) -> Document:
    scope = data.scope
    stages = tuple(row for row in data.stages)
    pipeline = Section(
        key="pipeline",
        title=_("Open cases by stage"),
        facts=(
            (_("Open cases"), format_number(data.open_total)),
            (_("Pipeline value"), format_sek(data.pipeline_value, decimals=False)),
            (
                ngettext(
                    "Stalled (no move for %(days)s day)",
                    "Stalled (no move for %(days)s days)",
                    data.stale_days,
                )
                % {"days": data.stale_days},
                format_number(data.stalled_total),
            ),
        ),
        chart=Chart(
            title=_("Open cases by stage"),
            categories=tuple(stage_label(row.stage) for row in stages if row.open_count),
            series=((_("Open cases"), tuple(row.open_count for row in stages if row.open_count)),),
            horizontal=True,
            description=_(
                "Bar chart of the open cases in each stage; the table below has the figures."
            ),
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Stage"), Kind.TEXT, 1.6),
                    Column(_("Open cases"), Kind.INT),
                    money_column(_("Pipeline value"), 1.2),
                ),
                rows=[
                    (stage_label(row.stage), row.open_count, row.pipeline_value)
                    for row in stages
                    if row.open_count
                ],
                footer=(_("Total"), data.open_total, data.pipeline_value),
                caption=_("Open cases and their value by stage"),
                sheet=_("Pipeline"),
            ),
        ),
        empty=_("No open cases."),
    )
    timed = [row for row in stages if row.durations.count]
    lead_times = Section(
        key="lead_times",
        title=_("Lead times"),
        paragraphs=(
            _(
                "Days per stage: the time cases spent in each stage, for the stays that "
                "ended in the period; a pause (on hold) is not counted toward the stage it "
                "interrupted. Lead time: from the need being written down to the equipment "
                "installed, pauses included, for cases installed in the period. The 90th "
                "percentile is interpolated between the closest ranks."
            ),
        ),
        facts=_durations_facts(_("Cases installed in the period"), data.lead_time),
        chart=Chart(
            title=_("Median days per stage"),
            categories=tuple(stage_label(row.stage) for row in timed),
            series=((_("Median days"), tuple(row.durations.median or 0 for row in timed)),),
            kind=Kind.DAYS,
            horizontal=True,
            description=_(
                "Bar chart of the median days per stage; the table below has the figures."
            ),
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Stage"), Kind.TEXT, 1.6),
                    Column(_("Stays ended in the period"), Kind.INT),
                    Column(_("Median days"), Kind.DAYS),
                    Column(_("90th percentile, days"), Kind.DAYS),
                ),
                rows=[
                    (
                        stage_label(row.stage),
                        row.durations.count,
                        row.durations.median,
                        row.durations.p90,
                    )
                    for row in timed
                ],
                caption=_("Days per stage"),
                sheet=_("Lead times"),
            ),
        ),
        empty=_("No case left a stage in the period."),
    )
    open_cases = Section(
        key="open_cases",
        title=_("Open cases"),
        tables=(
            Table(
                columns=_case_columns(),
                rows=[_case_row(row) for row in data.open_cases],
                total=data.open_total,
                links=[row.url for row in data.open_cases],
                caption=_("Open cases, by stage and the longest waiting first"),
                sheet=_("Open cases"),
            ),
        ),
        empty=_("No open cases."),
    )
    stalled = Section(
        key="stalled",
        title=_("Stalled cases"),
        paragraphs=(
            ngettext(
                "Open cases that have not moved for %(days)s day or more.",
                "Open cases that have not moved for %(days)s days or more.",
                data.stale_days,
            )
            % {"days": data.stale_days},
        ),
        tables=(
            Table(
                columns=_case_columns(),
                rows=[_case_row(row) for row in data.stalled],
                total=data.stalled_total,
                links=[row.url for row in data.stalled],
                caption=_("Stalled cases"),
                sheet=_("Stalled"),
            ),
        ),
        empty=_("No case has stalled."),
    )
    this_year = [row for row in data.spend if row.year == scope.as_of.year and not row.category]
    spend = Section(
        key="spend",
        title=_("Spend against budget"),
        paragraphs=(
            _(
                "Committed: the chosen quote (or call-off answer) of each case ordered in "
                "the year, else its estimated value; a case cancelled after its order "
                "counts for nothing. Delivered: the purchase prices of the equipment "
                "registered from deliveries, by the year of delivery. Left: the budget less "
                "what is committed."
            ),
        ),
        chart=Chart(
            title=_("Budget and spend %(year)s") % {"year": scope.as_of.year},
            categories=tuple(row.library for row in this_year),
            series=(
                (_("Budget"), tuple(row.budget or 0 for row in this_year)),
                (_("Committed"), tuple(row.committed for row in this_year)),
                (pgettext("spend", "Delivered"), tuple(row.delivered for row in this_year)),
            ),
            kind=Kind.MONEY,
            description=_(
                "Bar chart of budget, committed and delivered spend per library this year; "
                "the table below has the figures."
            ),
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Year"), Kind.TEXT, 0.5),
                    Column(_("Library"), Kind.TEXT, 1.3),
                    Column(_("Category"), Kind.TEXT, 1.1),
                    money_column(_("Budget")),
                    money_column(_("Committed")),
                    money_column(pgettext("spend", "Delivered")),
                    money_column(_("Left")),
                    Column(_("Used"), Kind.PERCENT, 0.6),
                ),
                rows=[
                    (
                        str(row.year),
                        row.library_name,
                        row.category or _("All categories"),
                        row.budget,
                        row.committed,
                        row.delivered,
                        row.left,
                        row.used,
                    )
                    for row in data.spend
                ],
                caption=_("Spend against budget by year, library and category"),
                sheet=_("Spend"),
            ),
        ),
    )
    award_columns = [
        Column(_("Year"), Kind.TEXT, 0.5),
        Column(_("Category"), Kind.TEXT, 1.4),
        Column(_("Direct awards"), Kind.INT, 0.7),
        money_column(_("Total")),
        money_column(_("Direct-award limit")),
        money_column(_("Left under the limit")),
        Column(_("Limit reached"), Kind.TEXT, 0.7),
    ]
    if scope.library is not None:
        award_columns.append(
            money_column(_("Of which %(library)s") % {"library": scope.library.code})
        )
    direct_awards = Section(
        key="direct_awards",
        title=_("Direct awards against the direct-award limit"),
        paragraphs=(
            _(
                "The municipality's direct awards of each category in each fiscal year, "
                "added up across all libraries as the anti-splitting rule adds them up "
                "(the same sum the case page warns about). A direct award is allowed only "
                "below the limit; whether purchases are of the same kind is a legal "
                "judgement the figures do not make."
            ),
        ),
        tables=(
            Table(
                columns=tuple(award_columns),
                rows=[
                    (
                        str(row.year),
                        row.category,
                        row.count,
                        row.total,
                        row.limit,
                        row.left,
                        _("Yes") if row.reaches_limit else _("No"),
                        *((row.library_part,) if scope.library is not None else ()),
                    )
                    for row in data.direct_awards
                ],
                caption=_("Direct awards per category and fiscal year"),
                sheet=_("Direct awards"),
            ),
        ),
        empty=_("No direct awards in these years."),
    )
    grants = Section(
        key="grants",
        title=_("Grants and their spend-by dates"),
        tables=(
            Table(
                columns=(
                    Column(_("Reference"), Kind.TEXT, 1),
                    Column(_("Title"), Kind.TEXT, 1.8),
                    Column(_("Library"), Kind.TEXT, 0.6),
                    Column(_("Grant"), Kind.TEXT, 1.6),
                    Column(_("Spend by"), Kind.DATE, 0.9),
                    Column(_("Days left"), Kind.INT, 0.6),
                    Column(_("Stage"), Kind.TEXT, 0.9),
                    money_column(_("Estimated value")),
                    Column(_("State"), Kind.TEXT, 0.8),
                ),
                rows=[
                    (
                        row.reference,
                        row.title,
                        row.library,
                        row.grant,
                        row.spend_by,
                        row.days_left,
                        stage_label(row.stage),
                        row.value,
                        grant_state_label(row.state),
                    )
                    for row in data.grants
                ],
                links=[row.url for row in data.grants],
                caption=_("Grant-funded cases"),
                sheet=_("Grants"),
            ),
        ),
        empty=_("No case is funded by a grant."),
    )
    per_year = {year: Decimal(0) for year in data.forecast_years}
    counts = dict.fromkeys(data.forecast_years, 0)
    for row in data.forecast:
        per_year[row.year] += row.cost
        counts[row.year] += row.count
    forecast = Section(
        key="forecast",
        title=_("Replacement forecast"),
        paragraphs=(
            _(
                "Equipment in service that reaches its replacement date %(years)s (what is "
                "already overdue is counted in the first), at today's prices: the latest "
                "purchase price of the same model, else the median purchase price of the "
                "category %(history)s. Equipment with neither is counted but not priced."
            )
            % {
                "years": ngettext(
                    "in the next %(count)s calendar year",
                    "in each of the next %(count)s calendar years",
                    FORECAST_YEARS,
                )
                % {"count": FORECAST_YEARS},
                "history": ngettext(
                    "over the last %(count)s year",
                    "over the last %(count)s years",
                    PRICE_HISTORY_YEARS,
                )
                % {"count": PRICE_HISTORY_YEARS},
            },
        ),
        chart=Chart(
            title=_("Replacement cost per year"),
            categories=tuple(str(year) for year in data.forecast_years),
            series=((_("Cost"), tuple(per_year[year] for year in data.forecast_years)),),
            kind=Kind.MONEY,
            description=_(
                "Bar chart of the forecast replacement cost per year; the table below has "
                "the figures."
            ),
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Year"), Kind.TEXT, 0.5),
                    Column(_("Category"), Kind.TEXT, 1.4),
                    Column(_("Assets"), Kind.INT, 0.6),
                    Column(_("Of which overdue"), Kind.INT, 0.7),
                    money_column(_("Cost at today's prices"), 1.1),
                    Column(_("Priced by model"), Kind.INT, 0.7),
                    Column(_("Priced by category median"), Kind.INT, 0.8),
                    Column(_("Not priced"), Kind.INT, 0.6),
                ),
                rows=[
                    (
                        str(row.year),
                        row.category,
                        row.count,
                        row.overdue,
                        row.cost,
                        row.by_model,
                        row.by_category,
                        row.unpriced,
                    )
                    for row in data.forecast
                ],
                footer=(
                    _("Total"),
                    "",
                    sum(counts.values()),
                    sum(row.overdue for row in data.forecast),
                    sum(per_year.values(), Decimal(0)),
                    sum(row.by_model for row in data.forecast),
                    sum(row.by_category for row in data.forecast),
                    sum(row.unpriced for row in data.forecast),
                ),
                caption=_("Replacement forecast by year and category"),
                sheet=_("Forecast"),
            ),
        ),
        empty=_("Nothing reaches its replacement date in these years."),
    )
    access = Section(
        key="access",
        title=_("Public digital access"),
        paragraphs=(
            _(
                "Equipment for the public that is in use, and the public computer places "
                "with each feature patrons ask for."
            ),
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Library"), Kind.TEXT, 1.5),
                    Column(_("Public equipment in use"), Kind.INT, 0.8),
                    Column(_("Public computer places"), Kind.INT, 0.8),
                    *(Column(name, Kind.INT, 0.8) for name in data.feature_names),
                ),
                rows=[
                    (row.name, row.public_in_use, row.workstations, *row.features)
                    for row in data.access
                ],
                caption=_("Public digital access per library"),
                sheet=_("Digital access"),
            ),
        ),
    )
    trials = Section(
        key="trials",
        title=_("Trials with patrons"),
        paragraphs=(
            _(
                "Equipment tried with visitors before buying: the sessions logged, how they "
                "went on average (1 to 5) and the latest comments."
            ),
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Equipment"), Kind.TEXT, 1.6),
                    Column(_("Library"), Kind.TEXT, 0.6),
                    Column(_("Return by"), Kind.DATE, 0.9),
                    Column(_("Sessions"), Kind.INT, 0.7),
                    Column(_("Average rating"), Kind.TEXT, 0.7),
                    Column(_("Latest comments"), Kind.TEXT, 3.5),
                ),
                rows=[
                    (
                        f"{row.tag} {row.name}",
                        row.library,
                        row.return_by,
                        row.sessions,
                        format_number(row.average_rating, decimals=1),
                        "\n".join(row.comments),
                    )
                    for row in data.trials
                ],
                caption=_("Trials with patrons"),
                sheet=_("Trials"),
            ),
        ),
        empty=_("No equipment is on trial and no trial sessions are logged."),
    )
    return Document(
        key="strategist",
        title=_("Strategist report"),
        organisation=organisation(scope),
        **made(scope),
        filters=(library_filter(scope), period_filter(scope)),
        notes=(vat_note(),),
        sections=(
            pipeline,
            lead_times,
            open_cases,
            stalled,
            spend,
            direct_awards,
            grants,
            forecast,
            access,
            trials,
        ),
    )
