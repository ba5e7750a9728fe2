"""Daily reminders: what waits on each person, e-mailed once per event.

Two parts. `reminders_due` only reads: for a day it collects the events (ended
standstills, quotes about to expire, late deliveries, cases without movement, grants about
to lapse, warranties ending, fault reports IT has not acknowledged, loans not returned
on time, units on trial due back within a week) and who each waits on, as plain
`Reminder`s not yet sent.
`reminders_send` groups them per person, renders one e-mail per person in the person's
language, records every event in `ReminderSent` and sends after the commit, so that no
event is ever mailed twice to the same person.

An event's key holds the object's id and the date the event is about, so a changed date
(a new delivery date, an extended warranty) is a new event.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext

from inventory.choices import ACTIVE_STATUSES, FaultStatus, FaultUrgency
from inventory.formatting import format_date, format_sek
from inventory.loans import overdue_loans
from inventory.models import Asset, FaultReport, Loan, Profile
from inventory.selectors import (
    WARRANTY_NOTICE_DAYS,
    assets_visible_to,
    language_of,
    warranty_ending,
)
from inventory.trials import trials_returning

from . import rules
from .choices import (
    DELIVERED_OR_ENDED,
    PARTY_PERMISSION,
    STAGE_ORDER,
    Funding,
    Party,
    Stage,
)
from .models import ProcurementCase, Quote, ReminderSent
from .selectors import case_waits_on, cases_visible_to, cases_without_movement

logger = logging.getLogger(__name__)

QUOTE_DAYS = 7
GRANT_DAYS = 60
WARRANTY_DAYS = WARRANTY_NOTICE_DAYS
# A unit on trial is reminded a week before it goes back to the supplier.
TRIAL_RETURN_DAYS = 7

IT_PERMISSION = PARTY_PERMISSION[Party.IT]
MANAGER_PERMISSION = PARTY_PERMISSION[Party.LIBRARY]
STRATEGIST_PERMISSION = PARTY_PERMISSION[Party.STRATEGIST]


class Kind:
    """The kinds of event, in the order the e-mail lists them."""

    STANDSTILL = "standstill"
    LATE = "late"
    QUOTE = "quote"
    GRANT = "grant"
    STALE = "stale"
    WARRANTY = "warranty"
    FAULT = "fault"
    LOAN = "loan"
    TRIAL = "trial"

    ORDER = (FAULT, LOAN, STANDSTILL, LATE, QUOTE, GRANT, STALE, WARRANTY, TRIAL)


HEADINGS = {
    Kind.STANDSTILL: gettext_lazy("Standstill periods ended"),
    Kind.LATE: gettext_lazy("Late deliveries"),
    Kind.QUOTE: gettext_lazy("Quotes about to expire"),
    Kind.GRANT: gettext_lazy("Grants about to lapse"),
    Kind.STALE: gettext_lazy("Cases without movement"),
    Kind.WARRANTY: gettext_lazy("Warranties ending"),
    Kind.FAULT: gettext_lazy("New fault reports"),
    Kind.LOAN: gettext_lazy("Loans not returned"),
    Kind.TRIAL: gettext_lazy("Trial units to return"),
}

# Stages before the order: a quote matters only until the case is ordered.
BEFORE_ORDER = STAGE_ORDER[: STAGE_ORDER.index(Stage.ORDERED)]
# A grant is spent once the equipment is delivered.
GRANT_SPENT = DELIVERED_OR_ENDED


@dataclass(frozen=True)
class Reminder:
    """One event for one person. `label` is the case or asset as written everywhere (a
    reference and title, a tag and model), never translated; `details` hold the codes and
    names the line needs, translated only when the e-mail is rendered."""

    user: object = field(compare=False, repr=False)
    user_id: int
    key: str
    kind: str
    day: date
    label: str
    url: str
    case_id: int | None = None
    asset_id: int | None = None
    details: tuple[tuple[str, object], ...] = ()

    def text(self) -> str:
        """The line of the e-mail, in the active language."""
        values = {"label": self.label, "date": format_date(self.day), **dict(self.details)}
        if self.kind == Kind.STANDSTILL:
            return (
                gettext(
                    "%(label)s: the standstill has ended; the contract may be signed from %(date)s."
                )
                % values
            )
        if self.kind == Kind.LATE:
            return gettext("%(label)s: the delivery was expected on %(date)s.") % values
        if self.kind == Kind.QUOTE:
            values["amount"] = format_sek(values["amount"])
            return (
                gettext(
                    "%(label)s: the quote from %(supplier)s (%(amount)s) is valid until %(date)s."
                )
                % values
            )
        if self.kind == Kind.GRANT:
            return gettext("%(label)s: the grant “%(grant)s” must be spent by %(date)s.") % values
        if self.kind == Kind.STALE:
            values["stage"] = Stage(values["stage"]).label
            values["party"] = Party(values["party"]).label
            return (
                ngettext(
                    "%(label)s: in the stage “%(stage)s” since %(date)s (%(days)d day), "
                    "waiting for: %(party)s.",
                    "%(label)s: in the stage “%(stage)s” since %(date)s (%(days)d days), "
                    "waiting for: %(party)s.",
                    values["days"],
                )
                % values
            )
        if self.kind == Kind.WARRANTY:
            return gettext("%(label)s at %(library)s: the warranty ends on %(date)s.") % values
        if self.kind == Kind.FAULT:
            values["urgency"] = FaultUrgency(values["urgency"]).label
            return (
                gettext("%(label)s at %(library)s, reported on %(date)s (%(urgency)s): %(text)s")
                % values
            )
        if self.kind == Kind.LOAN:
            return (
                gettext("%(label)s at %(library)s: lent to %(borrower)s, due back on %(date)s.")
                % values
            )
        if self.kind == Kind.TRIAL:
            return (
                gettext(
                    "%(label)s at %(library)s: the unit on trial goes back to the supplier "
                    "by %(date)s."
                )
                % values
            )
        raise ValueError(f"unknown reminder kind {self.kind!r}")


@dataclass(frozen=True)
class Event:
    """An event before it is addressed to anyone."""

    key: str
    kind: str
    day: date
    label: str
    url: str
    library_id: int
    case_id: int | None = None
    asset_id: int | None = None
    details: tuple[tuple[str, object], ...] = ()


def _link_to(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _link(obj) -> str:
    return _link_to(obj.get_absolute_url())


def _case_event(case: ProcurementCase, kind: str, day: date, key: str, **details) -> Event:
    return Event(
        key=key,
        kind=kind,
        day=day,
        label=f"{case.reference} {case.title}",
        url=_link(case),
        library_id=case.library_id,
        case_id=case.pk,
        details=tuple(details.items()),
    )


def _cases():
    return ProcurementCase.objects.select_related("library", "requested_by").order_by("pk")


class _People:
    """Who may get mail, loaded once per run: one object per user, so the permission and
    library caches on it serve every event."""

    def __init__(self) -> None:
        self.by_id: dict[int, object] = {}
        self.it = self._holding(IT_PERMISSION)
        self.strategists = self._holding(STRATEGIST_PERMISSION)
        managers = self._holding(MANAGER_PERMISSION)
        self.managers_of: dict[int, list] = defaultdict(list)
        links = Profile.libraries.through.objects.filter(
            profile__user_id__in=[user.pk for user in managers]
        ).values_list("profile__user_id", "library_id")
        for user_id, library_id in links:
            self.managers_of[library_id].append(self.by_id[user_id])

    def _holding(self, permission: str) -> list:
        users = get_user_model().objects.with_perm(permission, is_active=True).order_by("pk")
        return [kept for user in users if (kept := self.add(user)) is not None]

    def add(self, user):
        """The run's one object for `user`; None for a user who gets no mail."""
        if user is None or not user.is_active or not user.email:
            return None
        return self.by_id.setdefault(user.pk, user)

    def requester(self, case: ProcurementCase) -> list:
        user = self.add(case.requested_by)
        return [user] if user else []


