"""Every write to the register: one transaction per user action, history for each change.

Nothing outside this module assigns `Asset.status`; the allowed moves are the table in
`inventory.choices`. The acting user is always passed in, and a write to an asset (or
into a library) the user may not see is refused here too, not only by the pages.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import history
from .choices import (
    INITIAL_STATUSES,
    AssetStatus,
    ChangeAction,
    ChangeSource,
    allowed_moves,
)
from .fieldlists import ASSET_FIELDS, FORM
from .models import (
    Asset,
    Category,
    ChangeRecord,
    Feature,
    Library,
    Location,
    MaintenanceEntry,
)
from .roles import Actor, Reader
from .selectors import assets_visible_to, libraries_visible_to, sees_all_libraries

# The fields whose changes the history shows, and those asset_update may set (status
# and its details move only through status changes; features are set on their own).
TRACKED_FIELDS = ASSET_FIELDS.tracked
EDITABLE_FIELDS = frozenset(ASSET_FIELDS.names(FORM)) - ASSET_FIELDS.many_to_many(
    ASSET_FIELDS.names(FORM)
)


class ConcurrentEditError(Exception):
    """Someone else saved the object after the user loaded it; nothing was written."""

    def __init__(self, current: Asset):
        super().__init__(f"{current.tag} is at version {current.version}")
        self.current = current


class LibraryChangeNotConfirmed(Exception):
    """A move would take assets to another library and the user has not confirmed it for
    those assets; nothing was written. `changes` lists them, for the user to confirm."""

    def __init__(self, changes: list["LibraryChange"]):
        super().__init__(", ".join(change.tag for change in changes))
        self.changes = changes


@dataclass(frozen=True)
class LibraryChange:
    """An asset that a move takes from one library to another."""

    tag: str
    from_library: Library
    to_library: Library


def may_move_between_libraries(user: Reader) -> bool:
    """Whether `user` may change which library an asset belongs to.

    Moving equipment to another library changes who sees it and who pays for it, so only
    those who answer for every library (IT staff, administrators) do it; never a library
    manager, whichever libraries they manage and whatever else they may edit.
    """
    return sees_all_libraries(user)


def _require_visible(actor: Actor | None, assets: Iterable[Asset]) -> None:
    """Refuse a write to an asset the actor may not see: another library's, for a
    library manager. The pages answer such an asset with 404 before they call a service;
    this is the same rule where the write is made.

    No actor (None) is a command or the system acting for the whole municipality; a web
    request always has a user, anonymous at worst, who sees nothing.
    """
    if actor is None:
        return
    ids = {asset.pk for asset in assets}
    if ids and assets_visible_to(actor).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied("asset outside the user's libraries")


def _require_library(actor: Actor | None, library: Library | None) -> None:
    """Refuse a write into a library the actor may not see (None: see _require_visible)."""
    if actor is None or library is None:
        return
    if not libraries_visible_to(actor).filter(pk=library.pk).exists():
        raise PermissionDenied("library outside the user's libraries")


def require_permission_on_asset(actor: Actor, permission: str, asset: Asset) -> None:
    """The permission, and the asset among those the actor sees (a library manager's own
    libraries): the check of every service on the floor (faults, loans, trials), made
    where the write is, not only by the pages."""
    if not actor.has_perm(permission):
        raise PermissionDenied(permission)
    _require_visible(actor, [asset])


def require_permission_in_library(actor: Actor, permission: str, library: Library) -> None:
    """The permission, and the library among those the actor sees (stocktakes)."""
    if not actor.has_perm(permission):
        raise PermissionDenied(permission)
    _require_library(actor, library)


def set_derived(asset: Asset, replacement_due_given: bool) -> None:
    """Fill what follows from other fields: manufacturer from model, replacement date."""
    if not asset.manufacturer_id and asset.model is not None:
        asset.manufacturer = asset.model.manufacturer
    computed = asset.computed_replacement_due()
    if replacement_due_given:
        # A date equal to the computed one is not "set by hand": it should keep
        # following the purchase date and the category's lifecycle.
        asset.replacement_due_manual = (
            asset.replacement_due is not None and asset.replacement_due != computed
        )
    if not asset.replacement_due_manual:
        asset.replacement_due = computed


def _lock(asset: Asset, expected_version: int | None) -> Asset:
    locked = Asset.objects.select_for_update().select_related("category").get(pk=asset.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


def initial_statuses(source: str) -> tuple[str, ...]:
    """The statuses a new asset may be registered in.

    Registered by hand, an asset is new to the library: ordered, in stock or in use.
    A register file brings equipment that exists, in the status it has today, except on
    loan: a loan needs a borrower and a due date, given when the asset is lent.
    """
    if source == ChangeSource.IMPORT:
        return tuple(s for s in AssetStatus.values if s != AssetStatus.ON_LOAN)
    return INITIAL_STATUSES


def check_initial_status(status: str, *, source: str) -> None:
    """Refuse a status a new asset may not be registered in (see initial_statuses)."""
    if status in initial_statuses(source):
        return
    if source == ChangeSource.IMPORT:
        raise ValidationError(
            {
                "status": _(
                    "A loan needs a borrower and a due date: import the asset as in "
                    "stock or in use, and lend it on its page."
                )
            }
        )
    raise ValidationError({"status": _("A new asset can only be ordered, in stock or in use.")})


# Loans and disposals need details per asset (borrower and due date; how it was disposed
# of and the data-wipe certificate), so they are made one by one, never in bulk or by file.
ONE_BY_ONE_MOVES = frozenset({AssetStatus.ON_LOAN, AssetStatus.DISPOSED})


def check_bulk_move(to_status: str, *, field: str = "to_status") -> None:
    """Refuse a move that is made one asset at a time (ONE_BY_ONE_MOVES)."""
    if to_status in ONE_BY_ONE_MOVES:
        raise ValidationError({field: _("Loans and disposals are registered one by one.")})


@transaction.atomic
def asset_create(
    *,
    actor: Actor | None,
    features: Iterable[Feature] = (),
    source: str = ChangeSource.WEB,
    source_detail: str = "",
    **fields: Any,
) -> Asset:
    """Register one asset and record its creation."""
    _require_library(actor, fields.get("library"))
    check_initial_status(fields.setdefault("status", AssetStatus.IN_STOCK), source=source)
    asset = Asset(**fields, created_by=actor, updated_by=actor)
    set_derived(asset, replacement_due_given="replacement_due" in fields)
    asset.full_clean()
    asset.save()
    asset.features.set(features)
    history.record(
        asset,
        actor=actor,
        action=ChangeAction.CREATED,
        changes=history.diff({}, non_empty(history.snapshot(asset, TRACKED_FIELDS))),
        source=source,
        source_detail=source_detail,
    )
    return asset


def non_empty(values: dict[str, Any]) -> dict[str, Any]:
    """The values that say something: a created asset's history leaves out empty fields."""
    return {k: v for k, v in values.items() if v not in (None, "", [], False)}


