"""Mailed report subscriptions: who gets what, in which language, and never twice.

The mails go to Django's locmem backend (`mail.outbox`); each attachment is read back
(PDF text with pypdf, workbooks with openpyxl) to see what the reader got.
"""

import io
import smtplib
from datetime import date
from io import StringIO

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from inventory import roles
from inventory.choices import AssetStatus
from inventory.models import Profile
from reports.choices import FileFormat, Frequency, ReportName
from reports.models import ReportSent
from reports.services import subscription_create
from reports.subscriptions import period_of, reports_send
from tests.factories import AssetFactory, make_role_user

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 11, 27)  # ISO week 48
SUNDAY = date(2026, 11, 29)  # still week 48
MONDAY = date(2026, 11, 30)  # week 49, still November
CASE_YEAR_DAY = date(2026, 3, 2)
SITE = "http://127.0.0.1:8000"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down: every send raises, as smtplib does."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


FAILING_BACKEND = f"{__name__}.FailingBackend"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"


def mailable(user, language: str = "sv"):
    user.email = f"{user.username}@kommun.example"
    user.save(update_fields=["email"])
    Profile.objects.filter(user=user).update(language=language)
    return user


def subscribe(user, report=ReportName.IT_STATUS, frequency=Frequency.WEEKLY, **fields):
    fields.setdefault("file_format", FileFormat.PDF)
    return subscription_create(actor=user, report=report, frequency=frequency, **fields)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send(today=FRIDAY, dry_run=False): a run, its mails sent on commit."""

    def run(today=FRIDAY, dry_run=False):
        with django_capture_on_commit_callbacks(execute=True):
            return reports_send(today=today, dry_run=dry_run)

    return run


@pytest.fixture
def register(hb_asset, no_asset, hb_floor2, workstation):
    """HB-PC-01 and a second HB asset in repair; NO-PC-01 in NO."""
    AssetFactory(
        tag="HB-PC-02",
        library=hb_floor2.library,
        location=hb_floor2,
        category=workstation,
        status=AssetStatus.IN_REPAIR,
    )
    return {"hb": [hb_asset, "HB-PC-02"], "no": [no_asset]}


@pytest.fixture
def cases(make_case, chef, admin_user_role, hb, no):
    hb_case = make_case(chef, hb, title="Hörslingor till Stadsbiblioteket", today=CASE_YEAR_DAY)
    no_case = make_case(admin_user_role, no, title="Skrivare till Norr", today=CASE_YEAR_DAY)
    return {"hb": hb_case, "no": no_case}


def plain(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def attachment(message) -> tuple[str, bytes, str]:
    assert len(message.attachments) == 1
    filename, content, mimetype = message.attachments[0]
    return filename, content, mimetype


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return plain(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def workbook(content: bytes):
    assert content.startswith(b"PK")
    return openpyxl.load_workbook(io.BytesIO(content))


def by_recipient() -> dict[str, mail.EmailMessage]:
    """The mails sent, by recipient; fails if anyone got two."""
    recipients = [message.to[0] for message in mail.outbox]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert len(recipients) == len(set(recipients)), "more than one mail to a person"
    return {message.to[0]: message for message in mail.outbox}


def periods(subscription) -> list[str]:
    return sorted(
        ReportSent.objects.filter(subscription=subscription).values_list("period", flat=True)
    )


# What is sent


def test_each_due_subscription_gets_one_mail_with_its_report_attached(
    register, chef, it_user, send
):
    """A weekly PDF and a monthly XLSX are both due on the first run: one mail each, to
    the subscriber, with the report as the attachment, recorded for its period."""
    manager, it = mailable(chef), mailable(it_user)
    weekly = subscribe(manager, library=register["hb"][0].library)
    monthly = subscribe(it, frequency=Frequency.MONTHLY, file_format=FileFormat.XLSX)

    run = send()

    assert len(run.mails) == 2 and run.failed == []
    sent = by_recipient()
    assert set(sent) == {"chef@kommun.example", "it@kommun.example"}

    pdf_mail = sent["chef@kommun.example"]
    assert pdf_mail.subject == "Inventera: IT-statusrapport 2026-11-27"
    assert pdf_mail.body.startswith("Hej Test Chef,")
    assert "Här är IT-statusrapport per 2026-11-27 (Exempelkommunen – Stadsbiblioteket)" in plain(
        pdf_mail.body
    )
    assert f"{SITE}/reports/" in pdf_mail.body
    filename, content, mimetype = attachment(pdf_mail)
    assert filename == "inventera-it-status-2026-11-27.pdf"
    assert mimetype == "application/pdf"
    text = pdf_text(content)
    assert "IT-statusrapport" in text and "Sida 1 av" in text
    assert "HB-PC-01" in text and "HB-PC-02" in text

    xlsx_mail = sent["it@kommun.example"]
    filename, content, mimetype = attachment(xlsx_mail)
    assert filename == "inventera-it-status-2026-11-27.xlsx"
    assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = workbook(content)
    assert book.sheetnames[0] == "Om rapporten"
    rows = {row[0].value: row[-1].value for row in book["Per bibliotek"].iter_rows(min_row=2)}
    assert rows == {"Norrbiblioteket": 1, "Stadsbiblioteket": 2, "Totalt": 3}

    assert periods(weekly) == ["2026-W48"]
    assert periods(monthly) == ["2026-11"]


def test_a_user_who_reads_english_gets_the_mail_and_report_in_english(
    register, chef, it_user, send
):
    """The language is the subscriber's own: English for one, Swedish for the other, in
    the same run."""
    english = mailable(it_user, "en")
    swedish = mailable(chef, "sv")
    subscribe(english, file_format=FileFormat.PDF)
    subscribe(english, frequency=Frequency.MONTHLY, file_format=FileFormat.XLSX)
    subscribe(swedish)

    send()

    assert len(mail.outbox) == 3
    english_mails = [m for m in mail.outbox if m.to == [english.email]]
    swedish_mail = next(m for m in mail.outbox if m.to == [swedish.email])
    assert len(english_mails) == 2
    for message in english_mails:
        assert message.subject == "Inventera: IT status report 2026-11-27"
        assert message.body.startswith("Hello Test It,")
        assert "Here is the IT status report as of 2026-11-27" in message.body
    pdf = next(attachment(m)[1] for m in english_mails if attachment(m)[0].endswith(".pdf"))
    text = pdf_text(pdf)
    assert "IT status report" in text and "Page 1 of" in text
    assert "Sida" not in text and "IT-statusrapport" not in text
    xlsx = next(attachment(m)[1] for m in english_mails if attachment(m)[0].endswith(".xlsx"))
    book = workbook(xlsx)
    assert book.sheetnames[0] == "About the report"
    assert "By library" in book.sheetnames

    assert swedish_mail.subject == "Inventera: IT-statusrapport 2026-11-27"
    assert "Sida 1 av" in pdf_text(attachment(swedish_mail)[1])


# Never twice


def test_a_weekly_report_is_sent_once_per_iso_week(register, chef, send):
    subscription = subscribe(mailable(chef))

    send(FRIDAY)
    send(FRIDAY)
    send(SUNDAY)
    assert len(mail.outbox) == 1
    assert periods(subscription) == ["2026-W48"]

    send(MONDAY)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Inventera: IT-statusrapport 2026-11-30"
    assert attachment(mail.outbox[1])[0] == "inventera-it-status-2026-11-30.pdf"
    send(date(2026, 12, 4))
    assert len(mail.outbox) == 2
    assert periods(subscription) == ["2026-W48", "2026-W49"]


def test_the_week_turns_from_sunday_to_monday(register, chef, send):
    """First sent on a Sunday, the report is due again the next day, a Monday."""
    subscription = subscribe(mailable(chef))

    send(SUNDAY)
    send(MONDAY)

    assert [m.subject for m in mail.outbox] == [
        "Inventera: IT-statusrapport 2026-11-29",
        "Inventera: IT-statusrapport 2026-11-30",
    ]
    assert periods(subscription) == ["2026-W48", "2026-W49"]


def test_a_week_across_new_year_is_one_week(register, chef, send):
    """31 December 2026 (Thursday) and 1 January 2027 (Friday) are both in ISO week
    2026-W53: one mail."""
    subscription = subscribe(mailable(chef))

    send(date(2026, 12, 31))
    send(date(2027, 1, 1))
    assert len(mail.outbox) == 1
    send(date(2027, 1, 4))
    assert len(mail.outbox) == 2
    assert periods(subscription) == ["2026-W53", "2027-W01"]


def test_a_monthly_report_is_sent_once_per_calendar_month(register, chef, send):
    subscription = subscribe(mailable(chef), frequency=Frequency.MONTHLY)

    send(FRIDAY)
    send(MONDAY)  # a new week, the same month
    assert len(mail.outbox) == 1
    send(date(2026, 12, 1))
    send(date(2026, 12, 31))
    assert len(mail.outbox) == 2
    send(date(2027, 1, 1))
    assert len(mail.outbox) == 3
    assert periods(subscription) == ["2026-11", "2026-12", "2027-01"]


def test_period_of():
    assert period_of(Frequency.WEEKLY, FRIDAY) == "2026-W48"
    assert period_of(Frequency.WEEKLY, SUNDAY) == "2026-W48"
    assert period_of(Frequency.WEEKLY, MONDAY) == "2026-W49"
    assert period_of(Frequency.WEEKLY, date(2027, 1, 1)) == "2026-W53"
    assert period_of(Frequency.WEEKLY, date(2027, 1, 4)) == "2027-W01"
    assert period_of(Frequency.MONTHLY, FRIDAY) == "2026-11"
    assert period_of(Frequency.MONTHLY, date(2027, 1, 1)) == "2027-01"


# Only what the user may see


def test_a_library_manager_subscribed_to_every_library_gets_only_their_own(
    register, cases, chef, send
):
    """The manager of HB, subscribed with no library chosen, gets HB's assets and cases
    and nothing of NO's."""
    manager = mailable(chef)
    subscribe(manager, file_format=FileFormat.PDF)
    subscribe(manager, report=ReportName.STRATEGIST, file_format=FileFormat.XLSX)

    send()

    assert len(mail.outbox) == 2
    by_name = {attachment(m)[0]: attachment(m)[1] for m in mail.outbox}
    it_status = pdf_text(by_name["inventera-it-status-2026-11-27.pdf"])
    assert "HB-PC-01" in it_status and "HB-PC-02" in it_status
    assert "NO-PC-01" not in it_status and "Norrbiblioteket" not in it_status

    strategist = workbook(by_name["inventera-strategist-2026-11-27.xlsx"])
    cells = {
        str(cell.value)
        for sheet in strategist
        for row in sheet.iter_rows()
        for cell in row
        if cell.value
    }
    assert "HB 2026/0001" in cells and "Hörslingor till Stadsbiblioteket" in cells
    assert "NO 2026/0001" not in cells and "Skrivare till Norr" not in cells
    assert not any("Norrbiblioteket" in value for value in cells)
    assert "Alla du har tillgång till: HB" in cells


