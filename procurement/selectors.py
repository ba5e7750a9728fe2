"""Reads of procurement shared by pages, reports and reminders; above all, who sees what."""

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from inventory.fieldlists import FORM
from inventory.formatting import format_date, format_sek
from inventory.history import ChangeRow, records_for
from inventory.history import rows as history_rows
from inventory.models import Asset, Category, ChangeRecord, Manufacturer
from inventory.roles import Reader
from inventory.selectors import library_ids_of, sees_all_libraries

from . import rules
from .choices import (
    CLOSED_STAGES,
    MOVER_OF_TARGET,
    OPEN_STAGES,
    PERMISSION_OF,
    STAGE_ORDER,
    Decision,
    DocumentKind,
    Party,
    Procedure,
    Stage,
    allowed_moves,
    waits_on,
)
from .fieldlists import CASE_FIELDS, NEED
from .models import (
    Approval,
    CaseDocument,
    CaseLine,
    Comment,
    DeliveredAsset,
    FrameworkAgreement,
    ProcurementCase,
    PurchasingRuleSet,
    Quote,
    StageChange,
)

if TYPE_CHECKING:  # procurement.evidence imports this module
    from .evidence import TrialEvidenceRow

URL_REFERENCE = re.compile(r"^(?P<code>[A-Z0-9]+)-(?P<year>\d{4})-(?P<number>\d{1,6})$")


def cases_visible_to(user: Reader) -> QuerySet[ProcurementCase]:
    """The one place that decides which cases a user may see.

    A library manager sees the cases of the libraries in the profile; a case outside is
    answered with 404, so its existence is not leaked.
    """
    if not user.is_active or not user.has_perm("procurement.view_procurementcase"):
        return ProcurementCase.objects.none()
    if sees_all_libraries(user):
        return ProcurementCase.objects.all()
    return ProcurementCase.objects.filter(library_id__in=library_ids_of(user))


def case_list(user: Reader) -> QuerySet[ProcurementCase]:
    return cases_visible_to(user).select_related("library", "category", "requested_by", "handler")


def case_get(user: Reader, url_reference: str) -> ProcurementCase:
    """The case written `HB-2026-0042` in a URL, if the user may see it; else Http404."""
    match = URL_REFERENCE.match(url_reference or "")
    if not match:
        raise Http404
    try:
        return case_list(user).get(
            library__code=match["code"], year=int(match["year"]), number=int(match["number"])
        )
    except ProcurementCase.DoesNotExist:
        raise Http404 from None


def ruleset_in_force(day: date) -> PurchasingRuleSet | None:
    return PurchasingRuleSet.objects.filter(effective_from__lte=day).first()


def agreements_open(day: date) -> QuerySet[FrameworkAgreement]:
    """The framework agreements a case may name on `day`: joined by the municipality and
    in force (only those can be called off)."""
    return FrameworkAgreement.objects.filter(joined=True, valid_from__lte=day, valid_to__gte=day)


def frameworks_covering(category: Category | int, day: date) -> QuerySet[FrameworkAgreement]:
    """Joined agreements valid on `day` that cover the category."""
    return agreements_open(day).filter(categories=category)


def direct_awards() -> QuerySet[ProcurementCase]:
    """Every direct award of the municipality that was not cancelled: what the
    anti-splitting rule adds up per category and fiscal (calendar) year, across all
    libraries, since the limit applies to the municipality as a whole."""
    return ProcurementCase.objects.filter(procedure=Procedure.DIRECT_AWARD).exclude(
        stage=Stage.CANCELLED
    )


def prior_direct_awards(case: ProcurementCase) -> Decimal:
    """Direct awards of the same category in the same fiscal (calendar) year, made in cases
    opened before this one: what the anti-splitting rule adds up."""
    total = (
        direct_awards()
        .filter(category_id=case.category_id, year=case.year)
        .filter(Q(created_at__lt=case.created_at) | Q(created_at=case.created_at, pk__lt=case.pk))
        .exclude(pk=case.pk)
        .aggregate(total=Sum("estimated_value"))["total"]
    )
    return total or Decimal(0)


