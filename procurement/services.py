"""Every write of procurement: one transaction per user action, the acting user passed in.

Nothing outside `case_transition` assigns `ProcurementCase.stage`; the allowed moves are
the table in `procurement.choices`, the guards come from the rules engine's checklist.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from inventory import history
from inventory import services as inventory_services
from inventory.choices import AssetStatus, ChangeAction, ChangeSource
from inventory.fieldlists import FORM
from inventory.models import Asset, Category, Library, Location, Manufacturer, ProductModel
from inventory.roles import Actor
from inventory.selectors import libraries_visible_to

from .choices import (
    CLOSED_STAGES,
    STAGE_ORDER,
    Decision,
    Stage,
    allowed_moves,
    stage_index,
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
    Quote,
    ReferenceCounter,
    StageChange,
    Supplier,
)
from .selectors import (
    NoRuleSet,
    agreements_open,
    case_assessment,
    case_checklist,
    cases_visible_to,
    missing_before,
    move_permission,
    ruleset_in_force,
)
from .uploads import check_upload
from .validators import organisation_number_digits

# The fields whose changes the history shows; those case_create and case_update take
# (the procedure follows from them); and those a library manager may change.
TRACKED_FIELDS = CASE_FIELDS.tracked
EDITABLE_FIELDS = frozenset(CASE_FIELDS.names(FORM))
# Set after the case row is saved (a many-to-many relation needs the row first).
MANY_TO_MANY_FIELDS = CASE_FIELDS.many_to_many(EDITABLE_FIELDS)
LIBRARY_FIELDS = frozenset(CASE_FIELDS.names(FORM, NEED))


class ConcurrentEditError(Exception):
    """Someone else saved the case after the user loaded it; nothing was written."""

    def __init__(self, current: ProcurementCase):
        super().__init__(f"{current.reference} is at version {current.version}")
        self.current = current


class MoveRefused(ValidationError):
    """A stage move the rules do not allow (yet); the messages say why in words."""


def _require(actor: Actor, permission: str, case: ProcurementCase | None = None) -> None:
    """Every write is checked here, not only hidden in the template."""
    if not actor.has_perm(permission):
        raise PermissionDenied(permission)
    if case is not None and not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied("case outside the user's libraries")


def _lock(case: ProcurementCase, expected_version: int | None = None) -> ProcurementCase:
    locked = ProcurementCase.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


def _apply_procedure(case: ProcurementCase) -> None:
    """The procedure follows the rules' recommendation, or the framework chosen."""
    try:
        case.procedure = case_assessment(case).procedure
    except NoRuleSet:
        case.procedure = ""


def _check_agreement(
    agreement: FrameworkAgreement | None, *, unchanged_from: int | None = None
) -> None:
    """Refuse an agreement the municipality has not joined or that is not in force today;
    one the case already names may stay after it has expired."""
    if agreement is None or agreement.pk == unchanged_from:
        return
    if not agreements_open(timezone.localdate()).filter(pk=agreement.pk).exists():
        raise ValidationError(
            {
                "framework_agreement": _(
                    "“%(agreement)s” cannot be called off: the municipality has not joined "
                    "it, or it is not in force today."
                )
                % {"agreement": agreement}
            }
        )