def test_a_library_the_user_can_no_longer_see_is_skipped(register, chef, no, send):
    """Moved from HB to NO after subscribing to HB's report: nothing is sent or recorded,
    and the run says why."""
    manager = mailable(chef)
    subscription = subscribe(manager, library=register["hb"][0].library)
    manager.profile.libraries.set([no])

    run = send()

    assert mail.outbox == []
    assert run.mails == []
    assert [(s.pk, reason) for s, reason in run.skipped] == [
        (subscription.pk, "the user may no longer see the library")
    ]
    assert not ReportSent.objects.exists()


def test_a_user_who_lost_the_permission_is_skipped(register, chef, it_user, send):
    """A manager who moved to IT keeps the IT status report but no longer gets the
    strategist report; IT staff who lost their role get neither."""
    manager = mailable(chef)
    it = mailable(it_user)
    kept = subscribe(manager)
    lost = subscribe(manager, report=ReportName.STRATEGIST)
    gone = subscribe(it)
    manager.groups.set([Group.objects.get(name=roles.IT_STAFF)])
    it.groups.clear()

    run = send()

    assert [attachment(m)[0] for m in mail.outbox] == ["inventera-it-status-2026-11-27.pdf"]
    assert mail.outbox[0].to == [manager.email]
    assert {s.pk: reason for s, reason in run.skipped} == {
        lost.pk: "the user may no longer have this report",
        gone.pk: "the user may no longer have this report",
    }
    assert periods(kept) == ["2026-W48"]
    assert periods(lost) == [] and periods(gone) == []