def _standstills_ended(today: date, people: _People):
    for case in _cases().filter(stage=Stage.STANDSTILL, award_notice_sent_on__isnull=False):
        signing = rules.earliest_signing_day(
            case.award_notice_sent_on, electronic=case.award_notice_electronic
        )
        if signing <= today:
            event = _case_event(
                case, Kind.STANDSTILL, signing, f"standstill:{case.pk}:{signing.isoformat()}"
            )
            yield event, people.it


def _quotes_expiring(today: date, people: _People):
    before_order = Q(case__stage__in=BEFORE_ORDER) | Q(
        case__stage=Stage.ON_HOLD, case__stage_before_hold__in=BEFORE_ORDER
    )
    # Once a quote is chosen, only that one still matters.
    other_chosen = Quote.objects.filter(case=OuterRef("case"), chosen=True)
    quotes = (
        Quote.objects.filter(
            before_order, valid_until__range=(today, today + timedelta(days=QUOTE_DAYS))
        )
        .exclude(Q(chosen=False) & Exists(other_chosen))
        .select_related("case", "case__library", "supplier")
        .order_by("valid_until", "pk")
    )
    for quote in quotes:
        event = _case_event(
            quote.case,
            Kind.QUOTE,
            quote.valid_until,
            f"quote:{quote.pk}:{quote.valid_until.isoformat()}",
            supplier=quote.supplier.name,
            amount=quote.amount,
        )
        yield event, people.it


