"""Loans of lendable equipment (a VR kit, say) to another library, an event or a course.

A loan is booked for a borrower (a place or a group, never a patron) from one day to
another, lent out, and taken back with the return checklist of the asset's category.
Every write is here, and nothing else assigns `Loan.state`. The asset's status moves
through `services.asset_change_status` only: to "on loan" when the loan is lent out, and
back to where it was (`Asset.status_before_loan`) when it comes back.

A loan that holds the asset (booked or out, HOLDING_LOAN_STATES) keeps its days, from
`starts_on` to `due_on` inclusive, for itself: two of them never overlap. The check is
made under the asset's row lock, so two bookings made at the same moment cannot both
pass it. docs/loans.md says what the pages offer and why.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import history
from .choices import (
    ACTIVE_STATUSES,
    HOLDING_LOAN_STATES,
    AssetStatus,
    ChangeAction,
    FaultUrgency,
    LoanState,
    allowed_moves,
)
from .faults import fault_report
from .formatting import format_date
from .models import Asset, Category, Loan
from .roles import Actor, Reader
from .selectors import assets_visible_to, of_visible_assets
from .services import asset_change_status, require_permission_on_asset

VIEW_PERMISSION = "inventory.view_loan"
ADD_PERMISSION = "inventory.add_loan"
CHANGE_PERMISSION = "inventory.change_loan"

# What the history of a loan shows (the checklist is shown on the loan itself).
TRACKED_FIELDS = (
    "state",
    "borrower",
    "starts_on",
    "due_on",
    "note",
    "lent_by",
    "returned_by",
    "return_note",
    "fault_report",
)

# An asset in these statuses may be booked: a booking is for days ahead, by which time
# an asset in repair or lent out may be back. Not one that is ordered, retired or gone.
BOOKABLE_STATUSES = (
    AssetStatus.IN_STOCK,
    AssetStatus.IN_USE,
    AssetStatus.IN_REPAIR,
    AssetStatus.ON_LOAN,
)
# An asset is handed out only from these: not while it is in repair or lent to someone.
LENDABLE_NOW_STATUSES = (AssetStatus.IN_STOCK, AssetStatus.IN_USE)
# How many returned and cancelled loans an asset's page lists.
PAST_LOANS = 20
# How many weeks the calendars show, from the Monday of this week.
CALENDAR_WEEKS = 4


# --- reads ------------------------------------------------------------------------------


def loans_visible_to(user: Reader) -> QuerySet[Loan]:
    """The loans of the assets the user may see (the asset decides), for a user who may
    read loans at all."""
    if not user.is_active or not user.has_perm(VIEW_PERMISSION):
        return Loan.objects.none()
    return of_visible_assets(user, Loan.objects.all())


def overdue_loans(loans: QuerySet[Loan], *, today: date) -> QuerySet[Loan]:
    """The loans among `loans` that are out and were due back before `today`.

    For the dashboard: `overdue_loans(loans_visible_to(user), today=...)`; for the
    reminders, `overdue_loans(Loan.objects.all(), today=...)`.
    """
    return loans.filter(state=LoanState.OUT, due_on__lt=today)


def holding_loans(loans: QuerySet[Loan], *, today: date) -> QuerySet[Loan]:
    """The loans among `loans` that hold their asset from today on: out (overdue ones
    too), or booked for days that have not all passed."""
    return loans.filter(
        Q(state=LoanState.OUT) | Q(state=LoanState.BOOKED, due_on__gte=today)
    ).order_by("starts_on", "pk")


def checklist_items(category: Category | None) -> list[str]:
    """The return checklist of a category: one item per line, blank lines and repeats
    left out. Empty when the category has none (a return then needs no ticks)."""
    if category is None:
        return []
    items: list[str] = []
    for line in category.loan_checklist.splitlines():
        item = line.strip()
        if item and item not in items:
            items.append(item)
    return items


def loan_is_overdue(loan: Loan, *, today: date) -> bool:
    return loan.state == LoanState.OUT and loan.due_on < today


@dataclass(frozen=True)
class CalendarDay:
    """One day of a loan calendar: free, or which loan holds it and how."""

    day: date
    state: str  # "free", "booked", "out" or "overdue"
    loan: Loan | None
    is_today: bool


def loan_calendar(
    loans: Iterable[Loan], *, today: date, weeks: int = CALENDAR_WEEKS
) -> list[list[CalendarDay]]:
    """Weeks of days from the Monday of today's week, each day marked with the loan that
    holds it. A loan out past its due day marks the days from then up to today overdue:
    the asset is still away."""
    start = today - timedelta(days=today.weekday())
    days = [start + timedelta(days=n) for n in range(weeks * 7)]
    marks: dict[date, tuple[str, Loan]] = {}
    for loan in loans:
        if loan.state not in HOLDING_LOAN_STATES:
            continue
        state = "out" if loan.state == LoanState.OUT else "booked"
        late = loan_is_overdue(loan, today=today)
        for day in days:
            if loan.starts_on <= day <= loan.due_on:
                marks.setdefault(day, (state, loan))
            elif late and loan.due_on < day <= today:
                marks[day] = ("overdue", loan)
    marked = [
        CalendarDay(
            day=day,
            state=marks[day][0] if day in marks else "free",
            loan=marks[day][1] if day in marks else None,
            is_today=day == today,
        )
        for day in days
    ]
    return [marked[n : n + 7] for n in range(0, len(marked), 7)]


@dataclass(frozen=True)
class AssetLoans:
    """An asset's loans as its pages show them."""

    today: date
    # Lent out now; one at most while loans are the way the asset is lent.
    current: list[Loan]
    # Booked and not lent out yet, by start day.
    upcoming: list[Loan]
    # Booked, never lent out, and their last day has passed: left to be cancelled.
    lapsed: list[Loan]
    # Returned and cancelled, the latest first (at most PAST_LOANS).
    past: list[Loan]
    calendar: list[list[CalendarDay]]

    @property
    def next(self) -> Loan | None:
        """The next booking."""
        return self.upcoming[0] if self.upcoming else None

    @property
    def overdue(self) -> list[Loan]:
        return [loan for loan in self.current if loan_is_overdue(loan, today=self.today)]

    @property
    def has_loans(self) -> bool:
        return bool(self.current or self.upcoming or self.lapsed or self.past)