def thresholds_of(ruleset: PurchasingRuleSet) -> rules.Thresholds:
    """The rule set's figures for the rules engine, with where they come from: the date
    the rule set applies from, each threshold's source, and the rule set's name for the
    municipality's guidelines (the reasons cite them)."""
    return dataclasses.replace(
        ruleset.thresholds(),
        applies_from=ruleset.effective_from,
        direct_award_limit_source=ruleset.direct_award_limit_source,
        documentation_threshold_source=ruleset.documentation_threshold_source,
        eu_threshold_source=ruleset.eu_threshold_source,
        guidelines_source=ruleset.name,
    )


class NoRuleSet(Exception):
    """No purchasing rule set is in force for the case's date."""


def case_assessment(case: ProcurementCase, *, today: date | None = None) -> rules.Assessment:
    """What the purchasing rules say of the case, by the rule set in force when it opened.

    Raises NoRuleSet when the administrator has entered none for that date.
    """
    today = today or timezone.localdate()
    opened = timezone.localdate(case.created_at) if case.created_at else today
    ruleset = ruleset_in_force(opened) or ruleset_in_force(today)
    if ruleset is None:
        raise NoRuleSet
    facts = rules.CaseFacts(
        estimated_value=case.estimated_value,
        prior_direct_awards_same_kind=prior_direct_awards(case) if case.pk else Decimal(0),
        framework_available=frameworks_covering(case.category_id, today).exists(),
    )
    return rules.assess(facts, thresholds_of(ruleset))


def reason_texts(assessment: rules.Assessment) -> tuple[str, ...]:
    """Why the rules say what they say, in the reader's language, each figure with its
    amount, date and source: the same words on the case page and its status sheet."""
    return tuple(reason.render(gettext, format_sek, format_date) for reason in assessment.reasons)


def warning_texts(assessment: rules.Assessment) -> tuple[str, ...]:
    return tuple(
        warning.render(gettext, format_sek, format_date) for warning in assessment.warnings
    )


_LACKING = rules.gettext_noop("%(item)s: %(missing)s missing")


@dataclass(frozen=True)
class ChecklistRow:
    code: str
    label: str  # untranslated; the page translates
    before_stage: str
    count: int
    done: bool
    have: int = 0  # for counted items, how many there are
    missing: tuple[str, ...] = ()  # untranslated: the parts of the item still lacking
    missing_codes: tuple[str, ...] = ()  # the same parts' codes (rules.DOCUMENTATION_FACTS)

    def text(self, translate: Callable[[str], str]) -> str:
        """The item in the reader's language, with what it still lacks."""
        if not self.missing:
            return translate(self.label)
        return translate(_LACKING) % {
            "item": translate(self.label),
            "missing": ", ".join(translate(part) for part in self.missing),
        }


def municipality() -> tuple[str, str]:
    """The contracting authority's name and organisation number (settings)."""
    return settings.INVENTERA_MUNICIPALITY_NAME, settings.INVENTERA_MUNICIPALITY_ORG_NUMBER


def chosen_quote(case: ProcurementCase) -> Quote | None:
    """The chosen quote or tender of the case, from its (prefetched) quotes; or None."""
    return next((quote for quote in case.quotes.all() if quote.chosen), None)


def documentation_facts(case: ProcurementCase) -> rules.DocumentationFacts:
    """What the case has recorded of the facts its direct-award documentation needs."""
    name, number = municipality()
    chosen = chosen_quote(case)
    return rules.DocumentationFacts(
        authority_known=bool(name.strip() and number.strip()),
        competition_method=case.competition_method,
        supplier_chosen=chosen is not None,
        supplier_organisation_number=bool(chosen and chosen.supplier.organisation_number),
        award_reason=bool(case.award_reason.strip()),
        period_known=bool(case.expected_delivery or (case.contract_start and case.contract_end)),
    )


def _has_document(case: ProcurementCase, kind: str) -> bool:
    return any(doc.kind == kind for doc in case.documents.all())