def _next_number(library: Library, year: int) -> int:
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
        library=library, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def case_create(
    *,
    actor: Actor,
    library: Library,
    title: str,
    need: str,
    category: Category,
    estimated_value: Decimal,
    lines: Iterable[dict[str, Any]] = (),
    today: date | None = None,
    **fields: Any,
) -> ProcurementCase:
    """Open a case for a need, with a reference number that is never given twice.

    The counter row of the library and year is locked, so two cases created at the same
    moment get consecutive numbers.
    """
    _require(actor, "procurement.add_procurementcase")
    if not libraries_visible_to(actor).filter(pk=library.pk).exists():
        raise PermissionDenied("library outside the user's libraries")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not settable here: {', '.join(sorted(unknown))}")
    _check_agreement(fields.get("framework_agreement"))
    now = timezone.now()
    year = (today or timezone.localdate(now)).year
    related = {name: fields.pop(name) for name in MANY_TO_MANY_FIELDS & set(fields)}
    case = ProcurementCase(
        library=library,
        title=title,
        need=need,
        category=category,
        estimated_value=estimated_value,
        requested_by=actor,
        updated_by=actor,
        year=year,
        number=0,
        reference="-",
        stage=Stage.NEED,
        stage_changed_at=now,
        **fields,
    )
    case.full_clean(exclude=["reference", "number", "year"])
    case.number = _next_number(library, year)
    case.reference = f"{library.code} {year}/{case.number:04d}"
    case.save()
    for name, value in related.items():
        getattr(case, name).set(value)
    _apply_procedure(case)
    case.save(update_fields=["procedure"])
    for line in lines:
        line_add(case=case, actor=actor, _checked=True, **line)
    StageChange.objects.create(case=case, actor=actor, from_stage="", to_stage=Stage.NEED)
    history.record(
        case,
        actor=actor,
        action=ChangeAction.CREATED,
        changes=history.diff({}, history.snapshot(case, TRACKED_FIELDS)),
    )
    return case


@transaction.atomic
def case_update(
    *, case: ProcurementCase, actor: Actor, expected_version: int, data: dict[str, Any]
) -> ProcurementCase:
    """Change a case's facts, refusing a save based on an old version."""
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    _require(actor, "procurement.change_procurementcase", case)
    if not actor.has_perm("procurement.advance_technical") and set(data) - LIBRARY_FIELDS:
        raise PermissionDenied("fields of IT's stages")
    locked = _lock(case, expected_version)
    if locked.stage in CLOSED_STAGES:
        raise ValidationError(_("A closed or cancelled case cannot be changed."))
    if "framework_agreement" in data:
        _check_agreement(data["framework_agreement"], unchanged_from=locked.framework_agreement_id)
    before = history.snapshot(locked, TRACKED_FIELDS)
    for name, value in data.items():
        if name not in MANY_TO_MANY_FIELDS:
            setattr(locked, name, value)
    locked.full_clean()
    for name in MANY_TO_MANY_FIELDS & set(data):
        getattr(locked, name).set(data[name])
    _apply_procedure(locked)
    changes = history.diff(before, history.snapshot(locked, TRACKED_FIELDS))
    if changes:
        locked.version += 1
        locked.updated_by = actor
        locked.save()
        history.record(locked, actor=actor, action=ChangeAction.CHANGED, changes=changes)
    return locked