def asset_loans(asset: Asset, *, today: date) -> AssetLoans:
    """The asset's loans: current, upcoming, lapsed bookings and the recent past, and
    the calendar of the weeks ahead. The caller has checked that the reader sees the
    asset and its loans."""
    loans = list(
        Loan.objects.filter(asset=asset)
        .select_related("booked_by", "lent_by", "returned_by", "fault_report")
        .order_by("starts_on", "pk")
    )
    booked = [loan for loan in loans if loan.state == LoanState.BOOKED]
    past = [loan for loan in loans if loan.state not in HOLDING_LOAN_STATES]
    past.sort(key=lambda loan: (loan.returned_at or loan.booked_at, loan.pk), reverse=True)
    return AssetLoans(
        today=today,
        current=[loan for loan in loans if loan.state == LoanState.OUT],
        upcoming=[loan for loan in booked if loan.due_on >= today],
        lapsed=[loan for loan in booked if loan.due_on < today],
        past=past[:PAST_LOANS],
        calendar=loan_calendar(loans, today=today),
    )


def asset_loan_panel(user: Reader, asset: Asset) -> AssetLoans | None:
    """The loans panel of the asset's page: None for a reader who may not see loans.
    The page has checked that the reader sees the asset."""
    if not user.has_perm(VIEW_PERMISSION):
        return None
    return asset_loans(asset, today=timezone.localdate())