@transaction.atomic
def asset_update(
    *,
    asset: Asset,
    actor: Actor | None,
    expected_version: int,
    data: dict[str, Any],
    features: Iterable[Feature] | None = None,
    source: str = ChangeSource.WEB,
    source_detail: str = "",
) -> Asset:
    """Change an asset's editable fields, refusing a save based on an old version.

    A change of library is refused unless the actor may move assets between libraries.
    """
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    _require_visible(actor, [asset])
    locked = _lock(asset, expected_version)
    new_library = data.get("library")
    if (
        new_library is not None
        and new_library.pk != locked.library_id
        # no actor: a command acting for the whole municipality, as in _require_visible
        and actor is not None
        and not may_move_between_libraries(actor)
    ):
        raise ValidationError(
            {"library": _("Only IT staff and administrators can move an asset to another library.")}
        )
    before = history.snapshot(locked, TRACKED_FIELDS)
    for name, value in data.items():
        setattr(locked, name, value)
    set_derived(locked, replacement_due_given="replacement_due" in data)
    locked.full_clean()
    if features is not None:
        locked.features.set(features)
    changes = history.diff(before, history.snapshot(locked, TRACKED_FIELDS))
    if changes:
        locked.version += 1
        locked.updated_by = actor
        locked.save()
        history.record(
            locked,
            actor=actor,
            action=ChangeAction.CHANGED,
            changes=changes,
            source=source,
            source_detail=source_detail,
        )
    return locked


