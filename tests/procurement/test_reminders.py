"""The daily reminders: what is sent to whom, in which language, and never twice."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from inventory import roles
from inventory.choices import AssetStatus
from inventory.models import Profile
from procurement import rules
from procurement.choices import Funding, Stage
from procurement.models import ProcurementCase, Quote, ReminderSent
from procurement.reminders import reminders_due, reminders_send
from tests.factories import AssetFactory, make_role_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)  # a Monday
SITE = "http://127.0.0.1:8000"
# Sent on a Monday: the tenth day is a Thursday, so the contract may be signed on Friday.
AWARD_SENT = date(2026, 2, 16)
SIGNING_DAY = date(2026, 2, 27)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def mailable(user, language: str = "sv"):
    user.email = f"{user.username}@kommun.example"
    user.save(update_fields=["email"])
    Profile.objects.filter(user=user).update(language=language)
    return user


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"


@pytest.fixture
def it(it_user):
    return mailable(it_user, "en")


@pytest.fixture
def manager(chef):
    """The library manager of HB, who also opens the cases (the requester)."""
    return mailable(chef, "sv")


@pytest.fixture
def strategist(strateg):
    return mailable(strateg, "sv")


@pytest.fixture
def no_manager(no):
    return mailable(make_role_user(roles.LIBRARY_MANAGER, "chef_no", [no]), "sv")


@pytest.fixture
def people(it, manager, strategist, no_manager):
    return {"it": it, "manager": manager, "strategist": strategist, "no_manager": no_manager}


@pytest.fixture
def case_in(make_case, chef, hb):
    """case_in(stage, since=TODAY, library=hb, actor=chef, **fields): a case opened through
    the service, then put straight into `stage` since `since` (test data, not a move)."""

    def make(stage, *, since=TODAY, library=hb, actor=chef, **fields):
        case = make_case(actor, library)
        when = since if isinstance(since, datetime) else at(since)
        ProcurementCase.objects.filter(pk=case.pk).update(
            stage=stage, stage_changed_at=when, **fields
        )
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send(today=TODAY, dry_run=False): a run, with its e-mails sent on commit."""

    def run(today=TODAY, dry_run=False):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(today=today, dry_run=dry_run)

    return run


def outbox() -> dict[str, mail.EmailMessage]:
    """The e-mails sent, by recipient; fails if anyone got two."""
    recipients = [message.to[0] for message in mail.outbox]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert len(recipients) == len(set(recipients)), "more than one e-mail to a person"
    return {message.to[0]: message for message in mail.outbox}


def keys_for(user, today=TODAY) -> set[str]:
    return {r.key for r in reminders_due(today=today) if r.user_id == user.pk}


def case_url(case) -> str:
    return f"{SITE}/procurement/cases/{case.url_reference}/"


def grant(spend_by: date) -> dict:
    return {"funding": Funding.GRANT, "grant_name": "Kulturrådet 2026", "grant_spend_by": spend_by}


def add_quote(case, supplier, valid_until, *, chosen=False, amount="45000"):
    return Quote.objects.create(
        case=case,
        supplier=supplier,
        amount=Decimal(amount),
        received_on=valid_until - timedelta(days=30),
        valid_until=valid_until,
        chosen=chosen,
    )