@dataclass(frozen=True)
class AssetSchedule:
    """One asset on the list of loans: the loans that hold it, on a calendar."""

    asset: Asset
    loans: list[Loan]
    calendar: list[list[CalendarDay]]
    today: date

    @property
    def overdue(self) -> list[Loan]:
        return [loan for loan in self.loans if loan_is_overdue(loan, today=self.today)]


def loan_overview(user: Reader, *, today: date) -> list[AssetSchedule]:
    """Every lendable asset the user sees that is still the library's (and any other
    asset with a loan that holds it), by library and tag, with its current and
    upcoming loans and their calendar."""
    if not user.has_perm(VIEW_PERMISSION):
        return []
    holding = holding_loans(Loan.objects.all(), today=today).select_related("lent_by")
    assets = (
        assets_visible_to(user)
        .filter(Q(lendable=True, status__in=ACTIVE_STATUSES) | Q(pk__in=holding.values("asset_id")))
        .select_related("library", "location", "category", "manufacturer", "model")
        .prefetch_related(Prefetch("loans", queryset=holding, to_attr="holding"))
        .order_by("library__name", "tag")
    )
    return [
        AssetSchedule(
            asset=asset,
            loans=asset.holding,  # the prefetch's to_attr
            calendar=loan_calendar(asset.holding, today=today),
            today=today,
        )
        for asset in assets
    ]


def open_loan(asset: Asset) -> Loan | None:
    """The loan the asset is lent out on now, if it went out through a loan."""
    return Loan.objects.filter(asset=asset, state=LoanState.OUT).order_by("starts_on").first()


def status_page_moves(asset: Asset) -> tuple[str, ...]:
    """The moves the asset's status page offers (see docs/loans.md).

    A lendable asset is lent out from its loans page, not by the status page; an asset
    lent out on a loan comes back by that loan's return, with its checklist. An asset on
    loan without a loan (from an old register) comes back by the status page, and an
    asset that is not lendable is lent there as before, with a borrower and a due date.
    """
    if asset.status == AssetStatus.ON_LOAN and open_loan(asset) is not None:
        return ()
    moves = allowed_moves(asset.status, asset.status_before_loan)
    if asset.lendable:
        moves = tuple(move for move in moves if move != AssetStatus.ON_LOAN)
    return moves


# --- writes -----------------------------------------------------------------------------


def _lock(loan: Loan) -> tuple[Asset, Loan]:
    """The loan's asset, then the loan, locked in that order (as every loan service
    locks them, so that two of them never wait on each other)."""
    asset = Asset.objects.select_for_update().select_related("category").get(pk=loan.asset_id)
    locked = Loan.objects.select_for_update().get(pk=loan.pk)
    locked.asset = asset
    return asset, locked


def _check_free(asset: Asset, starts_on: date, due_on: date, *, exclude: int | None = None) -> None:
    """Refuse days that a loan holding the asset already has. Call it with the asset's
    row locked: the lock keeps a second booking out until this one is saved."""
    holding = Loan.objects.filter(
        asset=asset, state__in=HOLDING_LOAN_STATES, starts_on__lte=due_on, due_on__gte=starts_on
    )
    if exclude is not None:
        holding = holding.exclude(pk=exclude)
    clash = holding.order_by("starts_on").first()
    if clash is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "%(tag)s is already booked for those days: %(borrower)s has it from "
                    "%(starts)s to %(due)s."
                )
                % {
                    "tag": asset.tag,
                    "borrower": clash.borrower,
                    "starts": format_date(clash.starts_on),
                    "due": format_date(clash.due_on),
                }
            }
        )


def _stamp(day: date, today: date) -> datetime:
    """When something done on `day` happened: now for today; noon of an earlier day
    registered afterwards."""
    if day == today:
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))