@transaction.atomic
def case_transition(
    *,
    case: ProcurementCase,
    to_stage: str,
    actor: Actor,
    comment: str = "",
    override_reason: str = "",
    expected_version: int | None = None,
    today: date | None = None,
    _decided: bool = False,
) -> ProcurementCase:
    """Move a case to another stage if the table and the rules' checklist allow it.

    A refused move raises MoveRefused naming what is missing. With `override_reason`, a
    holder of the override permission may pass the guards; the timeline shows it.
    (`_decided`: the move follows a decision `case_decide` has checked the approver's
    permission for; rejecting a case cancels it without the pause-and-cancel permission.)
    """
    today = today or timezone.localdate()
    locked = _lock(case, expected_version)
    _require(
        actor,
        "procurement.approve_case" if _decided else move_permission(locked.stage, to_stage),
        locked,
    )
    try:
        assessment = case_assessment(locked, today=today)
    except NoRuleSet:
        raise MoveRefused(
            _("No purchasing rule set is in force; ask the administrator to enter one.")
        ) from None
    if to_stage not in allowed_moves(
        locked.stage,
        stage_before_hold=locked.stage_before_hold,
        standstill_applies=assessment.standstill_applies,
    ):
        raise MoveRefused(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": locked.get_stage_display(), "to": Stage(to_stage).label}
        )
    if to_stage in (Stage.ON_HOLD, Stage.CANCELLED) and not comment.strip():
        raise MoveRefused({"comment": _("Give the reason.")})
    overridden = ""
    if to_stage in STAGE_ORDER and locked.stage != Stage.ON_HOLD:
        missing = missing_before(case_checklist(locked, assessment, today=today), to_stage)
        reasons = [row.text(_) for row in missing]
        if (
            to_stage == Stage.SPECIFICATION
            and not locked.approvals.filter(decision=Decision.APPROVED).exists()
        ):
            reasons.append(_("The case has not been approved."))
        if reasons:
            if not override_reason.strip():
                raise MoveRefused([_("The rules require this first:"), *reasons], code="guard")
            _require(actor, "procurement.override_guard")
            overridden = "; ".join(reasons)

    from_stage = locked.stage
    if to_stage == Stage.ON_HOLD:
        locked.stage_before_hold = from_stage
        locked.hold_reason = comment.strip()
    elif from_stage == Stage.ON_HOLD:
        locked.stage_before_hold = ""
    if to_stage == Stage.CANCELLED:
        locked.cancel_reason = comment.strip()
    locked.stage = to_stage
    locked.stage_changed_at = timezone.now()
    locked.version += 1
    locked.updated_by = actor
    locked.save()
    StageChange.objects.create(
        case=locked,
        actor=actor,
        from_stage=from_stage,
        to_stage=to_stage,
        comment=(comment.strip() + ("\n" if comment.strip() and overridden else ""))
        + (override_reason.strip() if overridden else ""),
        overridden=overridden,
    )
    return locked


@transaction.atomic
def case_decide(
    *,
    case: ProcurementCase,
    actor: Actor,
    decision: str,
    level: int,
    comment: str = "",
    today: date | None = None,
) -> ProcurementCase:
    """Approve (and move on to requirements) or reject (and cancel) a case at approval."""
    _require(actor, "procurement.approve_case", case)
    locked = _lock(case)
    if locked.stage != Stage.APPROVAL:
        raise ValidationError(_("Only a case waiting for approval can be decided."))
    if decision == Decision.REJECTED and not comment.strip():
        raise ValidationError({"comment": _("Give the reason for the rejection.")})
    ruleset = ruleset_in_force(today or timezone.localdate())
    names = ruleset.level_names if ruleset else []
    if names and not 0 <= level < len(names):
        raise ValidationError({"level": _("Choose a delegation level.")})
    Approval.objects.create(
        case=locked,
        decision=decision,
        level=level,
        level_name=names[level] if names else "",
        decided_by=actor,
        comment=comment.strip(),
    )
    to_stage = Stage.SPECIFICATION if decision == Decision.APPROVED else Stage.CANCELLED
    return case_transition(
        case=locked, to_stage=to_stage, actor=actor, comment=comment, today=today, _decided=True
    )


# The fields of a line its services take; the ordered price comes with the order.
LINE_FIELDS = ("category", "description", "quantity", "estimated_unit_price")


def line_lock_reason(case: ProcurementCase) -> str:
    """Why the lines of `case` can no longer be changed, in the reader's language; "" while
    they can. They are what is ordered: once the order is placed (or the case is closed or
    cancelled, or paused after the order) they stay as ordered."""
    stage = case.stage_before_hold if case.stage == Stage.ON_HOLD else case.stage
    if stage in CLOSED_STAGES:
        return _("The case is closed or cancelled, so its lines can no longer be changed.")
    if stage in STAGE_ORDER and stage_index(stage) >= stage_index(Stage.ORDERED):
        return _(
            "The order has been placed, so the lines can no longer be changed: they are "
            "what was ordered."
        )
    return ""


def _line_text(line: CaseLine) -> str:
    """A line as the history keeps it: plain text that reads the same later."""
    return f"{line.quantity} × {line.description} ({line.category}; {line.estimated_unit_price})"