class TestWhoGetsWhat:
    def test_an_ended_standstill_goes_to_it(self, people, case_in, send):
        case = case_in(Stage.STANDSTILL, award_notice_sent_on=AWARD_SENT)
        assert rules.earliest_signing_day(AWARD_SENT) == SIGNING_DAY

        run = send()

        sent = outbox()
        assert list(sent) == [people["it"].email]
        body = sent[people["it"].email].body
        assert f"{case.reference} {case.title}" in body
        assert "2026-02-27" in body
        assert case_url(case) in body
        assert run.summary() == "1 e-mails to 1 people, 1 events"
        assert set(ReminderSent.objects.values_list("user_id", "key")) == {
            (people["it"].pk, f"standstill:{case.pk}:2026-02-27")
        }

    def test_a_standstill_without_an_award_notice_is_no_event(self, people, case_in, send):
        case_in(Stage.STANDSTILL)
        send()
        assert mail.outbox == []

    def test_a_late_delivery_goes_to_it_and_the_requester(self, people, case_in, send):
        case = case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        send()
        sent = outbox()
        assert set(sent) == {people["it"].email, people["manager"].email}
        for message in sent.values():
            assert case_url(case) in message.body
            assert "2026-02-20" in message.body

    def test_an_expiring_quote_goes_to_it(self, people, case_in, suppliers, send):
        case = case_in(Stage.SOURCING)
        quote = add_quote(case, suppliers[0], TODAY + timedelta(days=3))
        send()
        sent = outbox()
        assert list(sent) == [people["it"].email]
        assert "Atea Sverige AB" in sent[people["it"].email].body
        assert ReminderSent.objects.get().key == f"quote:{quote.pk}:2026-03-05"

    def test_once_a_quote_is_chosen_only_it_counts(self, people, case_in, suppliers):
        case = case_in(Stage.AWARD)
        add_quote(case, suppliers[0], TODAY + timedelta(days=2))
        chosen = add_quote(case, suppliers[1], TODAY + timedelta(days=5), chosen=True)
        assert keys_for(people["it"]) == {f"quote:{chosen.pk}:2026-03-07"}

    @pytest.mark.parametrize(
        ("stage", "before_hold", "reminded"),
        [
            (Stage.SOURCING, "", True),
            (Stage.ON_HOLD, Stage.SOURCING, True),
            (Stage.ORDERED, "", False),
            (Stage.ON_HOLD, Stage.ORDERED, False),
            (Stage.CANCELLED, "", False),
            (Stage.CLOSED, "", False),
        ],
    )
    def test_a_quote_matters_until_the_order(
        self, people, case_in, suppliers, stage, before_hold, reminded
    ):
        case = case_in(stage, stage_before_hold=before_hold)
        add_quote(case, suppliers[0], TODAY)
        assert bool(keys_for(people["it"])) is reminded

    def test_a_lapsing_grant_goes_to_requester_managers_and_strategists(
        self, people, case_in, send
    ):
        case = case_in(Stage.SPECIFICATION, **grant(date(2026, 4, 1)))
        send()
        sent = outbox()
        # The requester is also the library's manager: one e-mail, the event once.
        assert set(sent) == {people["manager"].email, people["strategist"].email}
        assert sent[people["manager"].email].body.count(case_url(case)) == 1
        assert "Kulturrådet 2026" in sent[people["strategist"].email].body

    @pytest.mark.parametrize(
        "stage", [Stage.DELIVERED, Stage.INSTALLED, Stage.CLOSED, Stage.CANCELLED]
    )
    def test_a_spent_grant_is_no_event(self, people, case_in, send, stage):
        case_in(stage, **grant(date(2026, 4, 1)))
        send()
        assert mail.outbox == []

    @pytest.mark.parametrize(
        ("stage", "who"),
        [
            (Stage.NEED, "manager"),
            (Stage.ANALYSIS, "manager"),
            (Stage.APPROVAL, "strategist"),
            (Stage.SPECIFICATION, "it"),
            (Stage.SOURCING, "it"),
            (Stage.STANDSTILL, "it"),  # waits on the procurement unit: IT follows it up
            (Stage.ORDERED, "it"),  # waits on the supplier: IT follows it up
            (Stage.DELIVERED, "it"),
            (Stage.INSTALLED, "manager"),
            (Stage.ON_HOLD, "manager"),
        ],
    )
    def test_a_case_without_movement_goes_to_whom_it_waits_on(
        self, people, case_in, send, stage, who
    ):
        case = case_in(stage, since=TODAY - timedelta(days=45))
        send()
        sent = outbox()
        assert list(sent) == [people[who].email]
        assert case_url(case) in sent[people[who].email].body

    def test_a_closed_case_never_lingers(self, people, case_in, send):
        case_in(Stage.CLOSED, since=TODAY - timedelta(days=400))
        case_in(Stage.CANCELLED, since=TODAY - timedelta(days=400))
        send()
        assert mail.outbox == []

    def test_warranties_go_to_it_and_the_asset_librarys_manager(
        self, people, hb, no, workstation, send
    ):
        hb_pc = AssetFactory(library=hb, category=workstation, warranty_end=date(2026, 5, 1))
        no_pc = AssetFactory(library=no, category=workstation, warranty_end=date(2026, 5, 2))
        AssetFactory(
            library=hb,
            category=workstation,
            warranty_end=date(2026, 5, 1),
            status=AssetStatus.DISPOSED,
        )
        send()
        sent = outbox()
        assert set(sent) == {
            people["it"].email,
            people["manager"].email,
            people["no_manager"].email,
        }
        assert hb_pc.tag in sent[people["it"].email].body
        assert no_pc.tag in sent[people["it"].email].body
        assert f"{SITE}/inventory/assets/{hb_pc.tag}/" in sent[people["manager"].email].body
        assert no_pc.tag not in sent[people["manager"].email].body
        assert hb_pc.tag not in sent[people["no_manager"].email].body
        assert keys_for(people["it"]) == set()  # all sent
        assert ReminderSent.objects.filter(user=people["it"]).count() == 2


