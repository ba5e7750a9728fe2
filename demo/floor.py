"""The work on the floor in the demo: a fault report, a stocktake, loans of the VR kit
and a tablet tried with patrons, made through the real services."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from inventory import faults, loans, stocktakes, trials
from inventory.choices import FaultUrgency, StocktakeOutcome
from inventory.models import Asset, FaultReport, Library, Loan, Stocktake, StocktakeLine


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_fault_report(users: dict[str, User], today: date) -> None:
    """An open fault report on a public workstation, reported by the library manager."""
    asset = Asset.objects.get(tag="HB-PC-06")
    if asset.fault_reports.exists():
        return
    fault = faults.fault_report(
        asset=asset,
        actor=users["chef"],
        description=(
            "Skärmen blir svart efter några minuter och datorn går inte att väcka. "
            "Besökarna har flyttat till platsen bredvid."
        ),
        urgency=FaultUrgency.UNUSABLE,
    )
    FaultReport.objects.filter(pk=fault.pk).update(reported_at=_at(today - timedelta(days=2), 10))


SESSIONS = [
    (
        21,
        "Läsa e-böcker och tidningar i Pressreader",
        "Seniorkurs",
        4,
        "Stor text och lätt att hålla, men flera behövde hjälp att hitta tillbaka till start.",
    ),
    (
        14,
        "Videosamtal och BankID",
        "Digital drop-in",
        5,
        "Kameran och ljudet fungerade bra; två besökare ville låna en hem.",
    ),
    (
        6,
        "Appar för språkträning",
        "Språkcafé",
        3,
        "Fungerade, men skärmen speglade mycket i fönsterljuset.",
    ),
]


def seed_trial(users: dict[str, User], today: date) -> None:
    """A tablet on trial with three sessions logged."""
    asset = Asset.objects.get(tag="HB-TAB-01")
    if asset.trial_sessions.exists():
        return
    for days_ago, tried, group, rating, comment in SESSIONS:
        trials.trial_session_log(
            actor=users["chef"],
            asset=asset,
            held_on=today - timedelta(days=days_ago),
            tried=tried,
            group=group,
            rating=rating,
            comment=comment,
        )


def seed_loans(users: dict[str, User], today: date) -> None:
    """The VR kit lent to another library a month ago and back in order, and booked for
    a course next week."""
    kit = Asset.objects.select_related("category").get(tag="HB-VR-01")
    if kit.loans.exists():
        return
    it = users["it"]
    lent_on, back_on = today - timedelta(days=30), today - timedelta(days=27)
    past = loans.loan_book(
        actor=it,
        asset=kit,
        borrower="Norrbiblioteket, VR-kväll för unga",
        starts_on=today,
        due_on=today,
        note="Hämtas av Norrbibliotekets personal.",
    )
    # Booked then, for three days; handed out and back through the real moves.
    Loan.objects.filter(pk=past.pk).update(booked_at=_at(lent_on - timedelta(days=10), 9))
    past = loans.loan_lend(actor=it, loan=past, on=lent_on)
    past = loans.loan_return(
        actor=it, loan=past, ticked=loans.checklist_items(kit.category), on=back_on
    )
    Loan.objects.filter(pk=past.pk).update(due_on=back_on)
    loans.loan_book(
        actor=users["chef"],
        asset=kit,
        borrower="Södra biblioteket, seniorkurs i VR",
        starts_on=today + timedelta(days=9),
        due_on=today + timedelta(days=11),
    )


# The asset the demo's stocktake did not find.
MISSING_TAG = "HB-SC-04"


def seed_stocktake(users: dict[str, User], today: date) -> None:
    """A finished stocktake of the Stadsbibliotek two weeks ago: everything seen but one
    scanner, which is marked missing."""
    library = Library.objects.get(code="HB")
    if Stocktake.objects.filter(library=library).exists():
        return
    it, day = users["it"], today - timedelta(days=14)
    stocktake = stocktakes.stocktake_start(actor=it, library=library)
    stocktakes.stocktake_mark_seen(
        actor=it,
        stocktake=stocktake,
        assets=Asset.objects.filter(stocktake_lines__stocktake=stocktake).exclude(tag=MISSING_TAG),
    )
    stocktakes.stocktake_close(
        actor=it, stocktake=stocktake, decisions={MISSING_TAG: StocktakeOutcome.MISSING}
    )
    # Counted that day, from nine to eleven.
    Stocktake.objects.filter(pk=stocktake.pk).update(started_at=_at(day, 9), closed_at=_at(day, 11))
    StocktakeLine.objects.filter(stocktake=stocktake, seen_at__isnull=False).update(
        seen_at=_at(day, 10)
    )
    Asset.objects.filter(last_seen_on=today, last_seen_by=it).update(last_seen_on=day)


@transaction.atomic
def seed_floor(users: dict[str, User], today: date) -> None:
    seed_fault_report(users, today)
    seed_trial(users, today)
    seed_loans(users, today)
    seed_stocktake(users, today)