def _deliveries_late(today: date, people: _People):
    for case in _cases().filter(stage=Stage.ORDERED, expected_delivery__lt=today):
        day = case.expected_delivery
        event = _case_event(case, Kind.LATE, day, f"late:{case.pk}:{day.isoformat()}")
        yield event, [*people.it, *people.requester(case)]


def _cases_without_movement(today: date, people: _People):
    for case in cases_without_movement(_cases(), today=today):
        party = case_waits_on(case)
        if party == Party.LIBRARY:
            recipients = people.managers_of.get(case.library_id, [])
        elif party == Party.STRATEGIST:
            recipients = people.strategists
        elif party:  # IT, and IT speaks for the procurement unit and the supplier
            recipients = people.it
        else:
            continue
        since = timezone.localdate(case.stage_changed_at)
        event = _case_event(
            case,
            Kind.STALE,
            since,
            f"stale:{case.pk}:{case.stage}:{since.isoformat()}",
            stage=case.stage,
            party=party,
            days=(today - since).days,
        )
        yield event, recipients


def _grants_lapsing(today: date, people: _People):
    cases = (
        _cases()
        .filter(
            funding=Funding.GRANT,
            grant_spend_by__range=(today, today + timedelta(days=GRANT_DAYS)),
        )
        .exclude(stage__in=GRANT_SPENT)
        .exclude(stage=Stage.ON_HOLD, stage_before_hold__in=GRANT_SPENT)
    )
    for case in cases:
        day = case.grant_spend_by
        event = _case_event(
            case, Kind.GRANT, day, f"grant:{case.pk}:{day.isoformat()}", grant=case.grant_name
        )
        recipients = [
            *people.requester(case),
            *people.managers_of.get(case.library_id, []),
            *people.strategists,
        ]
        yield event, recipients


def _warranties_ending(today: date, people: _People):
    active = Asset.objects.filter(status__in=ACTIVE_STATUSES)
    assets = (
        warranty_ending(active, today=today, days=WARRANTY_DAYS)
        .select_related("library", "manufacturer", "model")
        .order_by("warranty_end", "tag")
    )
    for asset in assets:
        day = asset.warranty_end
        event = Event(
            key=f"warranty:{asset.pk}:{day.isoformat()}",
            kind=Kind.WARRANTY,
            day=day,
            label=str(asset),
            url=_link(asset),
            library_id=asset.library_id,
            asset_id=asset.pk,
            details=(("library", asset.library.name),),
        )
        yield event, [*people.it, *people.managers_of.get(asset.library_id, [])]


def _faults_reported(today: date, people: _People):
    """Fault reports IT has not acknowledged yet, each mailed once to IT."""
    faults = (
        FaultReport.objects.filter(status=FaultStatus.OPEN)
        .select_related("asset", "asset__library", "asset__manufacturer", "asset__model")
        .order_by("reported_at", "pk")
    )
    for fault in faults:
        asset, day = fault.asset, timezone.localdate(fault.reported_at)
        event = Event(
            key=f"fault:{fault.pk}:{day.isoformat()}",
            kind=Kind.FAULT,
            day=day,
            label=str(asset),
            url=_link(fault),
            library_id=asset.library_id,
            asset_id=asset.pk,
            details=(
                ("library", asset.library.name),
                ("urgency", fault.urgency),
                ("text", " ".join(fault.description.split())[:200]),
            ),
        )
        yield event, people.it


