"""A trial of equipment with patrons attached to a case as evidence of its need.

The case shows the trial's summary as the trial log says it today (sessions, average
rating, comments; `inventory.trials`). Whoever may see the case and the equipment, and
holds the permission, attaches or removes one; a library manager thus only their own
library's trials, to their own library's cases. As a comment or a document may be added
to a closed case, so may a trial. See docs/trials.md.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from inventory.choices import Ownership
from inventory.models import Asset, TrialSession
from inventory.roles import Actor, Reader
from inventory.selectors import assets_visible_to
from inventory.services import require_permission_on_asset
from inventory.trials import TrialComment, TrialSummary, trial_assets, trial_summary

from .models import ProcurementCase, TrialEvidence
from .services import _require as _require_case

ADD_PERMISSION = "procurement.add_trialevidence"
DELETE_PERMISSION = "procurement.delete_trialevidence"
VIEW_PERMISSION = "procurement.view_trialevidence"
# The comments the case page shows of each trial; the trial log has them all.
COMMENTS_ON_CASE_PAGE = 3


@transaction.atomic
def case_attach_trial(*, actor: Actor, case: ProcurementCase, asset: Asset) -> TrialEvidence:
    """Attach the trial of `asset` (on trial, or with logged sessions) to `case`, once."""
    _require_case(actor, ADD_PERMISSION, case)
    require_permission_on_asset(actor, ADD_PERMISSION, asset)
    # Locked, so that two users attaching the same trial at once attach it once.
    locked = ProcurementCase.objects.select_for_update().get(pk=case.pk)
    if (
        asset.ownership != Ownership.TRIAL
        and not TrialSession.objects.filter(asset_id=asset.pk).exists()
    ):
        raise ValidationError(
            {
                "asset": _(
                    "%(tag)s has no trial to attach: it is not on trial and no session with "
                    "patrons is logged for it."
                )
                % {"tag": asset.tag}
            }
        )
    if TrialEvidence.objects.filter(case=locked, asset_id=asset.pk).exists():
        raise ValidationError(
            {
                "asset": _("The trial of %(tag)s is already attached to %(case)s.")
                % {"tag": asset.tag, "case": locked.reference}
            }
        )
    evidence = TrialEvidence(case=locked, asset=asset, attached_by=actor)
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def case_detach_trial(*, actor: Actor, evidence: TrialEvidence) -> None:
    """Remove a trial from the case's evidence; the trial log itself stays."""
    _require_case(actor, DELETE_PERMISSION, evidence.case)
    require_permission_on_asset(actor, DELETE_PERMISSION, evidence.asset)
    TrialEvidence.objects.filter(pk=evidence.pk).delete()


# --- reads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialEvidenceRow:
    """A trial attached to a case, with its summary as its log says it now."""

    evidence: TrialEvidence
    asset: Asset
    summary: TrialSummary

    @property
    def latest_comments(self) -> tuple[TrialComment, ...]:
        return self.summary.comments[:COMMENTS_ON_CASE_PAGE]


def case_evidence_visible(case: ProcurementCase, user: Reader) -> QuerySet[TrialEvidence]:
    """The trials attached to the case whose equipment the user may see: another
    library's trial (attached by someone who sees every library) is not shown to a
    library manager, who may not learn that its equipment exists."""
    return TrialEvidence.objects.filter(case=case, asset__in=assets_visible_to(user))


def case_trials(case: ProcurementCase, user: Reader) -> tuple[TrialEvidenceRow, ...]:
    """The case page's trials for `user`, in two queries whatever their number."""
    if not user.has_perm(VIEW_PERMISSION):
        return ()
    rows = list(
        case_evidence_visible(case, user)
        .select_related(
            "attached_by",
            "asset__library",
            "asset__category",
            "asset__manufacturer",
            "asset__model",
        )
        .prefetch_related(Prefetch("asset__trial_sessions", TrialSession.objects.order_by()))
    )
    return tuple(
        TrialEvidenceRow(evidence=row, asset=row.asset, summary=trial_summary(row.asset))
        for row in rows
    )


def trials_attachable(case: ProcurementCase, user: Reader) -> QuerySet[Asset]:
    """The equipment whose trial `user` may attach to `case`: visible to them, on trial
    or with sessions, and not attached yet. None without the permission."""
    if not user.has_perm(ADD_PERMISSION):
        return Asset.objects.none()
    return (
        trial_assets(assets_visible_to(user))
        .exclude(pk__in=TrialEvidence.objects.filter(case=case).values("asset_id"))
        .select_related("library", "category", "manufacturer", "model")
        .order_by("library__code", "tag")
    )
