"""One case on paper: the status sheet, and the documentation of a direct award."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inventory.formatting import format_date, format_number, format_sek
from procurement import rules
from procurement.choices import CompetitionMethod, Decision, DocumentKind, Funding, Procedure
from procurement.selectors import reason_texts, warning_texts

from ..document import Column, Document, Kind, Section, Table
from ..selectors.cases import CaseSheet, DirectAwardDocument, LineRow
from .common import made, organisation, party_label, stage_label, vat_note


def _lines_table(lines: tuple[LineRow, ...]) -> Table:
    total = sum((line.total for line in lines), Decimal(0))
    return Table(
        columns=(
            Column(_("Description"), Kind.TEXT, 2.4),
            Column(_("Category"), Kind.TEXT, 1.1),
            Column(_("Quantity"), Kind.INT, 0.6),
            Column(_("Estimated unit price"), Kind.MONEY_EXACT, 1.1),
            Column(_("Ordered unit price"), Kind.MONEY_EXACT, 1.1),
        ),
        rows=[
            (
                line.description,
                line.category,
                line.quantity,
                line.estimated_unit_price,
                line.ordered_unit_price,
            )
            for line in lines
        ],
        footer=(_("Total"), "", sum(line.quantity for line in lines), None, total)
        if lines
        else None,
        caption=_("Lines"),
    )


def _ruleset_facts(ruleset) -> tuple[tuple[str, str], ...]:
    if ruleset is None:
        return ()
    facts = [
        (
            _("Purchasing rule set"),
            _("%(name)s, in force from %(date)s")
            % {"name": ruleset.name, "date": format_date(ruleset.effective_from)},
        )
    ]
    for label, amount, source in (
        (_("Direct-award limit"), ruleset.direct_award_limit, ruleset.direct_award_limit_source),
        (
            _("Documentation threshold"),
            ruleset.documentation_threshold,
            ruleset.documentation_threshold_source,
        ),
    ):
        facts.append(
            (label, format_sek(amount, decimals=False) + (f" ({source})" if source else ""))
        )
    if ruleset.eu_threshold is not None and ruleset.eu_threshold_confirmed:
        eu = format_sek(ruleset.eu_threshold, decimals=False)
    else:
        eu = _("not confirmed")
    if ruleset.eu_threshold_source:
        eu += f" ({ruleset.eu_threshold_source})"
    facts.append((_("EU threshold"), eu))
    return tuple(facts)


def _money(value) -> str:
    return format_sek(value)


def case_sheet_document(sheet: CaseSheet) -> Document:
    case = sheet.case
    assessment = sheet.assessment
    funding = case.get_funding_display()
    if case.funding == Funding.GRANT:
        funding += f": {case.grant_name}"
        if case.grant_spend_by:
            funding += ", " + _("to be spent by %(date)s") % {
                "date": format_date(case.grant_spend_by)
            }
    if sheet.is_open and sheet.waits_on and sheet.days_waiting == 0:
        waiting = _("%(party)s, since today (%(date)s)") % {
            "party": party_label(sheet.waits_on),
            "date": format_date(sheet.since),
        }
    elif sheet.is_open and sheet.waits_on:
        waiting = ngettext(
            "%(party)s, since %(date)s (%(days)s day)",
            "%(party)s, since %(date)s (%(days)s days)",
            sheet.days_waiting,
        ) % {
            "party": party_label(sheet.waits_on),
            "date": format_date(sheet.since),
            "days": sheet.days_waiting,
        }
    else:
        waiting = "–"
    summary = Section(
        key="summary",
        title=_("The case"),
        facts=(
            (_("Reference"), case.reference),
            (_("Title"), case.title),
            (_("Library"), f"{case.library.name} ({case.library.code})"),
            (_("Stage"), stage_label(case.stage)),
            (_("Who acts next"), waiting),
            (_("Category"), str(case.category)),
            (_("Estimated value (excl. VAT)"), _money(case.estimated_value)),
            (_("Funding"), funding),
            (
                _("Procedure"),
                str(Procedure(case.procedure).label) if case.procedure else "–",
            ),
            (_("Framework agreement"), str(case.framework_agreement or "–")),
            (_("Expected delivery"), format_date(case.expected_delivery) or "–"),
            (_("Opened"), format_date(case.created_at)),
            (
                _("Requested by"),
                case.requested_by.get_full_name() or case.requested_by.get_username(),
            ),
            (
                _("Handler"),
                (case.handler.get_full_name() or case.handler.get_username())
                if case.handler
                else "–",
            ),
        ),
    )
    need = Section(
        key="need",
        title=_("The need"),
        paragraphs=(
            case.need,
            *(
                (_("Needs analysis: %(text)s") % {"text": case.analysis},)
                if case.analysis.strip()
                else ()
            ),
        ),
    )
    if assessment is not None:
        # The same words as the case page's, from the same assessment.
        reasons = reason_texts(assessment)
        warnings = tuple(
            _("Warning: %(text)s") % {"text": text} for text in warning_texts(assessment)
        )
        rule_facts = (
            (_("Procedure"), str(Procedure(assessment.procedure).label)),
            (_("Quotes required"), str(assessment.required_quotes)),
            (
                _("Direct-award documentation"),
                _("Required") if assessment.documentation_required else _("Not required"),
            ),
            (
                _("Standstill"),
                (
                    _("Applies, ends %(date)s") % {"date": format_date(sheet.standstill_end)}
                    if sheet.standstill_end
                    else _("Applies")
                )
                if assessment.standstill_applies
                else _("Does not apply"),
            ),
            (_("Approval level"), assessment.approval_level_name or "–"),
            *_ruleset_facts(sheet.ruleset),
        )
    else:
        reasons = (
            _(
                "No purchasing rule set is in force for this case, so the rules cannot say "
                "what it needs."
            ),
        )
        warnings, rule_facts = (), ()
    rules_section = Section(
        key="rules",
        title=_("Procedure and why"),
        paragraphs=reasons + warnings,
        facts=rule_facts,
    )
    checklist = Section(
        key="checklist",
        title=_("Checklist"),
        tables=(
            Table(
                columns=(
                    Column(_("Step"), Kind.TEXT, 3),
                    Column(_("Needed before"), Kind.TEXT, 1.2),
                    Column(_("Done"), Kind.TEXT, 0.7),
                ),
                rows=[
                    (
                        row.text(_)
                        + (f" ({row.have}/{row.count})" if row.code == "quotes" else ""),
                        stage_label(row.before_stage),
                        _("Done") if row.done else _("Missing"),
                    )
                    for row in sheet.checklist
                ],
                caption=_("Checklist"),
            ),
        ),
    )
    timeline = Section(
        key="timeline",
        title=_("Timeline"),
        tables=(
            Table(
                columns=(
                    Column(_("When"), Kind.TEXT, 1.1),
                    Column(_("Who"), Kind.TEXT, 1.1),
                    Column(_("From"), Kind.TEXT, 1),
                    Column(_("To"), Kind.TEXT, 1),
                    Column(_("Comment"), Kind.TEXT, 2.4),
                ),
                rows=[
                    (
                        format_date(row.at),
                        row.actor or _("System"),
                        stage_label(row.from_stage),
                        stage_label(row.to_stage),
                        row.comment
                        + (
                            ("\n" if row.comment else "")
                            + _("Rules overridden: %(what)s") % {"what": row.overridden}
                            if row.overridden
                            else ""
                        ),
                    )
                    for row in sheet.timeline
                ],
                caption=_("Timeline"),
            ),
        ),
    )
    lines = Section(
        key="lines",
        title=_("Lines"),
        tables=(_lines_table(sheet.lines),),
        empty=_("No lines."),
    )
    quotes = Section(
        key="quotes",
        title=_("Quotes and tenders"),
        tables=(
            Table(
                columns=(
                    Column(_("Supplier"), Kind.TEXT, 2),
                    Column(_("Amount (excl. VAT)"), Kind.MONEY_EXACT, 1.2),
                    Column(_("Received"), Kind.DATE, 0.9),
                    Column(_("Valid until"), Kind.DATE, 0.9),
                    Column(_("Chosen"), Kind.TEXT, 0.6),
                ),
                rows=[
                    (
                        q.supplier,
                        q.amount,
                        q.received_on,
                        q.valid_until,
                        _("Chosen") if q.chosen else "",
                    )
                    for q in sheet.quotes
                ],
                caption=_("Quotes and tenders"),
            ),
        ),
        empty=_("No quotes yet."),
    )
    approvals = Section(
        key="approvals",
        title=_("Decisions"),
        tables=(
            Table(
                columns=(
                    Column(_("Decision"), Kind.TEXT, 0.9),
                    Column(_("Delegation level"), Kind.TEXT, 1.4),
                    Column(_("Decided by"), Kind.TEXT, 1.2),
                    Column(_("When"), Kind.TEXT, 1),
                    Column(_("Comment"), Kind.TEXT, 2),
                ),
                rows=[
                    (
                        str(Decision(a.decision).label),
                        a.level,
                        a.decided_by,
                        format_date(a.decided_at),
                        a.comment,
                    )
                    for a in sheet.approvals
                ],
                caption=_("Decisions"),
            ),
        ),
        empty=_("No decisions yet."),
    )
    documents = Section(
        key="documents",
        title=_("Documents"),
        tables=(
            Table(
                columns=(
                    Column(_("Kind"), Kind.TEXT, 1.3),
                    Column(_("File name"), Kind.TEXT, 2.5),
                    Column(_("Uploaded"), Kind.TEXT, 1),
                ),
                rows=[
                    (str(DocumentKind(d.kind).label), d.name, format_date(d.uploaded_at))
                    for d in sheet.documents
                ],
                caption=_("Documents"),
            ),
        ),
        empty=_("No documents yet."),
    )
    trials = Section(
        key="trials",
        title=_("Trials with patrons"),
        paragraphs=(
            _(
                "Equipment tried with visitors, attached as evidence of the need: the "
                "sessions logged, how they went on average (1 to 5) and the latest comments."
            ),
        ),
        tables=(
            Table(
                columns=(
                    Column(_("Equipment"), Kind.TEXT, 1.6),
                    Column(_("Sessions"), Kind.INT, 0.6),
                    Column(_("Average rating"), Kind.TEXT, 0.7),
                    Column(_("First and last session"), Kind.TEXT, 1.1),
                    Column(_("Latest comments"), Kind.TEXT, 3),
                ),
                rows=[
                    (
                        f"{row.equipment} ({row.library})",
                        row.sessions,
                        format_number(row.average_rating, decimals=1),
                        f"{format_date(row.first_session)} – {format_date(row.last_session)}"
                        if row.first_session
                        else "",
                        "\n".join(row.comments),
                    )
                    for row in sheet.trials
                ],
                caption=_("Trials with patrons"),
            ),
        ),
    )
    return Document(
        key=f"case-{case.url_reference}",
        title=_("Case status sheet %(reference)s") % {"reference": case.reference},
        organisation=organisation(library=case.library),
        **made(sheet),
        notes=(vat_note(),),
        sections=(
            summary,
            need,
            *((trials,) if sheet.trials else ()),
            rules_section,
            checklist,
            timeline,
            lines,
            quotes,
            approvals,
            documents,
        ),
    )


def direct_award_document_layout(data: DirectAwardDocument) -> Document:
    case = data.case
    missing = tuple(_(rules.DOCUMENTATION_FACTS[code]) for code in data.missing)
    sections = []
    if missing:
        sections.append(
            Section(
                key="incomplete",
                title=_("Not complete"),
                paragraphs=(
                    _(
                        "This documentation still lacks: %(missing)s. Record it on the case, "
                        "then print the documentation again."
                    )
                    % {"missing": ", ".join(missing)},
                ),
            )
        )
    period = []
    if data.contract_start and data.contract_end:
        period.append(
            (
                _("Contract period"),
                f"{format_date(data.contract_start)} – {format_date(data.contract_end)}",
            )
        )
    if data.expected_delivery:
        period.append((_("Time of delivery"), format_date(data.expected_delivery)))
    chosen = data.chosen
    sections.extend(
        [
            Section(
                key="authority",
                title=_("Contracting authority"),
                facts=(
                    (_("Name"), data.authority or "–"),
                    (_("Organisation number"), data.authority_number or "–"),
                    (_("Unit"), f"{case.library.name} ({case.library.code})"),
                    (_("Case"), case.reference),
                ),
            ),
            Section(
                key="subject",
                title=_("What was bought"),
                facts=(
                    (_("Subject"), case.title),
                    (_("Category"), str(case.category)),
                ),
                tables=(_lines_table(data.lines),),
            ),
            Section(
                key="competition",
                title=_("How competition was sought"),
                facts=(
                    (
                        _("Method"),
                        str(CompetitionMethod(data.competition_method).label)
                        if data.competition_method
                        else "–",
                    ),
                    (_("Suppliers asked"), str(len(data.suppliers))),
                    (_("Suppliers who answered"), str(data.answers)),
                ),
                tables=(
                    Table(
                        columns=(
                            Column(_("Supplier"), Kind.TEXT, 2.4),
                            Column(_("Organisation number"), Kind.TEXT, 1.2),
                            Column(_("Answered"), Kind.TEXT, 0.8),
                        ),
                        rows=[
                            (
                                s.name,
                                s.organisation_number or "–",
                                _("Yes") if s.answered else _("No"),
                            )
                            for s in data.suppliers
                        ],
                        caption=_("Suppliers asked"),
                    ),
                ),
            ),
            Section(
                key="award",
                title=_("The award"),
                facts=(
                    (_("Chosen supplier"), chosen.supplier if chosen else "–"),
                    (
                        _("Organisation number"),
                        (chosen.organisation_number or "–") if chosen else "–",
                    ),
                    (_("Main reason for the choice"), data.award_reason or "–"),
                    (_("Contract value (excl. VAT)"), _money(data.contract_value)),
                    (_("Estimated value (excl. VAT)"), _money(data.estimated_value)),
                    (_("Approved by"), data.decided_by or "–"),
                ),
            ),
            Section(
                key="period",
                title=_("Time of delivery or contract period"),
                facts=tuple(period) or ((_("Time"), "–"),),
            ),
            Section(
                key="basis",
                title=_("Legal basis"),
                paragraphs=(
                    _(
                        "Direct award under the Public Procurement Act (LOU, SFS 2016:1145) "
                        "19 a kap. 2 §. The reasons are documented under 19 a kap. 11 §, "
                        "which applies from %(threshold)s."
                    )
                    % {
                        "threshold": format_sek(data.threshold, decimals=False)
                        if data.threshold is not None
                        else "–"
                    },
                ),
            ),
        ]
    )
    return Document(
        key=f"direct-award-{case.url_reference}",
        title=_("Documentation of direct award"),
        organisation=organisation(library=case.library),
        **made(data),
        notes=(vat_note(),),
        sections=tuple(sections),
    )
