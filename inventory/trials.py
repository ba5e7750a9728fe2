"""Trials of equipment with patrons: a supplier's demo unit (ownership "on trial", with
a date to return it by) is tried with visitors before the library buys, and staff log
each session: what was tried, with which kind of group (never a person's name), how it
went from 1 to 5 and a comment.

The write is `trial_session_log`; the reads are the summary of one trial
(`trial_summary`), the units to return soon (`trials_returning`, for the reminder
e-mail) and the summaries of many (`trial_summaries`, for the strategist's report).
Procurement attaches a trial to a case as evidence of the need (procurement.evidence);
nothing here knows about cases. See docs/trials.md.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import history
from .choices import TRIAL_RATINGS, AssetStatus, ChangeAction, Ownership
from .models import Asset, TrialSession
from .roles import Actor, Reader
from .services import require_permission_on_asset

ADD_PERMISSION = "inventory.add_trialsession"
VIEW_PERMISSION = "inventory.view_trialsession"
# What the history of a trial session shows.
TRACKED_FIELDS = ("held_on", "tried", "group", "rating", "comment")
# How far back a session may be logged: a trial lasts weeks, so a date more than a year
# ago is a slip of the keyboard (2025 for 2026), not a late note.
MAX_DAYS_BACK = 365
# How many days ahead the reminder of a trial unit's return date looks.
RETURN_NOTICE_DAYS = 7
# A trial unit in these statuses has gone back (or out of use): no reminder, no new
# sessions.
ENDED_STATUSES = (AssetStatus.RETIRED, AssetStatus.DISPOSED)


# --- reads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialComment:
    """A session's comment, with when, with whom and how it went."""

    held_on: date
    group: str
    rating: int
    text: str


@dataclass(frozen=True)
class TrialSummary:
    """What a trial's log says so far."""

    on_trial: bool  # the asset is on trial now (ownership "on trial")
    return_by: date | None  # the date to return the unit by, while it is on trial
    sessions: int
    average_rating: Decimal | None  # one decimal, rounded half up; None without sessions
    first_session: date | None
    last_session: date | None
    rating_counts: tuple[tuple[int, int], ...]  # (rating, sessions) for 1..5
    comments: tuple[TrialComment, ...]  # the sessions with a comment, newest first

    @property
    def has_trial(self) -> bool:
        """Whether there is a trial to show: the asset is on trial or has sessions."""
        return self.on_trial or self.sessions > 0


def is_on_trial(asset: Asset) -> bool:
    """A supplier's unit still being tried: on trial and neither retired nor disposed."""
    return asset.ownership == Ownership.TRIAL and asset.status not in ENDED_STATUSES


def _average(ratings: list[int]) -> Decimal | None:
    if not ratings:
        return None
    exact = Decimal(sum(ratings)) / Decimal(len(ratings))
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _summarise(asset: Asset, sessions: Iterable[TrialSession]) -> TrialSummary:
    newest_first = sorted(sessions, key=lambda s: (s.held_on, s.pk or 0), reverse=True)
    ratings = [s.rating for s in newest_first]
    on_trial = asset.ownership == Ownership.TRIAL
    return TrialSummary(
        on_trial=on_trial,
        return_by=asset.trial_return_by if on_trial else None,
        sessions=len(newest_first),
        average_rating=_average(ratings),
        first_session=newest_first[-1].held_on if newest_first else None,
        last_session=newest_first[0].held_on if newest_first else None,
        rating_counts=tuple((value, ratings.count(value)) for value in TRIAL_RATINGS),
        comments=tuple(
            TrialComment(held_on=s.held_on, group=s.group, rating=s.rating, text=s.comment)
            for s in newest_first
            if s.comment.strip()
        ),
    )


def trial_summary(asset: Asset) -> TrialSummary:
    """The summary of the asset's trial log: one query, none if its sessions are
    prefetched (`asset.trial_sessions`)."""
    return _summarise(asset, asset.trial_sessions.all())


def trials_returning(
    assets: QuerySet[Asset], *, today: date, days: int = RETURN_NOTICE_DAYS
) -> QuerySet[Asset]:
    """The units on trial (not retired or disposed) to return by today + `days`
    (included), earliest first: those due from today on, and those already overdue
    (the date before today), which must go back all the more. Start from the reader's
    visible assets (`assets_visible_to`)."""
    return (
        assets.filter(
            ownership=Ownership.TRIAL,
            trial_return_by__isnull=False,
            trial_return_by__lte=today + timedelta(days=days),
        )
        .exclude(status__in=ENDED_STATUSES)
        .select_related("library", "category", "manufacturer", "model")
        .order_by("trial_return_by", "tag")
    )