def case_checklist(
    case: ProcurementCase, assessment: rules.Assessment, *, today: date | None = None
) -> list[ChecklistRow]:
    """The assessment's checklist with what this case has done and what is missing."""
    today = today or timezone.localdate()
    approvals = [a for a in case.approvals.all() if a.decision == Decision.APPROVED]
    quotes = list(case.quotes.all())
    rows = []
    for item in assessment.checklist:
        have = 0
        lacking: tuple[str, ...] = ()
        lacking_codes: tuple[str, ...] = ()
        if item.code == "needs_analysis":
            done = bool(case.analysis.strip()) or _has_document(case, DocumentKind.NEEDS_ANALYSIS)
        elif item.code == "approval":
            done = any(a.level >= assessment.approval_level for a in approvals)
        elif item.code == "specification":
            done = _has_document(case, DocumentKind.SPECIFICATION)
        elif item.code == "quotes":
            have = len(quotes)
            done = have >= item.count
        elif item.code == "direct_award_documentation":
            lacking_codes = rules.documentation_missing(documentation_facts(case))
            lacking = tuple(rules.DOCUMENTATION_FACTS[code] for code in lacking_codes)
            done = not lacking
        elif item.code == "award_decision":
            done = case.award_notice_sent_on is not None
        elif item.code == "standstill":
            done = case.award_notice_sent_on is not None and today >= rules.earliest_signing_day(
                case.award_notice_sent_on, electronic=case.award_notice_electronic
            )
        elif item.code == "contract_or_order":
            done = bool(case.order_reference.strip()) or any(
                _has_document(case, kind) for kind in (DocumentKind.CONTRACT, DocumentKind.ORDER)
            )
        else:  # an item this version does not know how to check is never assumed done
            done = False
        rows.append(
            ChecklistRow(
                item.code,
                item.label,
                item.before_stage,
                item.count,
                done,
                have,
                lacking,
                lacking_codes,
            )
        )
    if assessment.procedure == Procedure.CALL_OFF:
        rows.append(
            ChecklistRow(
                "framework_agreement",
                rules.gettext_noop("The framework agreement to call off from is chosen"),
                Stage.SOURCING,
                1,
                case.framework_agreement_id is not None,
            )
        )
    # Not a legal step but a practical one: an order needs a chosen supplier.
    rows.append(
        ChecklistRow(
            "chosen_quote",
            rules.gettext_noop("A quote or tender is chosen"),
            Stage.ORDERED,
            1,
            any(q.chosen for q in quotes),
        )
    )
    return rows


def missing_before(rows: list[ChecklistRow], to_stage: str) -> list[ChecklistRow]:
    """The checklist rows that must be done before a case may enter `to_stage`."""
    if to_stage not in STAGE_ORDER:
        return []
    target = STAGE_ORDER.index(to_stage)
    return [r for r in rows if not r.done and STAGE_ORDER.index(r.before_stage) <= target]


@dataclass(frozen=True)
class FixAt:
    """Where a missing checklist item is put right: a field of the case's edit form, a
    section of the case page (its id), or the upload of a document of a kind."""

    field: str = ""
    section: str = ""
    document_kind: str = ""


# Per checklist item (ChecklistRow.code). The standstill has no place: it passes with time.
FIX_AT: dict[str, FixAt] = {
    "needs_analysis": FixAt(field="analysis"),
    "approval": FixAt(section="decisions"),
    "specification": FixAt(document_kind=DocumentKind.SPECIFICATION),
    "quotes": FixAt(section="quotes"),
    "award_decision": FixAt(field="award_notice_sent_on"),
    "contract_or_order": FixAt(field="order_reference"),
    "framework_agreement": FixAt(field="framework_agreement"),
    "chosen_quote": FixAt(section="quotes"),
}
# Per part of the direct-award documentation (rules.DOCUMENTATION_FACTS). The
# municipality's name and number are settings, a supplier's number is the administrator's.
FIX_DOCUMENTATION_AT: dict[str, FixAt] = {
    "competition": FixAt(field="competition_method"),
    "supplier": FixAt(section="quotes"),
    "award_reason": FixAt(field="award_reason"),
    "period": FixAt(field="expected_delivery"),
}


def editable_case_fields(user: Reader) -> tuple[str, ...]:
    """The fields of the case's edit form `user` may change (procurement.forms)."""
    if user.has_perm("procurement.advance_technical"):
        return CASE_FIELDS.names(FORM)
    return CASE_FIELDS.names(FORM, NEED)


