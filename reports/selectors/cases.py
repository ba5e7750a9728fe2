"""One case on paper: the status sheet for a meeting, and the documentation of a direct
award that the municipality must keep (LOU 19 a kap. 11 §)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from inventory.models import TrialSession
from inventory.roles import Actor, Reader
from inventory.trials import trial_summary
from procurement import rules
from procurement.choices import CLOSED_STAGES, Decision, Procedure
from procurement.evidence import case_evidence_visible
from procurement.models import (
    Approval,
    CaseDocument,
    CaseLine,
    ProcurementCase,
    PurchasingRuleSet,
    Quote,
    StageChange,
    TrialEvidence,
)
from procurement.selectors import (
    ChecklistRow,
    NoRuleSet,
    case_assessment,
    case_checklist,
    case_waits_on,
    chosen_quote,
    documentation_facts,
    municipality,
    ruleset_in_force,
    standstill_end,
)


def _person(user: Actor | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class TimelineRow:
    at: datetime
    actor: str
    from_stage: str
    to_stage: str
    comment: str
    overridden: str


@dataclass(frozen=True)
class LineRow:
    description: str
    category: str
    quantity: int
    estimated_unit_price: Decimal
    ordered_unit_price: Decimal | None
    total: Decimal  # quantity × the line's unit price (ordered, else estimated)


@dataclass(frozen=True)
class QuoteRow:
    supplier: str
    organisation_number: str
    amount: Decimal
    received_on: date
    valid_until: date | None
    chosen: bool


def _quote_row(quote: Quote) -> QuoteRow:
    return QuoteRow(
        supplier=quote.supplier.name,
        organisation_number=quote.supplier.organisation_number,
        amount=quote.amount,
        received_on=quote.received_on,
        valid_until=quote.valid_until,
        chosen=quote.chosen,
    )


@dataclass(frozen=True)
class ApprovalRow:
    decision: str
    level: str
    decided_by: str
    decided_at: datetime
    comment: str


@dataclass(frozen=True)
class DocumentRow:
    kind: str
    name: str
    uploaded_at: datetime
    uploaded_by: str


@dataclass(frozen=True)
class TrialRow:
    """A trial with patrons attached to the case as evidence of its need."""

    equipment: str
    library: str
    sessions: int
    average_rating: Decimal | None
    first_session: date | None
    last_session: date | None
    comments: tuple[str, ...]  # "date group (rating): text", the newest first


# How many of a trial's comments the sheet quotes.
TRIAL_COMMENTS = 5


def case_sheet_trials(case: ProcurementCase, reader: Reader | None) -> tuple[TrialRow, ...]:
    """The trials attached to the case that the reader may see (all, for a command)."""
    evidence = (
        case_evidence_visible(case, reader)
        if reader is not None
        else TrialEvidence.objects.filter(case=case)
    )
    rows = []
    for attached in evidence.select_related(
        "asset__library", "asset__category", "asset__manufacturer", "asset__model"
    ).prefetch_related(Prefetch("asset__trial_sessions", TrialSession.objects.order_by())):
        asset = attached.asset
        summary = trial_summary(asset)
        rows.append(
            TrialRow(
                equipment=f"{asset.tag} {asset.short_name}",
                library=asset.library.code,
                sessions=summary.sessions,
                average_rating=summary.average_rating,
                first_session=summary.first_session,
                last_session=summary.last_session,
                comments=tuple(
                    f"{comment.held_on.isoformat()} {comment.group} ({comment.rating}): "
                    f"{' '.join(comment.text.split())}"
                    for comment in summary.comments[:TRIAL_COMMENTS]
                ),
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class CaseSheet:
    case: ProcurementCase
    as_of: date
    made_at: datetime
    author: str
    is_open: bool
    waits_on: str  # a Party code, "" for a closed case
    since: date
    days_waiting: int
    assessment: rules.Assessment | None
    ruleset: PurchasingRuleSet | None
    checklist: tuple[ChecklistRow, ...]
    standstill_end: date | None
    timeline: tuple[TimelineRow, ...]
    lines: tuple[LineRow, ...]
    quotes: tuple[QuoteRow, ...]
    approvals: tuple[ApprovalRow, ...]
    documents: tuple[DocumentRow, ...]
    trials: tuple[TrialRow, ...] = ()


def _prefetch(case: ProcurementCase) -> None:
    prefetch_related_objects(
        [case],
        Prefetch("lines", CaseLine.objects.select_related("category")),
        Prefetch("quotes", Quote.objects.select_related("supplier")),
        Prefetch("documents", CaseDocument.objects.select_related("uploaded_by")),
        Prefetch("approvals", Approval.objects.select_related("decided_by")),
        Prefetch("timeline", StageChange.objects.select_related("actor")),
        "suppliers_asked",
    )


def _opened(case: ProcurementCase) -> date:
    return timezone.localdate(case.created_at)


def case_sheet(
    case: ProcurementCase,
    *,
    as_of: date | None = None,
    author: str = "",
    now: datetime | None = None,
    reader: Reader | None = None,
) -> CaseSheet:
    """Everything a library manager takes to a meeting about one case; the trials
    attached as evidence are those `reader` may see (all, when a command makes it)."""
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    _prefetch(case)
    try:
        assessment = case_assessment(case, today=as_of)
    except NoRuleSet:
        assessment = None
    since = timezone.localdate(case.stage_changed_at)
    return CaseSheet(
        case=case,
        as_of=as_of,
        made_at=now,
        author=author,
        is_open=case.stage not in CLOSED_STAGES,
        waits_on=case_waits_on(case),
        since=since,
        days_waiting=max(0, (as_of - since).days),
        assessment=assessment,
        ruleset=ruleset_in_force(_opened(case)) or ruleset_in_force(as_of),
        checklist=tuple(case_checklist(case, assessment, today=as_of)) if assessment else (),
        standstill_end=standstill_end(case),
        timeline=tuple(
            TimelineRow(
                at=change.at,
                actor=_person(change.actor),
                from_stage=change.from_stage,
                to_stage=change.to_stage,
                comment=change.comment,
                overridden=change.overridden,
            )
            for change in case.timeline.all()
        ),
        lines=case_sheet_lines(case),
        quotes=tuple(_quote_row(quote) for quote in case.quotes.all()),
        approvals=tuple(
            ApprovalRow(
                decision=approval.decision,
                level=approval.level_name,
                decided_by=_person(approval.decided_by),
                decided_at=approval.decided_at,
                comment=approval.comment,
            )
            for approval in case.approvals.all()
        ),
        documents=tuple(
            DocumentRow(
                kind=document.kind,
                name=document.original_name,
                uploaded_at=document.uploaded_at,
                uploaded_by=_person(document.uploaded_by),
            )
            for document in case.documents.all()
        ),
        trials=case_sheet_trials(case, reader),
    )


@dataclass(frozen=True)
class SupplierRow:
    name: str
    organisation_number: str
    answered: bool


@dataclass(frozen=True)
class DirectAwardDocument:
    """The facts LOU 19 a kap. 11 § asks the municipality to document for a direct award
    at or above the documentation threshold, with what is still missing."""

    case: ProcurementCase
    as_of: date
    made_at: datetime
    author: str
    authority: str
    authority_number: str
    required: bool  # at or above the documentation threshold
    threshold: Decimal | None
    lines: tuple[LineRow, ...]
    competition_method: str
    suppliers: tuple[SupplierRow, ...]  # asked, and whether each answered
    answers: int
    chosen: QuoteRow | None
    award_reason: str
    contract_value: Decimal  # the chosen quote's amount, else the estimate
    estimated_value: Decimal
    expected_delivery: date | None
    contract_start: date | None
    contract_end: date | None
    decided_by: str  # who approved the purchase
    missing: tuple[str, ...]  # codes of rules.DOCUMENTATION_FACTS


def is_direct_award(case: ProcurementCase) -> bool:
    return case.procedure == Procedure.DIRECT_AWARD


def direct_award_document(
    case: ProcurementCase,
    *,
    as_of: date | None = None,
    author: str = "",
    now: datetime | None = None,
) -> DirectAwardDocument:
    """The documentation of the direct award `case` (which must be a direct award)."""
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    _prefetch(case)
    name, number = municipality()
    quotes = list(case.quotes.all())
    answered = {quote.supplier_id for quote in quotes}
    asked = {supplier.pk: supplier for supplier in case.suppliers_asked.all()}
    for quote in quotes:
        asked.setdefault(quote.supplier_id, quote.supplier)
    chosen = chosen_quote(case)
    try:
        assessment = case_assessment(case, today=as_of)
    except NoRuleSet:
        assessment = None
    ruleset = ruleset_in_force(_opened(case)) or ruleset_in_force(as_of)
    approvals = [a for a in case.approvals.all() if a.decision == Decision.APPROVED]
    return DirectAwardDocument(
        case=case,
        as_of=as_of,
        made_at=now,
        author=author,
        authority=name,
        authority_number=number,
        required=bool(assessment and assessment.documentation_required),
        threshold=ruleset.documentation_threshold if ruleset else None,
        lines=case_sheet_lines(case),
        competition_method=case.competition_method,
        suppliers=tuple(
            SupplierRow(s.name, s.organisation_number, pk in answered)
            for pk, s in sorted(asked.items(), key=lambda item: item[1].name)
        ),
        answers=len(answered),
        chosen=_quote_row(chosen) if chosen else None,
        award_reason=case.award_reason,
        contract_value=chosen.amount if chosen else case.estimated_value,
        estimated_value=case.estimated_value,
        expected_delivery=case.expected_delivery,
        contract_start=case.contract_start,
        contract_end=case.contract_end,
        decided_by=", ".join(
            f"{_person(a.decided_by)} ({a.level_name})" if a.level_name else _person(a.decided_by)
            for a in approvals
        ),
        missing=rules.documentation_missing(documentation_facts(case)),
    )


def case_sheet_lines(case: ProcurementCase) -> tuple[LineRow, ...]:
    return tuple(
        LineRow(
            description=line.description,
            category=line.category.name,
            quantity=line.quantity,
            estimated_unit_price=line.estimated_unit_price,
            ordered_unit_price=line.ordered_unit_price,
            total=line.quantity * line.unit_price,
        )
        for line in case.lines.all()
    )