def trial_assets(assets: QuerySet[Asset]) -> QuerySet[Asset]:
    """Those of `assets` with a trial to show: on trial now, or with logged sessions
    (a trial that has ended, the unit bought or returned)."""
    # One list of ids from two indexed lookups (the partial index of units on trial, the
    # sessions' asset index): an OR of the two would read every asset.
    on_trial = Asset.objects.filter(ownership=Ownership.TRIAL).values("pk").order_by()
    logged = TrialSession.objects.values("asset_id").order_by()
    return assets.filter(pk__in=on_trial.union(logged))


def trial_summaries(assets: QuerySet[Asset]) -> list[tuple[Asset, TrialSummary]]:
    """(asset, summary) for each of `assets` on trial or with sessions, in the
    queryset's order, in two queries whatever their number (the assets, their sessions).
    Start from the reader's visible assets (`assets_visible_to`)."""
    found = list(
        trial_assets(assets)
        .select_related("library", "category", "manufacturer", "model")
        .prefetch_related(Prefetch("trial_sessions", TrialSession.objects.order_by()))
    )
    return [(asset, trial_summary(asset)) for asset in found]


def asset_panel(reader: Reader, asset: Asset) -> dict[str, Any]:
    """The asset page's trial panel (templates/inventory/_asset_trials.html): the
    summary when the asset is on trial or has sessions and the reader may read trial
    logs, else None."""
    summary = None
    if reader.has_perm(VIEW_PERMISSION):
        found = trial_summary(asset)
        summary = found if found.has_trial else None
    return {"trial_summary": summary, "trial_may_log": may_log(reader, asset)}


def may_log(reader: Reader, asset: Asset) -> bool:
    """Whether the page offers the reader to log a session (the service decides)."""
    return reader.has_perm(ADD_PERMISSION) and is_on_trial(asset)


# --- the write ----------------------------------------------------------------------------


def _check_on_trial(asset: Asset) -> None:
    """Say why a session cannot be logged on an asset that is not being tried."""
    if asset.ownership != Ownership.TRIAL:
        raise ValidationError(
            _(
                "%(tag)s is not on trial (its ownership is “%(ownership)s”): only a unit on "
                "trial, a supplier's demo unit, gets a trial log. Change its ownership to "
                "“On trial” first if it is one."
            )
            % {"tag": asset.tag, "ownership": asset.get_ownership_display()},
            code="not_on_trial",
        )
    if asset.status in ENDED_STATUSES:
        raise ValidationError(
            _("%(tag)s is “%(status)s”: its trial has ended, so no session can be logged.")
            % {"tag": asset.tag, "status": asset.get_status_display()},
            code="trial_ended",
        )


def held_on_error(held_on: object, today: date) -> str:
    """Why a session's date is refused ("" when it is not): the form says it too."""
    if not isinstance(held_on, date):
        return _("Give the date of the session.")
    if held_on > today:
        return _("The date of the session cannot be in the future.")
    if held_on < today - timedelta(days=MAX_DAYS_BACK):
        return _(
            "The date of the session cannot be more than %(days)d days ago: check the year."
        ) % {"days": MAX_DAYS_BACK}
    return ""


def _field_errors(
    *, held_on: object, tried: str, group: str, rating: object, today: date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problem := held_on_error(held_on, today):
        errors["held_on"] = problem
    if not tried:
        errors["tried"] = _("Say what was tried (for example: reading e-books on the tablet).")
    if not group:
        errors["group"] = _(
            "Say with whom it was tried: a kind of group, such as “seniors' course”."
        )
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in TRIAL_RATINGS:
        errors["rating"] = _("Give how it went as a whole number from %(low)d to %(high)d.") % {
            "low": TRIAL_RATINGS[0],
            "high": TRIAL_RATINGS[-1],
        }
    return errors


@transaction.atomic
def trial_session_log(
    *,
    actor: Actor,
    asset: Asset,
    held_on: date,
    tried: str,
    group: str,
    rating: int,
    comment: str = "",
) -> TrialSession:
    """Log a session of the trial of `asset`, which must be on trial (and neither retired
    nor disposed), held today or within MAX_DAYS_BACK days before, rated 1 to 5. The
    creation is recorded in the session's history."""
    require_permission_on_asset(actor, ADD_PERMISSION, asset)
    # Locked, so that the ownership read here is the one the session is logged under.
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    _check_on_trial(locked)
    tried, group, comment = tried.strip(), group.strip(), comment.strip()
    errors = _field_errors(
        held_on=held_on, tried=tried, group=group, rating=rating, today=timezone.localdate()
    )
    if errors:
        raise ValidationError(errors)
    session = TrialSession(
        asset=locked,
        held_on=held_on,
        tried=tried,
        group=group,
        rating=rating,
        comment=comment,
        logged_by=actor,
    )
    session.full_clean()
    session.save()
    history.record(
        session,
        actor=actor,
        action=ChangeAction.CREATED,
        changes=history.diff({}, history.snapshot(session, TRACKED_FIELDS)),
    )
    return session
