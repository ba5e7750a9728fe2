"""The work on the floor where others read it: overdue loans and the last stocktake on
the dashboard, loans and trial returns in the reminders e-mail, trials in the strategist
report and on the case status sheet. Each for the roles that may see it, and not for
those who may not."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from pypdf import PdfReader

from inventory import loans, stocktakes, trials
from inventory.choices import AssetStatus, Ownership
from inventory.models import Loan, Profile
from procurement.evidence import case_attach_trial
from procurement.reminders import reminders_due, reminders_send
from reports.layouts import case_sheet_document, strategist_document
from reports.render import render
from reports.selectors import municipality_scope, strategist_report
from reports.selectors.cases import case_sheet
from tests.factories import AssetFactory, make_role_user

pytestmark = pytest.mark.django_db


def day(offset: int):
    return timezone.localdate() + timedelta(days=offset)


def mailable(user, language="sv"):
    user.email = f"{user.username}@kommun.example"
    user.save(update_fields=["email"])
    Profile.objects.filter(user=user).update(language=language)
    return user


def pdf_text(document) -> str:
    reader = PdfReader(io.BytesIO(render(document, "pdf")))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def kits(hb_floor2, no_public, vr_kit):
    made = {}
    for place, tag in ((hb_floor2, "HB-VR-01"), (no_public, "NO-VR-01")):
        made[tag] = AssetFactory(
            tag=tag,
            library=place.library,
            location=place,
            category=vr_kit,
            lendable=True,
            status=AssetStatus.IN_USE,
        )
    return made


def lent_until(actor, asset, due_offset: int, borrower: str) -> Loan:
    """A loan out since three days before its due day (`due_offset` from today)."""
    loan = loans.loan_book(
        actor=actor, asset=asset, borrower=borrower, starts_on=day(0), due_on=day(0)
    )
    loan = loans.loan_lend(actor=actor, loan=loan)
    Loan.objects.filter(pk=loan.pk).update(starts_on=day(due_offset - 3), due_on=day(due_offset))
    return Loan.objects.get(pk=loan.pk)


# --- the dashboard ------------------------------------------------------------------------


def test_overdue_loans_on_the_dashboard_from_the_day_after_the_due_day(
    client_for, chef, it_user, strateg, kits
):
    lent_until(it_user, kits["HB-VR-01"], -1, "Vuxenskolan")
    lent_until(it_user, kits["NO-VR-01"], 0, "Norrbibliotekets kurs")

    page = client_for(it_user).get("/").content.decode()
    assert "Vuxenskolan" in page
    # Due back today: not late yet.
    assert "Norrbibliotekets kurs" not in page

    Loan.objects.filter(asset=kits["NO-VR-01"]).update(due_on=day(-2))
    page = client_for(it_user).get("/").content.decode()
    assert "Vuxenskolan" in page and "Norrbibliotekets kurs" in page
    assert "2 dagar sen" in page and "1 dag sen" in page
    # A library manager sees only the own library's loans; the strategist reads all.
    page = client_for(chef).get("/").content.decode()
    assert "Vuxenskolan" in page and "Norrbibliotekets kurs" not in page
    page = client_for(strateg).get("/").content.decode()
    assert "Norrbibliotekets kurs" in page


def test_the_last_stocktake_and_its_missing_on_the_dashboard(
    client_for, chef, it_user, hb, no, hb_asset, no_asset, hb_floor2, workstation
):
    other = AssetFactory(tag="HB-PC-02", library=hb, location=hb_floor2, category=workstation)
    counted = stocktakes.stocktake_start(actor=it_user, library=hb)
    stocktakes.stocktake_mark_seen(actor=it_user, stocktake=counted, assets=[other])
    stocktakes.stocktake_close(actor=it_user, stocktake=counted)
    no_count = stocktakes.stocktake_start(actor=it_user, library=no)
    stocktakes.stocktake_close(actor=it_user, stocktake=no_count)

    page = client_for(chef).get("/").content.decode()
    assert "1 av 2 sedda" in page
    assert "HB-PC-01" in page  # the missing one
    assert "Norrbiblioteket" not in page and "NO-PC-01" not in page
    page = client_for(it_user).get("/").content.decode()
    assert "Norrbiblioteket" in page and "NO-PC-01" in page


def test_the_dashboard_offers_no_loans_or_stocktakes_to_a_role_without_them(
    client_for, hb, kits, it_user
):
    lent_until(it_user, kits["HB-VR-01"], -1, "Vuxenskolan")
    reader = make_role_user("Bibliotekschef", "läsare", [hb])
    reader.groups.clear()
    reader.user_permissions.add(*Permission.objects.filter(codename="view_asset"))
    page = client_for(reader).get("/").content.decode()
    assert "Vuxenskolan" not in page
    assert "Senaste inventering" not in page


# --- the reminders ------------------------------------------------------------------------


def test_an_overdue_loan_is_mailed_once_to_the_lender_and_the_library_managers(
    chef, it_user, hb, kits
):
    lender = mailable(it_user, "en")
    manager = mailable(chef)
    other_manager = mailable(make_role_user("Bibliotekschef", "norrchef", []))
    other_manager.profile.libraries.add(kits["NO-VR-01"].library)
    lent_until(it_user, kits["HB-VR-01"], -1, "Vuxenskolan")
    lent_until(it_user, kits["NO-VR-01"], 0, "Kursen")  # due today: no reminder

    due = [r for r in reminders_due(today=day(0)) if r.kind == "loan"]
    assert sorted((r.user_id, r.label.split()[0]) for r in due) == sorted(
        [(lender.pk, "HB-VR-01"), (manager.pk, "HB-VR-01")]
    )
    assert due[0].url.endswith("/inventory/assets/HB-VR-01/loans/")

    run = reminders_send(today=day(0))
    bodies = {email.user.pk: email.body for email in run.emails}
    assert "lent to Vuxenskolan, due back on" in bodies[lender.pk]
    assert "utlånad till Vuxenskolan, skulle tillbaka" in bodies[manager.pk]
    assert other_manager.pk not in bodies
    assert not [r for r in reminders_due(today=day(0)) if r.kind == "loan"]


def test_a_trial_unit_is_reminded_a_week_before_it_goes_back(it_user, chef, hb_floor2, vr_kit):
    mailable(it_user)
    mailable(chef)

    def unit(tag, back_in):
        return AssetFactory(
            tag=tag,
            library=hb_floor2.library,
            location=hb_floor2,
            category=vr_kit,
            ownership=Ownership.TRIAL,
            trial_return_by=day(back_in),
        )

    unit("T-7", 7)
    unit("T-8", 8)
    unit("T-LATE", -1)
    due = {r.label.split()[0] for r in reminders_due(today=day(0)) if r.kind == "trial"}
    assert due == {"T-7", "T-LATE"}
    run = reminders_send(today=day(0))
    assert any("T-7" in email.body and "leverantören" in email.body for email in run.emails)
    assert not [r for r in reminders_due(today=day(0)) if r.kind == "trial"]


# --- the strategist report and the case status sheet -------------------------------------


@pytest.fixture
def tablet(hb_floor2, vr_kit, chef):
    asset = AssetFactory(
        tag="HB-TAB-01",
        library=hb_floor2.library,
        location=hb_floor2,
        category=vr_kit,
        ownership=Ownership.TRIAL,
        trial_return_by=day(5),
    )
    for offset, group, rating, comment in (
        (-20, "Seniorkurs", 4, "Lätt att hålla"),
        (-10, "Språkcafé", 5, "Alla ville prova"),
        (-3, "Drop-in", 2, "Speglade i fönstret"),
    ):
        trials.trial_session_log(
            actor=chef,
            asset=asset,
            held_on=day(offset),
            tried="E-böcker",
            group=group,
            rating=rating,
            comment=comment,
        )
    return asset


def test_the_strategist_report_summarises_each_trial(tablet):
    report = strategist_report(municipality_scope())
    [row] = report.trials
    assert (row.tag, row.sessions, str(row.average_rating), row.return_by) == (
        "HB-TAB-01",
        3,
        "3.7",
        day(5),
    )
    assert [comment.split(": ")[1] for comment in row.comments] == [
        "Speglade i fönstret",
        "Alla ville prova",
        "Lätt att hålla",
    ]
    text = pdf_text(strategist_document(report))
    assert "Tester med besökare" in text
    assert "HB-TAB-01" in text and "3,7" in text and "Speglade i fönstret" in text


def test_the_case_sheet_shows_the_trials_its_reader_may_see(
    tablet, chef, it_user, hb, no_public, vr_kit, make_case
):
    case = make_case(chef, hb)
    case_attach_trial(actor=chef, case=case, asset=tablet)
    elsewhere = AssetFactory(
        tag="NO-TAB-09",
        library=no_public.library,
        location=no_public,
        category=vr_kit,
        ownership=Ownership.TRIAL,
        trial_return_by=day(9),
    )
    case_attach_trial(actor=it_user, case=case, asset=elsewhere)

    text = pdf_text(case_sheet_document(case_sheet(case, reader=chef)))
    assert "Tester med besökare" in text
    assert "HB-TAB-01" in text and "3,7" in text and "Alla ville prova" in text
    assert "NO-TAB-09" not in text
    text = pdf_text(case_sheet_document(case_sheet(case, reader=it_user)))
    assert "NO-TAB-09" in text


def test_a_case_without_trials_has_no_trial_section(chef, hb, make_case):
    case = make_case(chef, hb)
    assert "Tester med besökare" not in pdf_text(case_sheet_document(case_sheet(case)))