def apply_status_move(
    asset: Asset,
    *,
    to_status: str,
    actor: Actor | None,
    on: date,
    borrower: str = "",
    loan_due: date | None = None,
    disposal_method: str = "",
    wipe_certificate: str = "",
) -> dict[str, list[Any]]:
    """Apply one status move to a locked asset in memory; return its field changes.

    The one place that assigns `Asset.status`: asset_change_status, the bulk move and
    the import call it, and the caller saves the asset and records the history.
    """
    current = asset.status
    if to_status not in allowed_moves(current, asset.status_before_loan):
        raise ValidationError(
            {
                "to_status": _("%(tag)s cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "tag": asset.tag,
                    "from": asset.get_status_display(),
                    "to": AssetStatus(to_status).label,
                }
            }
        )
    before = history.snapshot(asset, TRACKED_FIELDS)
    errors = {}
    if to_status == AssetStatus.ON_LOAN:
        if not borrower.strip():
            errors["borrower"] = _("Say who borrows the asset.")
        if loan_due is None:
            errors["loan_due"] = _("Say when the loan ends.")
        elif loan_due < on:
            errors["loan_due"] = _("The loan cannot end before it starts.")
        asset.status_before_loan = current
        asset.loan_borrower = borrower.strip()
        asset.loan_due = loan_due
    if current == AssetStatus.ON_LOAN:
        asset.status_before_loan = ""
        asset.loan_borrower = ""
        asset.loan_due = None
    if to_status == AssetStatus.DISPOSED:
        if not disposal_method:
            errors["disposal_method"] = _("Say how the asset was disposed of.")
        if asset.category.stores_data and not wipe_certificate.strip():
            errors["wipe_certificate"] = _(
                "A device that stores data needs a data-wipe certificate reference."
            )
        asset.disposed_on = on
        asset.disposal_method = disposal_method
        asset.wipe_certificate = wipe_certificate.strip()
    if errors:
        raise ValidationError(errors)
    asset.status = to_status
    asset.status_changed_at = timezone.now()
    asset.version += 1
    asset.updated_by = actor
    return history.diff(before, history.snapshot(asset, TRACKED_FIELDS))


@transaction.atomic
def asset_change_status(
    *,
    asset: Asset,
    to_status: str,
    actor: Actor | None,
    expected_version: int | None = None,
    on: date | None = None,
    comment: str = "",
    source: str = ChangeSource.WEB,
    source_detail: str = "",
    **details: Any,
) -> Asset:
    """Move an asset to another status if the table allows it, with the move's details.

    `details`: borrower and loan_due for a loan; disposal_method and wipe_certificate
    for disposal. `on` is the day of the move (today by default).
    """
    _require_visible(actor, [asset])
    locked = _lock(asset, expected_version)
    changes = apply_status_move(
        locked, to_status=to_status, actor=actor, on=on or timezone.localdate(), **details
    )
    locked.save()
    history.record(
        locked,
        actor=actor,
        action=ChangeAction.CHANGED,
        changes=changes,
        source=source,
        source_detail=source_detail,
        comment=comment,
    )
    return locked


@transaction.atomic
def assets_bulk_change_status(
    *, assets: QuerySet[Asset], to_status: str, actor: Actor | None, comment: str = ""
) -> int:
    """Move every asset of a selection, or none: one refused move refuses the whole.

    Loans and disposals need details per asset, so they are not offered in bulk.
    """
    check_bulk_move(to_status)
    locked = list(assets.select_for_update().select_related("category").order_by("tag"))
    _require_visible(actor, locked)
    now = timezone.now()
    refused: list[str] = []
    records: list[ChangeRecord] = []
    for asset in locked:
        try:
            changes = apply_status_move(
                asset, to_status=to_status, actor=actor, on=timezone.localdate(now)
            )
        except ValidationError as exc:
            refused.extend(m for messages in exc.message_dict.values() for m in messages)
            continue
        asset.updated_at = now
        records.append(
            history.build(
                asset,
                actor=actor,
                action=ChangeAction.CHANGED,
                changes=changes,
                source=ChangeSource.BULK,
                comment=comment,
            )
        )
    if refused:
        raise ValidationError(refused)
    Asset.objects.bulk_update(
        locked,
        [
            "status",
            "status_changed_at",
            "version",
            "updated_by",
            "updated_at",
            "status_before_loan",
            "loan_borrower",
            "loan_due",
        ],
    )
    ChangeRecord.objects.bulk_create(records)
    return len(locked)