def _lock_for_lines(case: ProcurementCase, actor: Actor) -> ProcurementCase:
    """The case locked, once the actor may change its lines and they are not locked."""
    _require(actor, "procurement.change_procurementcase", case)
    locked = _lock(case)
    reason = line_lock_reason(locked)
    if reason:
        raise ValidationError(reason, code="lines_locked")
    return locked


def _record_line(
    case: ProcurementCase, actor: Actor, before: str | None, after: str | None
) -> None:
    # Recorded on the case, under its lines, so the case's history shows it.
    history.record(
        case, actor=actor, action=ChangeAction.CHANGED, changes={"lines": [before, after]}
    )


@transaction.atomic
def line_add(
    *,
    case: ProcurementCase,
    actor: Actor,
    category: Category,
    description: str,
    quantity: int,
    estimated_unit_price: Decimal,
    _checked: bool = False,
) -> CaseLine:
    """Add a line to a case until its order is placed; the case's history records it.

    (`_checked`: called by `case_create`, which has checked the actor and records the new
    case as a whole.)
    """
    if not _checked:
        case = _lock_for_lines(case, actor)
    line = CaseLine(
        case=case,
        category=category,
        description=description,
        quantity=quantity,
        estimated_unit_price=estimated_unit_price,
    )
    line.full_clean()
    line.save()
    if not _checked:
        _record_line(case, actor, None, _line_text(line))
    return line


def _line_of(case: ProcurementCase, line: CaseLine) -> CaseLine:
    if line.case_id != case.pk:
        raise ValidationError(_("The line belongs to another case."))
    return CaseLine.objects.select_related("category").get(pk=line.pk)


@transaction.atomic
def line_update(
    *, case: ProcurementCase, line: CaseLine, actor: Actor, data: dict[str, Any]
) -> CaseLine:
    """Change a line of a case until its order is placed; the case's history records it."""
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    locked = _lock_for_lines(case, actor)
    current = _line_of(locked, line)
    before = _line_text(current)
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean()
    after = _line_text(current)
    if after != before:
        current.save()
        _record_line(locked, actor, before, after)
    return current


@transaction.atomic
def line_remove(*, case: ProcurementCase, line: CaseLine, actor: Actor) -> None:
    """Remove a line of a case until its order is placed; the case's history records it."""
    locked = _lock_for_lines(case, actor)
    current = _line_of(locked, line)
    before = _line_text(current)
    current.delete()
    _record_line(locked, actor, before, None)