def fix_href(fix: FixAt | None, case: ProcurementCase, user: Reader) -> str:
    """The link to where `user` puts the item right; "" when there is none for them."""
    if fix is None:
        return ""
    reference = {"reference": case.url_reference}
    if fix.field:
        if (
            case.stage in CLOSED_STAGES
            or not user.has_perm("procurement.change_procurementcase")
            or fix.field not in editable_case_fields(user)
        ):
            return ""
        return f"{reverse('procurement:case_update', kwargs=reference)}#id_{fix.field}"
    if fix.document_kind:
        if not user.has_perm("procurement.add_casedocument"):
            return ""
        # The upload form starts with the kind chosen (DocumentCreateView.get_initial).
        url = reverse("procurement:document_create", kwargs=reference)
        return f"{url}?kind={fix.document_kind}"
    return f"#{fix.section}"


class FixLink(TypedDict):
    text: str  # in the reader's language
    href: str  # "" when this user cannot put it right from a page


class MissingItem(TypedDict):
    text: str  # the checklist item, in the reader's language
    href: str  # where it is put right ("" when nowhere, or when it has parts)
    parts: list[FixLink]  # what the item still lacks, each with where it is put right


def missing_item(row: ChecklistRow, case: ProcurementCase, user: Reader) -> MissingItem:
    """A checklist row not yet done, as the case page links it to where it is done."""
    text = gettext(row.label)
    if row.code == "quotes":
        text += " (%s)" % (
            gettext("%(have)s of %(count)s") % {"have": row.have, "count": row.count}
        )
    parts = [
        FixLink(
            text=gettext(rules.DOCUMENTATION_FACTS[code]),
            href=fix_href(FIX_DOCUMENTATION_AT.get(code), case, user),
        )
        for code in row.missing_codes
    ]
    return MissingItem(
        text=text, href="" if parts else fix_href(FIX_AT.get(row.code), case, user), parts=parts
    )


def standstill_end(case: ProcurementCase) -> date | None:
    if case.award_notice_sent_on is None:
        return None
    return rules.standstill_last_day(
        case.award_notice_sent_on, electronic=case.award_notice_electronic
    )


# A case in the same stage for this many days has stalled: reminders go out, reports list it.
STALE_DAYS = 30


def cases_without_movement(
    cases: QuerySet[ProcurementCase], *, today: date
) -> QuerySet[ProcurementCase]:
    """Open cases that entered their stage STALE_DAYS or more days before `today`
    (local dates), on hold included."""
    moved_before = timezone.make_aware(
        datetime.combine(today - timedelta(days=STALE_DAYS - 1), time.min)
    )
    return cases.filter(stage__in=OPEN_STAGES, stage_changed_at__lt=moved_before)