def _loans_overdue(today: date, people: _People):
    """Loans out past their due day, each mailed once (per due day) to whoever lent the
    asset out and the managers of its library."""
    loans = (
        overdue_loans(Loan.objects.all(), today=today)
        .select_related("asset", "asset__library", "asset__manufacturer", "asset__model")
        .select_related("lent_by")
        .order_by("due_on", "pk")
    )
    for loan in loans:
        asset = loan.asset
        event = Event(
            key=f"loan:{loan.pk}:{loan.due_on.isoformat()}",
            kind=Kind.LOAN,
            day=loan.due_on,
            label=str(asset),
            url=_link_to(reverse("inventory:asset_loans", args=[asset.tag])),
            library_id=asset.library_id,
            asset_id=asset.pk,
            details=(("library", asset.library.name), ("borrower", loan.borrower)),
        )
        lender = people.add(loan.lent_by)
        yield event, [*([lender] if lender else []), *people.managers_of.get(asset.library_id, [])]


def _trials_returning(today: date, people: _People):
    """Units on trial due back to their supplier within a week (or already late), each
    mailed once per return day to IT and the managers of the library trying it."""
    assets = (
        trials_returning(Asset.objects.all(), today=today, days=TRIAL_RETURN_DAYS)
        .select_related("library", "manufacturer", "model")
        .order_by("trial_return_by", "tag")
    )
    for asset in assets:
        day = asset.trial_return_by
        event = Event(
            key=f"trial:{asset.pk}:{day.isoformat()}",
            kind=Kind.TRIAL,
            day=day,
            label=str(asset),
            url=_link(asset),
            library_id=asset.library_id,
            asset_id=asset.pk,
            details=(("library", asset.library.name),),
        )
        yield event, [*people.it, *people.managers_of.get(asset.library_id, [])]


SOURCES = (
    _faults_reported,
    _loans_overdue,
    _standstills_ended,
    _deliveries_late,
    _quotes_expiring,
    _grants_lapsing,
    _cases_without_movement,
    _warranties_ending,
    _trials_returning,
)


def _visible_only(user, reminders: list[Reminder]) -> list[Reminder]:
    """Drop what the user may not see, decided by the same selectors as the pages: a
    library manager never hears of another library's case or asset."""
    case_ids = {r.case_id for r in reminders if r.case_id is not None}
    asset_ids = {r.asset_id for r in reminders if r.asset_id is not None}
    seen_cases = (
        set(cases_visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True))
        if case_ids
        else set()
    )
    seen_assets = (
        set(assets_visible_to(user).filter(pk__in=asset_ids).values_list("pk", flat=True))
        if asset_ids
        else set()
    )
    return [
        r
        for r in reminders
        if (r.case_id is None or r.case_id in seen_cases)
        and (r.asset_id is None or r.asset_id in seen_assets)
    ]


def _already_sent(user_ids: Iterable[int], keys: set[str]) -> set[tuple[int, str]]:
    sent: set[tuple[int, str]] = set()
    keys = sorted(keys)
    for start in range(0, len(keys), 500):  # under every database's parameter limit
        sent.update(
            ReminderSent.objects.filter(
                user_id__in=list(user_ids), key__in=keys[start : start + 500]
            ).values_list("user_id", "key")
        )
    return sent