@transaction.atomic
def supplier_create(
    *, actor: Actor, name: str, organisation_number: str, _checked: bool = False
) -> Supplier:
    """Register a supplier by its name and Swedish organisation number.

    The number is stored as NNNNNN-NNNN; a number or a name already registered is refused,
    keyed `organisation_number` or `name`. (`_checked`: called by `quote_add`, where IT
    names the supplier of the quote it registers.)
    """
    if not _checked:
        _require(actor, "procurement.add_supplier")
    name = " ".join(name.split())
    supplier = Supplier(name=name, organisation_number=organisation_number.strip())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the supplier's name.")]
    if not supplier.organisation_number:
        errors["organisation_number"] = [_("Give the supplier's organisation number.")]
    try:
        # Unique names are checked below, with a message that says what to do.
        supplier.full_clean(validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field not in errors:
                errors.setdefault(field, []).extend(messages)
    named = Supplier.objects.filter(name__iexact=name).first() if name else None
    if named is not None and "name" not in errors:
        errors["name"] = [
            _("Name: a supplier “%(name)s” is already registered. Choose it instead.")
            % {"name": named.name}
        ]
    if "organisation_number" not in errors:
        digits = organisation_number_digits(supplier.organisation_number)
        supplier.organisation_number = f"{digits[:6]}-{digits[6:]}"
        twin = next(
            (
                other
                for other in Supplier.objects.exclude(organisation_number="")
                if organisation_number_digits(other.organisation_number) == digits
            ),
            None,
        )
        if twin is not None:
            errors["organisation_number"] = [
                _(
                    "Organisation number: %(number)s is already registered, as the supplier "
                    "“%(name)s”. Choose that supplier instead."
                )
                % {"number": supplier.organisation_number, "name": twin.name}
            ]
    if errors:
        raise ValidationError(errors)
    supplier.save()
    return supplier


# The quote form's fields for a supplier that is not registered yet.
NEW_SUPPLIER_FIELDS = {
    "new_supplier_name": "name",
    "new_supplier_organisation_number": "organisation_number",
}


@transaction.atomic
def quote_add(
    *,
    case: ProcurementCase,
    actor: Actor,
    supplier: Supplier | None = None,
    new_supplier_name: str = "",
    new_supplier_organisation_number: str = "",
    **fields: Any,
) -> Quote:
    """Register a quote or tender received from a supplier.

    The supplier is a registered one, or a new one given by name and organisation number,
    registered in the same transaction (refusals keyed by the `new_supplier_*` names).
    """
    _require(actor, "procurement.advance_technical", case)
    if case.stage in CLOSED_STAGES:
        raise ValidationError(_("A closed or cancelled case cannot be changed."))
    new_given = bool(new_supplier_name.strip() or new_supplier_organisation_number.strip())
    if supplier is not None and new_given:
        raise ValidationError(
            {"supplier": _("Choose a registered supplier or give a new one, not both.")}
        )
    if supplier is None and not new_given:
        raise ValidationError(
            {
                "supplier": _(
                    "Choose the supplier, or give a new one's name and organisation number."
                )
            }
        )
    if supplier is None:
        try:
            supplier = supplier_create(
                actor=actor,
                name=new_supplier_name,
                organisation_number=new_supplier_organisation_number,
                _checked=True,
            )
        except ValidationError as exc:
            keys = {model: form for form, model in NEW_SUPPLIER_FIELDS.items()}
            raise ValidationError(
                {keys.get(field, field): messages for field, messages in exc.message_dict.items()}
            ) from None
    quote = Quote(case=case, created_by=actor, supplier=supplier, **fields)
    quote.full_clean()
    quote.save()
    return quote


@transaction.atomic
def quote_choose(*, case: ProcurementCase, quote: Quote, actor: Actor) -> Quote:
    """Choose the winning quote; any earlier choice is undone."""
    _require(actor, "procurement.advance_technical", case)
    if quote.case_id != case.pk:
        raise ValidationError(_("The quote belongs to another case."))
    _lock(case)
    case.quotes.filter(chosen=True).update(chosen=False)
    quote.chosen = True
    quote.save(update_fields=["chosen"])
    return quote


@transaction.atomic
def comment_add(*, case: ProcurementCase, actor: Actor, text: str) -> Comment:
    _require(actor, "procurement.add_comment", case)
    comment = Comment(case=case, author=actor, text=text.strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def document_add(
    *, case: ProcurementCase, actor: Actor, kind: str, upload: UploadedFile
) -> CaseDocument:
    """Store an uploaded document privately after checking its size and real type."""
    _require(actor, "procurement.add_casedocument", case)
    content_type = check_upload(upload, max_bytes=settings.INVENTERA_MAX_UPLOAD_BYTES)
    name, size = upload.name, upload.size
    if name is None or size is None:  # a file Django received always has both
        raise ValueError("an upload without a name or a size")
    document = CaseDocument(
        case=case,
        kind=kind,
        token=secrets.token_hex(16),
        original_name=name[-255:],
        content_type=content_type,
        size=size,
        uploaded_by=actor,
    )
    document.file = upload
    document.full_clean()
    document.save()
    return document


@dataclass(frozen=True)
class DeliveryItem:
    line: CaseLine
    serial_numbers: Sequence[str]
    tags: Sequence[str] = ()  # typed tags; empty to have them assigned
    # What was delivered, by name (any case); empty when not known.
    manufacturer: str = ""
    model: str = ""
    warranty_end: date | None = None


def delivery_tag(case: ProcurementCase, index: int) -> str:
    return f"{case.library.code}-{case.year}-{case.number:04d}-{index:02d}"


# The delivery form's checkbox that lets a delivery register what is not found.
CREATE_MISSING_LABEL = gettext_lazy("Create missing manufacturers and models")


# A manufacturer or a model, saved by _create_named.
_Named = TypeVar("_Named", Manufacturer, ProductModel)


def _create_named(obj: _Named, field: str) -> _Named:
    """Save a manufacturer or model that "create missing" adds, checked like any other."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    obj.save()
    return obj


def _delivered_product(
    item: DeliveryItem, *, number: int, create_missing: bool
) -> tuple[Manufacturer | None, ProductModel | None]:
    """The manufacturer and model named for a line, looked up by name in any case.

    As the import does, one not registered yet is created only with `create_missing`,
    and a model is created only under a named manufacturer. A refusal is a
    ValidationError keyed `manufacturer` or `model`.
    """
    maker_name = " ".join(item.manufacturer.split())
    model_name = " ".join(item.model.split())
    manufacturer = model = None
    values = {"n": number, "create": CREATE_MISSING_LABEL}
    if maker_name:
        manufacturer = Manufacturer.objects.filter(name__iexact=maker_name).first()
        if manufacturer is None:
            if not create_missing:
                raise ValidationError(
                    {
                        "manufacturer": _(
                            "Line %(n)d: no manufacturer “%(name)s” is registered. Check the "
                            "spelling, or tick “%(create)s”."
                        )
                        % {**values, "name": maker_name}
                    }
                )
            manufacturer = _create_named(Manufacturer(name=maker_name), "manufacturer")
    if not model_name:
        return manufacturer, None
    if manufacturer is not None:
        model = ProductModel.objects.filter(
            manufacturer=manufacturer, name__iexact=model_name
        ).first()
        if model is None:
            if not create_missing:
                raise ValidationError(
                    {
                        "model": _(
                            "Line %(n)d: no model “%(name)s” by %(manufacturer)s is "
                            "registered. Check the spelling, or tick “%(create)s”."
                        )
                        % {**values, "name": model_name, "manufacturer": manufacturer}
                    }
                )
            model = _create_named(ProductModel(manufacturer=manufacturer, name=model_name), "model")
        return manufacturer, model
    candidates = list(
        ProductModel.objects.select_related("manufacturer").filter(name__iexact=model_name)[:2]
    )
    if len(candidates) == 1:
        return candidates[0].manufacturer, candidates[0]
    if candidates:
        message = _(
            "Line %(n)d: more than one manufacturer makes a model “%(name)s”; give the "
            "manufacturer."
        )
    else:
        message = _("Line %(n)d: no model “%(name)s” is registered. Give its manufacturer.")
    raise ValidationError({"model": message % {**values, "name": model_name}})


@transaction.atomic
def assets_register_delivery(
    *,
    case: ProcurementCase,
    actor: Actor,
    items: Sequence[DeliveryItem],
    location: Location,
    delivered_on: date | None = None,
    create_missing: bool = False,
) -> list[Asset]:
    """Register the delivered lines as assets in one step, all of them or none.

    Each asset gets the line's category, price (ordered, else estimated), the delivery
    date as purchase date, and the manufacturer, model and warranty end given for its
    line; it is linked to the case and line. Manufacturers and models are looked up by
    name; with `create_missing` the ones not registered yet are created. A refusal is a
    ValidationError whose keys are `line_<line id>` for the line as a whole,
    `manufacturer_<line id>`, `model_<line id>` and `warranty_end_<line id>` for what was
    given for it (and `location`, or none for the whole delivery), so a page can show
    each message beside its field.
    """
    _require(actor, "procurement.register_delivery", case)
    _require(actor, "inventory.add_asset")
    locked = _lock(case)
    if locked.stage != Stage.DELIVERED:
        raise ValidationError(_("Delivered items are registered when the case is delivered."))
    if location.library_id != locked.library_id:
        raise ValidationError({"location": _("The location must be in the case's library.")})
    delivered_on = delivered_on or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def refuse(item: DeliveryItem, message: str, field: str = "line") -> None:
        key = f"line_{item.line.pk}" if field == "line" else f"{field}_{item.line.pk}"
        if message not in errors.get(key, []):
            errors.setdefault(key, []).append(message)

    index = locked.delivered_assets.count()
    created = []
    for number, item in enumerate(items, start=1):
        serials = [s.strip() for s in item.serial_numbers if s.strip()]
        tags = [t.strip() for t in item.tags if t.strip()]
        already = item.line.delivered_assets.count()
        if item.line.case_id != locked.pk:
            refuse(item, _("Line %(n)d belongs to another case.") % {"n": number})
            continue
        if len(serials) + already > item.line.quantity:
            refuse(
                item,
                _("Line %(n)d (%(line)s): %(given)s, but %(left)s.")
                % {
                    "n": number,
                    "line": item.line.description,
                    "given": ngettext(
                        "%(count)d serial number", "%(count)d serial numbers", len(serials)
                    )
                    % {"count": len(serials)},
                    "left": ngettext(
                        "only %(count)d left to deliver",
                        "only %(count)d left to deliver",
                        item.line.quantity - already,
                    )
                    % {"count": item.line.quantity - already},
                },
            )
            continue
        if tags and len(tags) != len(serials):
            refuse(
                item,
                _("Line %(n)d (%(line)s): give one asset tag per serial number, or none.")
                % {"n": number, "line": item.line.description},
            )
            continue
        if len(set(serials)) != len(serials):
            refuse(
                item,
                _("Line %(n)d (%(line)s): a serial number is given twice.")
                % {"n": number, "line": item.line.description},
            )
            continue
        if not serials:
            continue  # nothing of this line in this delivery
        if item.warranty_end is not None and item.warranty_end < delivered_on:
            refuse(
                item,
                _("Line %(n)d: the warranty cannot end before the delivery date, %(date)s.")
                % {"n": number, "date": delivered_on.isoformat()},
                "warranty_end",
            )
            continue
        try:
            with transaction.atomic():
                manufacturer, model = _delivered_product(
                    item, number=number, create_missing=create_missing
                )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    refuse(item, message, field)
            continue
        for position, serial in enumerate(serials):
            index += 1
            tag = tags[position] if tags else delivery_tag(locked, index)
            try:
                # A savepoint per asset: one refused asset is reported, the rest checked,
                # and the outer transaction still writes nothing unless all pass.
                with transaction.atomic():
                    asset = inventory_services.asset_create(
                        actor=actor,
                        source=ChangeSource.DELIVERY,
                        source_detail=locked.reference,
                        tag=tag,
                        serial_number=serial,
                        category=item.line.category,
                        manufacturer=manufacturer,
                        model=model,
                        library=locked.library,
                        location=location,
                        status=AssetStatus.IN_STOCK,
                        purchase_date=delivered_on,
                        purchase_price=item.line.unit_price,
                        warranty_end=item.warranty_end,
                    )
                    created.append(DeliveredAsset(case=locked, line=item.line, asset=asset))
            except ValidationError as exc:
                for message in exc.messages:
                    refuse(
                        item,
                        _("Line %(n)d, serial number %(serial)s: %(message)s")
                        % {"n": number, "serial": serial, "message": message},
                    )
    if errors:
        raise ValidationError(errors)
    if not created:
        raise ValidationError(_("Paste at least one serial number."))
    DeliveredAsset.objects.bulk_create(created)
    return [link.asset for link in created]