@transaction.atomic
def assets_bulk_move(
    *,
    assets: QuerySet[Asset],
    location: Location,
    actor: Actor,
    comment: str = "",
    confirmed_library_changes: Collection[str] = (),
) -> int:
    """Move a selection to a location, all in one transaction.

    An asset whose library is not the location's changes library too. That is refused
    unless the actor may move assets between libraries, and it is not done unless the
    user has confirmed it for that asset: `confirmed_library_changes` holds the tags
    they confirmed. Otherwise LibraryChangeNotConfirmed lists the assets to confirm and
    nothing is written. The history of each asset records both the library and the
    location change.
    """
    locked = list(assets.select_for_update().order_by("tag"))
    _require_visible(actor, locked)
    _require_library(actor, location.library)
    # The rows related to the snapshots, read once rather than once per asset.
    libraries = Library.objects.in_bulk({a.library_id for a in locked} | {location.library_id})
    locations = Location.objects.in_bulk({a.location_id for a in locked if a.location_id})
    to_library = libraries[location.library_id]
    for asset in locked:
        asset.library = libraries[asset.library_id]
        asset.location = locations.get(asset.location_id)
    changes_library = [
        LibraryChange(tag=asset.tag, from_library=asset.library, to_library=to_library)
        for asset in locked
        if asset.library_id != to_library.pk
    ]
    if changes_library and not may_move_between_libraries(actor):
        raise ValidationError(
            {
                "location": _(
                    "%(location)s is in %(library)s. Only IT staff and administrators can "
                    "move assets to another library: choose a location in the assets' own "
                    "library."
                )
                % {"location": location, "library": to_library}
            }
        )
    confirmed = set(confirmed_library_changes)
    if any(change.tag not in confirmed for change in changes_library):
        raise LibraryChangeNotConfirmed(changes_library)
    now = timezone.now()
    records, moved = [], []
    for asset in locked:
        before = history.snapshot(asset, ("library", "location"))
        asset.location = location
        asset.library = to_library
        changes = history.diff(before, history.snapshot(asset, ("library", "location")))
        if not changes:
            continue
        asset.version += 1
        asset.updated_by = actor
        asset.updated_at = now
        moved.append(asset)
        records.append(
            history.build(
                asset,
                actor=actor,
                action=ChangeAction.CHANGED,
                changes=changes,
                source=ChangeSource.BULK,
                comment=comment,
            )
        )
    Asset.objects.bulk_update(moved, ["location", "library", "version", "updated_by", "updated_at"])
    ChangeRecord.objects.bulk_create(records)
    return len(moved)


@transaction.atomic
def maintenance_add(*, asset: Asset, actor: Actor | None, **fields: Any) -> MaintenanceEntry:
    """Log maintenance done on an asset."""
    _require_visible(actor, [asset])
    entry = MaintenanceEntry(asset=asset, created_by=actor, **fields)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def category_set_lifecycle(*, category: Category, months: int, actor: Actor | None) -> int:
    """Change a category's lifecycle and move the computed replacement dates with it.

    Dates set by hand stay. Returns how many assets got a new date. Every library's
    assets move with it, so only those who see every library may change it.
    """
    if actor is not None and not sees_all_libraries(actor):
        raise PermissionDenied("a category's lifecycle is every library's")
    category.lifecycle_months = months
    category.full_clean()
    category.save()
    changed, records = [], []
    assets = Asset.objects.select_for_update().filter(
        category=category, replacement_due_manual=False, purchase_date__isnull=False
    )
    for asset in assets.select_related("category"):
        new_due = asset.computed_replacement_due()
        if new_due == asset.replacement_due:
            continue
        changes = {
            "replacement_due": [
                asset.replacement_due.isoformat() if asset.replacement_due else None,
                new_due.isoformat() if new_due else None,
            ]
        }
        asset.replacement_due = new_due
        asset.version += 1
        changed.append(asset)
        records.append(
            history.build(
                asset,
                actor=actor,
                action=ChangeAction.CHANGED,
                changes=changes,
                source=ChangeSource.ADMIN,
                source_detail=str(category),
            )
        )
    Asset.objects.bulk_update(changed, ["replacement_due", "version"], batch_size=500)
    ChangeRecord.objects.bulk_create(records, batch_size=500)
    return len(changed)