def reminders_due(*, today: date) -> list[Reminder]:
    """Every reminder for `today` not yet sent: one per person and event, only to active
    users with an e-mail address, only of what they may see. Reads only."""
    people = _People()
    per_user: dict[int, dict[str, Reminder]] = defaultdict(dict)
    for source in SOURCES:
        for event, recipients in source(today, people):
            for user in recipients:
                per_user[user.pk].setdefault(
                    event.key,
                    Reminder(
                        user=user,
                        user_id=user.pk,
                        key=event.key,
                        kind=event.kind,
                        day=event.day,
                        label=event.label,
                        url=event.url,
                        case_id=event.case_id,
                        asset_id=event.asset_id,
                        details=event.details,
                    ),
                )
    if not per_user:
        return []
    sent = _already_sent(per_user, {key for events in per_user.values() for key in events})
    due: list[Reminder] = []
    for user_id, events in per_user.items():
        fresh = [r for key, r in events.items() if (user_id, key) not in sent]
        if fresh:
            due.extend(_visible_only(people.by_id[user_id], fresh))
    return due


@dataclass
class ReminderEmail:
    user: object = field(repr=False)
    to: str
    language: str
    subject: str
    body: str
    keys: list[str]


@dataclass
class ReminderRun:
    """What a run sent, or would send in a dry run."""

    today: date
    dry_run: bool
    emails: list[ReminderEmail] = field(default_factory=list)
    failed: list[ReminderEmail] = field(default_factory=list)

    @property
    def people(self) -> int:
        return len({email.user.pk for email in self.emails})

    @property
    def events(self) -> int:
        return len({key for email in self.emails for key in email.keys})

    def summary(self) -> str:
        return f"{len(self.emails)} e-mails to {self.people} people, {self.events} events"


def reminder_email(*, user, reminders: list[Reminder], today: date) -> ReminderEmail:
    """One person's e-mail of the day, in the person's language."""
    order = {kind: index for index, kind in enumerate(Kind.ORDER)}
    reminders = sorted(reminders, key=lambda r: (order[r.kind], r.day, r.label, r.key))
    language = language_of(user)
    with translation.override(language):
        groups = []
        for reminder in reminders:
            if not groups or groups[-1]["kind"] != reminder.kind:
                groups.append(
                    {"kind": reminder.kind, "heading": str(HEADINGS[reminder.kind]), "items": []}
                )
            groups[-1]["items"].append({"text": reminder.text(), "url": reminder.url})
        count = len(reminders)
        subject = ngettext(
            "Inventera: %(count)d thing waits for you",
            "Inventera: %(count)d things wait for you",
            count,
        ) % {"count": count}
        body = render_to_string(
            "procurement/email/reminders.txt",
            {
                "name": user.get_full_name() or user.get_username(),
                "today": format_date(today),
                "groups": groups,
                "site_url": settings.SITE_URL.rstrip("/") + "/",
            },
        )
    return ReminderEmail(
        user=user,
        to=user.email,
        language=language,
        subject=subject,
        body=body,
        keys=[r.key for r in reminders],
    )


def _deliver(run: ReminderRun) -> None:
    """Send after the commit. A message that fails is logged and its events forgotten, so
    the next run tries again rather than never."""
    connection = get_connection()
    for email in run.emails:
        message = EmailMessage(
            email.subject,
            email.body,
            settings.DEFAULT_FROM_EMAIL,
            [email.to],
            connection=connection,
        )
        try:
            message.send()
        except Exception:
            logger.exception("reminder e-mail to user %s not sent", email.user.pk)
            run.failed.append(email)
            ReminderSent.objects.filter(user=email.user, key__in=email.keys).delete()


@transaction.atomic
def reminders_send(*, today: date, dry_run: bool = False) -> ReminderRun:
    """E-mail each person what waits on them today: one e-mail per person, in the person's
    language, each event once.

    The events are recorded in `ReminderSent` in this transaction and the e-mails go out
    when it commits; a second run (the same day or later) finds them recorded and sends
    nothing for them. Two runs at the same moment collide on the unique (user, key) and
    the later one sends nothing. A dry run renders the e-mails, writes and sends nothing.
    """
    by_user: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in reminders_due(today=today):
        by_user[reminder.user_id].append(reminder)
    run = ReminderRun(today=today, dry_run=dry_run)
    for reminders in by_user.values():
        run.emails.append(reminder_email(user=reminders[0].user, reminders=reminders, today=today))
    if dry_run or not run.emails:
        return run
    ReminderSent.objects.bulk_create(
        ReminderSent(user=email.user, key=key) for email in run.emails for key in email.keys
    )
    transaction.on_commit(lambda: _deliver(run))
    return run