def test_an_inactive_user_or_one_without_email_is_skipped(register, chef, it_user, strateg, send):
    inactive = mailable(chef)
    no_email = it_user
    active = mailable(strateg)
    skipped_inactive = subscribe(inactive)
    skipped_no_email = subscribe(no_email)
    subscribe(active)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    run = send()

    assert [m.to for m in mail.outbox] == [[active.email]]
    assert {s.pk: reason for s, reason in run.skipped} == {
        skipped_inactive.pk: "the user is inactive",
        skipped_no_email.pk: "the user has no e-mail address",
    }
    assert periods(skipped_inactive) == [] and periods(skipped_no_email) == []

    # Given an address, the skipped subscription is sent on the next run, the same week.
    mailable(no_email)
    send(SUNDAY)
    assert [m.to for m in mail.outbox] == [[active.email], [no_email.email]]


# The command


def test_dry_run_prints_what_would_be_sent_and_sends_and_records_nothing(
    register, chef, it_user, django_capture_on_commit_callbacks
):
    manager = mailable(chef)
    subscription = subscribe(manager)
    subscribe(it_user)  # no e-mail address
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("send_reports", "--dry-run", "--date", "2026-11-27", stdout=out)

    output = out.getvalue()
    assert (
        "Would send: Inventera: IT-statusrapport 2026-11-27 [sv] to chef@kommun.example" in output
    )
    assert "inventera-it-status-2026-11-27.pdf" in output and "period 2026-W48" in output
    assert "the user has no e-mail address" in output
    assert "Dry run, nothing sent: 1 reports mailed, 1 subscriptions skipped" in output
    assert callbacks == []
    assert mail.outbox == []
    assert not ReportSent.objects.exists()

    # The dry run claimed nothing: the real run the same day sends it.
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reports", "--date", "2026-11-27", stdout=out)
    assert (
        "Sent: Inventera: IT-statusrapport 2026-11-27 [sv] to chef@kommun.example" in out.getvalue()
    )
    assert len(mail.outbox) == 1
    assert periods(subscription) == ["2026-W48"]