def _save(loan: Loan, *, actor: Actor, before: dict[str, object], comment: str = "") -> Loan:
    loan.full_clean()
    loan.save()
    history.record(
        loan,
        actor=actor,
        action=ChangeAction.CHANGED,
        changes=history.diff(before, history.snapshot(loan, TRACKED_FIELDS)),
        comment=comment,
    )
    return loan


def _state_label(loan: Loan) -> str:
    return str(LoanState(loan.state).label)


@transaction.atomic
def loan_book(
    *,
    actor: Actor,
    asset: Asset,
    borrower: str,
    starts_on: date,
    due_on: date,
    note: str = "",
) -> Loan:
    """Book a lendable asset for `borrower` from `starts_on` to `due_on` inclusive.

    Refused for an asset that is not lendable or is ordered, retired or disposed of; for
    a start in the past or an end before the start; and for days another booking or loan
    holds (the message names it).
    """
    require_permission_on_asset(actor, ADD_PERMISSION, asset)
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if not locked.lendable:
        raise ValidationError(
            _("%(tag)s is not lendable: mark it lendable on its edit page first.")
            % {"tag": locked.tag}
        )
    if locked.status not in BOOKABLE_STATUSES:
        raise ValidationError(
            _("%(tag)s is “%(status)s” and cannot be booked.")
            % {"tag": locked.tag, "status": locked.get_status_display()}
        )
    errors: dict[str, str] = {}
    if not borrower.strip():
        errors["borrower"] = _("Say who borrows the asset.")
    if starts_on < timezone.localdate():
        errors["starts_on"] = _("A loan cannot start in the past.")
    if due_on < starts_on:
        errors["due_on"] = _("The loan cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    _check_free(locked, starts_on, due_on)
    loan = Loan(
        asset=locked,
        borrower=borrower.strip(),
        starts_on=starts_on,
        due_on=due_on,
        note=note.strip(),
        state=LoanState.BOOKED,
        booked_by=actor,
    )
    loan.full_clean()
    loan.save()
    history.record(
        loan,
        actor=actor,
        action=ChangeAction.CREATED,
        changes=history.diff({}, history.snapshot(loan, TRACKED_FIELDS)),
    )
    return loan


@transaction.atomic
def loan_lend(*, actor: Actor, loan: Loan, on: date | None = None) -> Loan:
    """Hand a booked asset out: the loan is out and the asset "on loan".

    `on` is the day it is handed out (today by default; an earlier day when it is
    registered afterwards). Handing it out before the booked start is allowed: the loan
    then starts that day, if no other loan holds the days in between. The asset must be
    in stock or in use, not in repair or lent to someone else.
    """
    require_permission_on_asset(actor, CHANGE_PERMISSION, loan.asset)
    asset, locked = _lock(loan)
    today = timezone.localdate()
    day = on or today
    if locked.state != LoanState.BOOKED:
        raise ValidationError(
            _("Only a booked loan can be lent out; this one is “%(state)s”.")
            % {"state": _state_label(locked)}
        )
    if day > today:
        raise ValidationError({"on": _("A loan cannot be lent out on a day still to come.")})
    if day > locked.due_on:
        raise ValidationError(
            _("This booking ended on %(due)s. Cancel it and book new days.")
            % {"due": format_date(locked.due_on)}
        )
    if asset.status not in LENDABLE_NOW_STATUSES:
        raise ValidationError(
            _("%(tag)s is “%(status)s” now: it can be lent out only when it is in stock or in use.")
            % {"tag": asset.tag, "status": asset.get_status_display()}
        )
    before = history.snapshot(locked, TRACKED_FIELDS)
    if day < locked.starts_on:
        _check_free(asset, day, locked.due_on, exclude=locked.pk)
        locked.starts_on = day
    asset_change_status(
        asset=asset,
        to_status=AssetStatus.ON_LOAN,
        actor=actor,
        on=day,
        borrower=locked.borrower,
        loan_due=locked.due_on,
        comment=_("Lent to %(borrower)s until %(due)s.")
        % {"borrower": locked.borrower, "due": format_date(locked.due_on)},
    )
    locked.state = LoanState.OUT
    locked.lent_by = actor
    locked.lent_at = _stamp(day, today)
    return _save(locked, actor=actor, before=before)


@transaction.atomic
def loan_return(
    *,
    actor: Actor,
    loan: Loan,
    ticked: Collection[str],
    note: str = "",
    on: date | None = None,
) -> Loan:
    """Take a lent asset back, with its category's return checklist.

    `ticked` are the checklist items found in order. Every item is stored with whether
    it was ticked. An item not ticked needs a note saying what is missing or wrong, and
    makes a fault report (urgency "works badly") linked from the loan. The asset goes
    back to the status it had before the loan.
    """
    require_permission_on_asset(actor, CHANGE_PERMISSION, loan.asset)
    asset, locked = _lock(loan)
    today = timezone.localdate()
    day = on or today
    if locked.state != LoanState.OUT:
        raise ValidationError(
            _("Only a loan that is lent out can be returned; this one is “%(state)s”.")
            % {"state": _state_label(locked)}
        )
    lent_on = timezone.localdate(locked.lent_at) if locked.lent_at else locked.starts_on
    if day > today:
        raise ValidationError({"on": _("A return cannot be registered for a day still to come.")})
    if day < lent_on:
        raise ValidationError(
            {
                "on": _("The asset cannot come back before it was lent out, on %(date)s.")
                % {"date": format_date(lent_on)}
            }
        )
    done = {str(item).strip() for item in ticked}
    checklist = [{"item": item, "ok": item in done} for item in checklist_items(asset.category)]
    missing = [row["item"] for row in checklist if not row["ok"]]
    note = note.strip()
    if missing and not note:
        raise ValidationError(
            {
                "note": ngettext(
                    "This item is not ticked: %(items)s. Say in the note what is missing or wrong.",
                    "These items are not ticked: %(items)s. Say in the note what is missing "
                    "or wrong.",
                    len(missing),
                )
                % {"items": ", ".join(str(item) for item in missing)}
            }
        )
    before = history.snapshot(locked, TRACKED_FIELDS)
    locked.state = LoanState.RETURNED
    locked.returned_by = actor
    locked.returned_at = _stamp(day, today)
    locked.return_checklist = checklist
    locked.return_note = note
    if missing:
        description = _(
            "Back from the loan to %(borrower)s (%(starts)s to %(due)s); not in order: "
            "%(items)s. %(note)s"
        ) % {
            "borrower": locked.borrower,
            "starts": format_date(locked.starts_on),
            "due": format_date(locked.due_on),
            "items": ", ".join(str(item) for item in missing),
            "note": note,
        }
        locked.fault_report = fault_report(
            asset=asset,
            actor=actor,
            description=description[:2000],
            urgency=FaultUrgency.POOR,
        )
    if asset.status == AssetStatus.ON_LOAN:
        asset_change_status(
            asset=asset,
            to_status=asset.status_before_loan or AssetStatus.IN_STOCK,
            actor=actor,
            on=day,
            comment=_("Back from the loan to %(borrower)s.") % {"borrower": locked.borrower},
        )
    return _save(locked, actor=actor, before=before)


@transaction.atomic
def loan_cancel(*, actor: Actor, loan: Loan) -> Loan:
    """Cancel a booking that has not been lent out; its days are free again."""
    require_permission_on_asset(actor, CHANGE_PERMISSION, loan.asset)
    _asset, locked = _lock(loan)
    if locked.state != LoanState.BOOKED:
        raise ValidationError(
            _("Only a booked loan can be cancelled; this one is “%(state)s”.")
            % {"state": _state_label(locked)}
        )
    before = history.snapshot(locked, TRACKED_FIELDS)
    locked.state = LoanState.CANCELLED
    return _save(locked, actor=actor, before=before)