class TestBoundaries:
    """Each kind on the last day it counts and the first day it does not."""

    def test_standstill_ended_on_the_earliest_signing_day(self, people, case_in):
        case_in(Stage.STANDSTILL, award_notice_sent_on=AWARD_SENT)
        assert keys_for(people["it"], SIGNING_DAY)
        assert not keys_for(people["it"], SIGNING_DAY - timedelta(days=1))

    def test_late_from_the_day_after_the_expected_delivery(self, people, case_in):
        case_in(Stage.ORDERED, expected_delivery=TODAY - timedelta(days=1))
        case_in(Stage.ORDERED, expected_delivery=TODAY)
        assert len(keys_for(people["it"])) == 1

    @pytest.mark.parametrize(("days", "reminded"), [(-1, False), (0, True), (7, True), (8, False)])
    def test_quote_within_7_days(self, people, case_in, suppliers, days, reminded):
        add_quote(case_in(Stage.SOURCING), suppliers[0], TODAY + timedelta(days=days))
        assert bool(keys_for(people["it"])) is reminded

    @pytest.mark.parametrize(
        ("since", "reminded"),
        [
            (at(TODAY - timedelta(days=30), 23, 59), True),
            (at(TODAY - timedelta(days=29), 0, 0), False),
        ],
    )
    def test_no_movement_for_30_days(self, people, case_in, since, reminded):
        case_in(Stage.SOURCING, since=since)
        assert bool(keys_for(people["it"])) is reminded

    @pytest.mark.parametrize(
        ("days", "reminded"), [(-1, False), (0, True), (60, True), (61, False)]
    )
    def test_grant_within_60_days(self, people, case_in, days, reminded):
        case_in(Stage.SOURCING, **grant(TODAY + timedelta(days=days)))
        assert bool(keys_for(people["strategist"])) is reminded

    @pytest.mark.parametrize(
        ("days", "reminded"), [(-1, False), (0, True), (90, True), (91, False)]
    )
    def test_warranty_within_90_days(self, people, hb, workstation, days, reminded):
        AssetFactory(library=hb, category=workstation, warranty_end=TODAY + timedelta(days=days))
        assert bool(keys_for(people["it"])) is reminded
        assert bool(keys_for(people["manager"])) is reminded


class TestOnce:
    def test_a_second_run_sends_nothing(self, people, case_in, hb, workstation, send):
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        AssetFactory(library=hb, category=workstation, warranty_end=date(2026, 5, 1))
        first = send()
        assert len(mail.outbox) == 2
        recorded = ReminderSent.objects.count()

        mail.outbox.clear()
        again = send()
        next_day = send(today=TODAY + timedelta(days=1))

        assert mail.outbox == []
        assert again.emails == [] and next_day.emails == []
        assert ReminderSent.objects.count() == recorded
        assert first.summary() == "2 e-mails to 2 people, 2 events"

    def test_a_new_date_is_a_new_event(self, people, case_in, send):
        case = case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        send()
        mail.outbox.clear()
        ProcurementCase.objects.filter(pk=case.pk).update(expected_delivery=date(2026, 2, 27))
        send()
        assert set(outbox()) == {people["it"].email, people["manager"].email}

    def test_only_the_new_events_are_sent(self, people, case_in, send):
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        send()
        mail.outbox.clear()
        new = case_in(Stage.STANDSTILL, award_notice_sent_on=AWARD_SENT)
        send()
        sent = outbox()
        assert list(sent) == [people["it"].email]
        assert case_url(new) in sent[people["it"].email].body
        assert "2026-02-20" not in sent[people["it"].email].body

    def test_a_dry_run_writes_and_sends_nothing(self, people, case_in, send):
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        run = send(dry_run=True)
        assert run.summary() == "2 e-mails to 2 people, 1 events"
        assert mail.outbox == []
        assert not ReminderSent.objects.exists()
        send()
        assert len(mail.outbox) == 2  # the dry run took nothing away

    def test_a_failed_e_mail_is_tried_again_next_run(self, people, case_in, send, monkeypatch):
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))

        def refuse(self, fail_silently=False):
            raise OSError("mail server down")

        monkeypatch.setattr(mail.EmailMessage, "send", refuse)
        run = send()
        assert len(run.failed) == 2
        assert not ReminderSent.objects.exists()
        monkeypatch.undo()
        send()
        assert len(mail.outbox) == 2