def test_command_with_a_bad_date_is_an_error(db):
    with pytest.raises(CommandError, match="--date must be YYYY-MM-DD"):
        call_command("send_reports", "--date", "2026-11-31")


def test_a_mail_that_fails_is_not_recorded_and_is_sent_on_the_next_run(
    register, chef, it_user, settings, send
):
    """The mail server is down: no ReportSent is kept, so the next run (the mail server
    back) sends the report for the same period."""
    manager = mailable(chef)
    subscription = subscribe(manager)
    settings.EMAIL_BACKEND = FAILING_BACKEND

    run = send()

    assert [m.subscription.pk for m in run.failed] == [subscription.pk]
    assert mail.outbox == []
    assert not ReportSent.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run = send(SUNDAY)
    assert run.failed == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Inventera: IT-statusrapport 2026-11-29"
    assert periods(subscription) == ["2026-W48"]


@pytest.fixture
def committed_subscription(migration_data, hb, hb_floor2, workstation, ruleset):
    """A subscription in a transactional test, where each commit runs its callbacks at
    once, as under cron."""
    AssetFactory(tag="HB-PC-01", library=hb, location=hb_floor2, category=workstation)
    manager = mailable(make_role_user(roles.LIBRARY_MANAGER, "chef", [hb]))
    return subscribe(manager)


@pytest.mark.django_db(transaction=True)
def test_command_says_a_failed_mail_will_be_tried_again(committed_subscription, settings):
    """Run as cron runs it (every write committed), a failed mail makes the command fail
    and leaves nothing recorded; the next run sends it."""
    settings.EMAIL_BACKEND = FAILING_BACKEND
    with pytest.raises(CommandError, match="1 could not be sent and will be tried again"):
        call_command("send_reports", "--date", "2026-11-27", stdout=StringIO())
    assert not ReportSent.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()
    call_command("send_reports", "--date", "2026-11-28", stdout=out)
    assert "1 reports mailed, 0 subscriptions skipped" in out.getvalue()
    assert len(mail.outbox) == 1
    assert periods(committed_subscription) == ["2026-W48"]


@pytest.mark.django_db(transaction=True)
def test_command_does_not_report_a_failed_mail_as_sent(committed_subscription, settings):
    """A mail the server refused is not listed as "Sent" nor counted as mailed."""
    settings.EMAIL_BACKEND = FAILING_BACKEND
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("send_reports", "--date", "2026-11-27", stdout=out)

    assert "Sent:" not in out.getvalue()
    assert "0 reports mailed" in str(error.value)
