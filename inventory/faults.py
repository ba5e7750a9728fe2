"""Fault reports: reported from the asset's page (often a phone, from its QR label),
acknowledged by IT, sent to repair and closed with what was done.

Every write is here, and nothing else assigns `FaultReport.status`; the allowed moves
are `FAULT_TRANSITIONS` in `inventory.choices`. Sending a fault to repair moves the asset
to "in repair" through `services.asset_change_status`, and closing one logs the work
with `services.maintenance_add`, so the asset's own rules and history apply.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import history
from .choices import (
    FAULT_TRANSITIONS,
    AssetStatus,
    ChangeAction,
    FaultStatus,
    MaintenanceKind,
)
from .models import Asset, FaultReport
from .photos import photo_clean
from .roles import Actor, Reader
from .selectors import of_visible_assets
from .services import asset_change_status, maintenance_add, require_permission_on_asset

ADD_PERMISSION = "inventory.add_faultreport"
CHANGE_PERMISSION = "inventory.change_faultreport"
# What the history of a fault report shows.
TRACKED_FIELDS = (
    "status",
    "urgency",
    "description",
    "acknowledged_by",
    "closed_by",
    "resolution",
    "maintenance_entry",
)


def faults_visible_to(user: Reader) -> QuerySet[FaultReport]:
    """The fault reports of the assets the user may see: the asset decides."""
    return of_visible_assets(user, FaultReport.objects.all())


def _lock(fault: FaultReport) -> FaultReport:
    return FaultReport.objects.select_for_update().select_related("asset").get(pk=fault.pk)


def _move(fault: FaultReport, to_status: str) -> None:
    """The one place that assigns a fault report's status."""
    if to_status not in FAULT_TRANSITIONS[fault.status]:
        raise ValidationError(
            _("A fault report that is “%(from)s” cannot become “%(to)s”.")
            % {"from": fault.get_status_display(), "to": FaultStatus(to_status).label}
        )
    fault.status = to_status


def _save(
    fault: FaultReport, *, actor: Actor, before: dict[str, Any], comment: str = ""
) -> FaultReport:
    fault.full_clean()
    fault.save()
    history.record(
        fault,
        actor=actor,
        action=ChangeAction.CHANGED,
        changes=history.diff(before, history.snapshot(fault, TRACKED_FIELDS)),
        comment=comment,
    )
    return fault


@transaction.atomic
def fault_report(
    *,
    asset: Asset,
    actor: Actor,
    description: str,
    urgency: str,
    photo: UploadedFile | None = None,
) -> FaultReport:
    """Report a fault on an asset the actor may see, with an optional photo (checked by
    content and stored without its metadata, see inventory.photos)."""
    require_permission_on_asset(actor, ADD_PERMISSION, asset)
    fault = FaultReport(
        asset=asset, reported_by=actor, description=description.strip(), urgency=urgency
    )
    if photo is not None:
        clean = photo_clean(photo)
        fault.photo = clean.content
        fault.photo_content_type = clean.content_type
    fault.full_clean()
    fault.save()
    history.record(
        fault,
        actor=actor,
        action=ChangeAction.CREATED,
        changes=history.diff({}, history.snapshot(fault, TRACKED_FIELDS)),
    )
    return fault


@transaction.atomic
def fault_acknowledge(*, fault: FaultReport, actor: Actor) -> FaultReport:
    """IT has seen the report and takes it on."""
    require_permission_on_asset(actor, CHANGE_PERMISSION, fault.asset)
    locked = _lock(fault)
    before = history.snapshot(locked, TRACKED_FIELDS)
    _move(locked, FaultStatus.ACKNOWLEDGED)
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    return _save(locked, actor=actor, before=before)


@transaction.atomic
def fault_send_to_repair(*, fault: FaultReport, actor: Actor, comment: str = "") -> FaultReport:
    """Send the faulty asset to repair: the report is "in repair", and so is the asset
    (moved by asset_change_status, which says whether its status allows it). An asset
    already in repair, for another report, stays as it is."""
    require_permission_on_asset(actor, CHANGE_PERMISSION, fault.asset)
    locked = _lock(fault)
    before = history.snapshot(locked, TRACKED_FIELDS)
    _move(locked, FaultStatus.IN_REPAIR)
    if locked.acknowledged_at is None:
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
    if locked.asset.status != AssetStatus.IN_REPAIR:
        asset_change_status(
            asset=locked.asset,
            to_status=AssetStatus.IN_REPAIR,
            actor=actor,
            comment=comment
            or _("Fault report of %(date)s: %(description)s")
            % {
                "date": timezone.localdate(locked.reported_at).isoformat(),
                "description": locked.description[:200],
            },
        )
    return _save(locked, actor=actor, before=before, comment=comment)


@transaction.atomic
def fault_close(
    *,
    fault: FaultReport,
    actor: Actor,
    resolution: str,
    kind: str = MaintenanceKind.REPAIR,
    on: date | None = None,
    cost: Decimal | None = None,
    performed_by: str = "",
    back_in_use: bool = False,
) -> FaultReport:
    """Close the report with what was done, which is logged on the asset as maintenance
    and linked from the report. With `back_in_use`, an asset in repair goes back in use
    (through `asset_change_status`), in the same transaction."""
    require_permission_on_asset(actor, CHANGE_PERMISSION, fault.asset)
    locked = _lock(fault)
    before = history.snapshot(locked, TRACKED_FIELDS)
    _move(locked, FaultStatus.CLOSED)
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say what was done.")})
    entry = maintenance_add(
        asset=locked.asset,
        actor=actor,
        date=on or timezone.localdate(),
        kind=kind,
        description=resolution.strip(),
        cost=cost,
        performed_by=performed_by.strip(),
    )
    if locked.acknowledged_at is None:
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
    locked.resolution = resolution.strip()
    locked.closed_by = actor
    locked.closed_at = timezone.now()
    locked.maintenance_entry = entry
    if back_in_use and locked.asset.status == AssetStatus.IN_REPAIR:
        asset_change_status(
            asset=locked.asset,
            to_status=AssetStatus.IN_USE,
            actor=actor,
            comment=_("Repaired: %(resolution)s") % {"resolution": locked.resolution[:200]},
        )
    return _save(locked, actor=actor, before=before)