class TestAddressing:
    def test_one_e_mail_per_person_with_all_that_waits_on_them(
        self, people, case_in, suppliers, hb, workstation, send
    ):
        late = case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        standstill = case_in(Stage.STANDSTILL, award_notice_sent_on=AWARD_SENT)
        add_quote(case_in(Stage.SOURCING), suppliers[0], TODAY + timedelta(days=1))
        AssetFactory(library=hb, category=workstation, warranty_end=date(2026, 5, 1))
        run = send()
        sent = outbox()
        it_mail = sent[people["it"].email]
        assert len(ReminderSent.objects.filter(user=people["it"])) == 4
        assert case_url(late) in it_mail.body and case_url(standstill) in it_mail.body
        with translation.override("en"):
            assert it_mail.subject == "Inventera: 4 things wait for you"
        # The manager: the late delivery (as requester) and the warranty.
        assert ReminderSent.objects.filter(user=people["manager"]).count() == 2
        assert run.summary() == "2 e-mails to 2 people, 4 events"

    def test_no_mail_to_inactive_users_or_users_without_an_address(self, people, case_in, send):
        people["it"].is_active = False
        people["it"].save()
        people["manager"].email = ""
        people["manager"].save()
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        send()
        assert mail.outbox == []
        assert not ReminderSent.objects.exists()

    def test_a_library_manager_never_gets_another_librarys_events(
        self, people, case_in, suppliers, hb, workstation, send
    ):
        case_in(Stage.NEED, since=TODAY - timedelta(days=40))
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20), **grant(date(2026, 4, 1)))
        add_quote(case_in(Stage.SOURCING), suppliers[0], TODAY)
        case_in(Stage.STANDSTILL, award_notice_sent_on=AWARD_SENT)
        AssetFactory(library=hb, category=workstation, warranty_end=date(2026, 5, 1))
        send()
        sent = outbox()
        assert people["no_manager"].email not in sent
        assert people["manager"].email in sent
        assert not ReminderSent.objects.filter(user=people["no_manager"]).exists()

    def test_a_requester_who_left_the_library_hears_no_more(self, people, case_in, send):
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        people["manager"].profile.libraries.clear()
        send()
        assert list(outbox()) == [people["it"].email]


class TestLanguage:
    def test_an_english_profile_gets_english(self, people, case_in, send):
        case = case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        send()
        message = outbox()[people["it"].email]
        assert message.subject == "Inventera: 1 thing waits for you"
        lines = message.body.splitlines()
        assert lines[0] == "Hello Test It,"
        assert "This is what waits for you in Inventera today, 2026-03-02." in lines
        assert "Late deliveries" in lines
        assert f"- {case.reference} {case.title}: the delivery was expected on 2026-02-20." in lines
        assert f"  {case_url(case)}" in lines
        assert "You get each reminder only once." in lines

    def test_each_person_in_their_own_language(self, people, case_in, send):
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        run = send()
        languages = {email.to: email.language for email in run.emails}
        assert languages == {people["it"].email: "en", people["manager"].email: "sv"}
        # Both e-mails are rendered in one run; the English one stays English.
        assert outbox()[people["it"].email].body.startswith("Hello ")

    def test_a_swedish_profile_gets_swedish(self, people, case_in, send):
        # needs sv translations: skipped until the lead has merged /tmp/i18n/reminders.json
        # into locale/sv and compiled it.
        with translation.override("sv"):
            if translation.gettext("Late deliveries") == "Late deliveries":
                pytest.skip("the Swedish translations of the reminders are not merged yet")
        case = case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        send()
        message = outbox()[people["manager"].email]
        assert message.subject == "Inventera: 1 sak väntar på dig"
        lines = message.body.splitlines()
        assert lines[0] == "Hej Test Chef,"
        assert "Försenade leveranser" in lines
        assert f"- {case.reference} {case.title}: leveransen väntades 2026-02-20." in lines


class TestCommand:
    def test_prints_the_summary(self, people, case_in, django_capture_on_commit_callbacks):
        case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--date", "2026-03-02", stdout=out)
        assert out.getvalue().strip() == "2 e-mails to 2 people, 1 events"
        assert len(mail.outbox) == 2

    def test_dry_run_prints_the_e_mails(self, people, case_in, django_capture_on_commit_callbacks):
        case = case_in(Stage.ORDERED, expected_delivery=date(2026, 2, 20))
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--dry-run", "--date", "2026-03-02", stdout=out)
        printed = out.getvalue()
        assert f"To: {people['it'].email} [en]" in printed
        assert case_url(case) in printed
        assert printed.strip().endswith("Dry run, nothing sent: 2 e-mails to 2 people, 1 events")
        assert mail.outbox == []
        assert not ReminderSent.objects.exists()

    def test_a_bad_date_is_refused(self, db):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("send_reminders", "--date", "2.3.2026")