def days_waiting(case: ProcurementCase, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return max(0, (timezone.localdate(now) - timezone.localdate(case.stage_changed_at)).days)


def case_waits_on(case: ProcurementCase) -> str:
    return waits_on(case.stage, case.procedure)


def case_waits_on_label(case: ProcurementCase) -> str:
    """Who acts next on the case, in the reader's language; "" when no one does."""
    party = case_waits_on(case)
    return str(Party(party).label) if party else ""


@dataclass(frozen=True)
class DeliveryDefaults:
    """What the delivery form proposes for a line: names as the register writes them."""

    manufacturer: str = ""
    model: str = ""
    warranty_end: date | None = None


def _named_in(text: str, name: str) -> bool:
    """Whether `name` stands as words of its own in `text` (casefolded)."""
    return bool(re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", text))


def delivery_defaults(lines: Iterable[CaseLine]) -> dict[int, DeliveryDefaults]:
    """Per line id, the manufacturer, model and warranty end a delivery proposes.

    A case line holds only a category and a free-text description. So a line delivered
    before proposes what its latest delivered asset was registered with; otherwise a
    registered manufacturer named in the description is proposed, with its model if the
    description names that too (say "Lenovo ThinkCentre M70q, 16 GB").
    """
    lines = list(lines)
    latest: dict[int, Asset] = {}
    for link in (
        DeliveredAsset.objects.filter(line__in=lines)
        .select_related("asset__manufacturer", "asset__model")
        .order_by("line_id", "-id")
    ):
        latest.setdefault(link.line_id, link.asset)
    defaults: dict[int, DeliveryDefaults] = {}
    makers: list[Manufacturer] | None = None
    for line in lines:
        asset = latest.get(line.pk)
        if asset is not None:
            defaults[line.pk] = DeliveryDefaults(
                manufacturer=asset.manufacturer.name if asset.manufacturer else "",
                model=asset.model.name if asset.model else "",
                warranty_end=asset.warranty_end,
            )
            continue
        if makers is None:
            makers = list(Manufacturer.objects.prefetch_related("models"))
        text = line.description.casefold()
        named = [maker for maker in makers if _named_in(text, maker.name)]
        if len(named) != 1:
            defaults[line.pk] = DeliveryDefaults()
            continue
        [maker] = named
        models = [m for m in maker.models.all() if _named_in(text, m.name)]
        # The longest name the description holds: "iPad Air" rather than "iPad".
        models.sort(key=lambda m: len(m.name), reverse=True)
        if len(models) > 1 and len(models[0].name) == len(models[1].name):
            models = []  # two models named as alike: no guess
        defaults[line.pk] = DeliveryDefaults(
            manufacturer=maker.name, model=models[0].name if models else ""
        )
    return defaults


class ChecklistItem(TypedDict):
    label: str  # in the reader's language, with what the item still lacks
    before: str  # the label of the stage it is needed before
    done: bool
    count: int
    have: int
    counted: bool  # whether the page shows "have of count"


class MoveChoice(TypedDict):
    to_stage: str
    label: str
    missing: list[MissingItem]  # what the rules still require, with where it is done


def move_permission(current: str, to_stage: str) -> str:
    """The permission a move of a case from `current` to `to_stage` needs."""
    if to_stage in (Stage.ON_HOLD, Stage.CANCELLED) or current == Stage.ON_HOLD:
        return "procurement.hold_case"
    if to_stage not in MOVER_OF_TARGET:  # not a move anyone makes; refused below
        return "procurement.change_procurementcase"
    return PERMISSION_OF[MOVER_OF_TARGET[to_stage]]


@dataclass(frozen=True)
class MoveOption:
    to_stage: str
    missing: tuple[ChecklistRow, ...]  # what the rules still require


_ASSESS = object()  # case_move_options: assess the case itself


def case_move_options(
    case: ProcurementCase,
    user: Reader,
    *,
    today: date | None = None,
    assessment: Any = _ASSESS,
    rows: list[ChecklistRow] | None = None,
) -> list[MoveOption]:
    """The moves `user` may make now, each with what is still missing (for the page).

    A caller that has the case's `assessment` (None: no rule set) and its checklist
    `rows` already passes them, and they are not made again.
    """
    if assessment is _ASSESS:
        try:
            assessment = case_assessment(case, today=today)
        except NoRuleSet:
            assessment = None
    standstill = assessment.standstill_applies if assessment else True
    options = []
    if rows is None:
        rows = case_checklist(case, assessment, today=today) if assessment else []
    for to_stage in allowed_moves(
        case.stage, stage_before_hold=case.stage_before_hold, standstill_applies=standstill
    ):
        if not user.has_perm(move_permission(case.stage, to_stage)):
            continue
        missing = tuple(missing_before(rows, to_stage))
        options.append(MoveOption(to_stage, missing))
    return options


def quote_choice_open(case: ProcurementCase, user: Reader) -> bool:
    """Whether `user` may choose the winning quote of `case` now (shown on the page)."""
    return user.has_perm("procurement.advance_technical") and case.stage in (
        Stage.SOURCING,
        Stage.AWARD,
    )


@dataclass(frozen=True)
class CasePage:
    """What the case page shows of a case to one user, text in the reader's language."""

    case: ProcurementCase  # with its lines, quotes, documents, comments… fetched
    waits_on: str  # a label, "" when no one acts next
    since: date  # the day the case entered its stage
    days_waiting: int
    is_open: bool
    standstill_end: date | None
    procedure_label: str
    assessment: rules.Assessment | None  # None when no rule set is in force
    assessed_procedure: str
    warnings: tuple[str, ...]
    reasons: tuple[str, ...]
    checklist: tuple[ChecklistItem, ...]
    moves: tuple[MoveChoice, ...]  # the moves the user may make now
    may_decide: bool  # approve or reject, now
    may_comment: bool
    can_choose_quote: bool
    history: tuple[tuple[ChangeRecord, list[ChangeRow]], ...]  # newest first, at most 100
    # Trials with patrons attached as evidence of the need, and the equipment the user
    # may attach (procurement.evidence).
    trial_evidence: tuple["TrialEvidenceRow", ...] = ()
    trial_choices: tuple[Asset, ...] = ()


def case_page(*, case: ProcurementCase, user: Reader) -> CasePage:
    """The case page's data for `user`, who may see the case (case_get)."""
    from . import evidence  # it uses this module's cases_visible_to

    prefetch_related_objects(
        [case],
        Prefetch("lines", CaseLine.objects.select_related("category")),
        Prefetch("quotes", Quote.objects.select_related("supplier")),
        Prefetch("documents", CaseDocument.objects.select_related("uploaded_by")),
        Prefetch("comments", Comment.objects.select_related("author")),
        "suppliers_asked",
        Prefetch("approvals", Approval.objects.select_related("decided_by")),
        Prefetch("timeline", StageChange.objects.select_related("actor")),
        Prefetch(
            "delivered_assets",
            DeliveredAsset.objects.select_related("asset", "line").order_by("asset__tag"),
        ),
    )
    try:
        assessment = case_assessment(case)
    except NoRuleSet:
        assessment = None
    assessed_procedure = ""
    warnings: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    rows: list[ChecklistRow] = []
    if assessment is not None:
        assessed_procedure = str(Procedure(assessment.procedure).label)
        warnings = warning_texts(assessment)
        reasons = reason_texts(assessment)
        rows = case_checklist(case, assessment)
        checklist = tuple(
            ChecklistItem(
                label=row.text(gettext),
                before=str(Stage(row.before_stage).label),
                done=row.done,
                count=row.count,
                have=row.have,
                counted=row.code == "quotes",
            )
            for row in rows
        )
    return CasePage(
        case=case,
        waits_on=case_waits_on_label(case),
        since=timezone.localdate(case.stage_changed_at),
        days_waiting=days_waiting(case),
        is_open=case.stage not in CLOSED_STAGES,
        standstill_end=standstill_end(case),
        procedure_label=str(Procedure(case.procedure).label) if case.procedure else "",
        assessment=assessment,
        assessed_procedure=assessed_procedure,
        warnings=warnings,
        reasons=reasons,
        checklist=checklist,
        moves=tuple(
            MoveChoice(
                to_stage=option.to_stage,
                label=str(Stage(option.to_stage).label),
                missing=[missing_item(row, case, user) for row in option.missing],
            )
            for option in case_move_options(case, user, assessment=assessment, rows=rows)
        ),
        may_decide=user.has_perm("procurement.approve_case") and case.stage == Stage.APPROVAL,
        may_comment=user.has_perm("procurement.add_comment"),
        can_choose_quote=quote_choice_open(case, user),
        history=case_history(case),
        trial_evidence=evidence.case_trials(case, user),
        trial_choices=tuple(evidence.trials_attachable(case, user)),
    )


_SENT = "award_notice_sent_on"
_ELECTRONIC = "award_notice_electronic"


def _sent_on(day: object, electronic: object) -> str:
    if not day:
        return "–"
    text = format_date(date.fromisoformat(str(day)))
    if electronic:
        return gettext("%(date)s, electronically") % {"date": text}
    return gettext("%(date)s, not electronically") % {"date": text}


def case_history(
    case: ProcurementCase, *, limit: int = 100
) -> tuple[tuple[ChangeRecord, list[ChangeRow]], ...]:
    """The case's history, newest first, in the reader's language.

    Whether the award decision was sent electronically is known only once it was sent:
    it is told once, with the day it was sent, and not at all while no day is recorded
    (a case is created with the box ticked, and an edit form sends it unticked). The
    state after each record is found by walking back from the case as it is now.
    """
    sent = case.award_notice_sent_on.isoformat() if case.award_notice_sent_on else None
    electronic: object = case.award_notice_electronic
    result = []
    for entry in records_for(case)[:limit]:
        changes = entry.changes
        sent_before = changes[_SENT][0] if _SENT in changes else sent
        electronic_before = changes[_ELECTRONIC][0] if _ELECTRONIC in changes else electronic
        rows = []
        for row in history_rows(ProcurementCase, entry):
            if row.name == _SENT:
                row = dataclasses.replace(
                    row,
                    old=_sent_on(sent_before, electronic_before),
                    new=_sent_on(sent, electronic),
                )
            elif row.name == _ELECTRONIC and (not sent or _SENT in changes):
                continue  # unknown, or told with the day above
            rows.append(row)
        result.append((entry, rows))
        sent, electronic = sent_before, electronic_before
    return tuple(result)
