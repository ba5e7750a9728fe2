"""Loans of lendable equipment: booking without overlaps, lending out and taking back
with the category's checklist (a fault report for what is missing), who may do what,
the overdue loans, the pages, and the status page that now leaves loans to them."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from inventory import loans
from inventory.choices import AssetStatus, FaultStatus, FaultUrgency, LoanState
from inventory.forms import AssetStatusForm
from inventory.history import records_for
from inventory.models import Asset, FaultReport, Loan
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db

CHECKLIST = "Headset\nTwo controllers\n\n  Cleaned  \nCharged\nHeadset\n"
ITEMS = ["Headset", "Two controllers", "Cleaned", "Charged"]


def day(offset: int):
    return timezone.localdate() + timedelta(days=offset)


@pytest.fixture
def kit_category(vr_kit):
    vr_kit.loan_checklist = CHECKLIST
    vr_kit.save()
    return vr_kit


@pytest.fixture
def kit(hb_floor2, kit_category):
    return AssetFactory(
        tag="HB-VR-01",
        library=hb_floor2.library,
        location=hb_floor2,
        category=kit_category,
        lendable=True,
        status=AssetStatus.IN_USE,
    )


@pytest.fixture
def no_kit(no_public, kit_category):
    return AssetFactory(
        tag="NO-VR-01",
        library=no_public.library,
        location=no_public,
        category=kit_category,
        lendable=True,
        status=AssetStatus.IN_STOCK,
    )


def book(actor, asset, start=1, end=3, borrower="Norrbiblioteket"):
    return loans.loan_book(
        actor=actor, asset=asset, borrower=borrower, starts_on=day(start), due_on=day(end)
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def lent(actor, asset, start=0, end=3, borrower="Vuxenskolan"):
    return loans.loan_lend(actor=actor, loan=book(actor, asset, start, end, borrower))


# --- booking ---------------------------------------------------------------------------


def test_a_booking_holds_the_asset_for_its_days(chef, kit):
    loan = book(chef, kit, 1, 3)
    assert (loan.state, loan.booked_by, loan.borrower) == (
        LoanState.BOOKED,
        chef,
        "Norrbiblioteket",
    )
    assert (loan.starts_on, loan.due_on) == (day(1), day(3))
    assert [r.action for r in records_for(loan)] == ["created"]
    # Booking does not move the asset: it is still where it was until it is lent out.
    assert fresh(kit).status == AssetStatus.IN_USE


@pytest.mark.parametrize(
    ("start", "end", "free"),
    [
        (3, 5, False),  # starts on the other's last day: both days are inclusive
        (4, 6, True),  # the day after
        (0, 1, False),  # ends on the other's first day
        (0, 0, True),  # the day before
        (2, 2, False),  # inside
        (0, 9, False),  # around
    ],
)
def test_two_bookings_never_share_a_day(chef, kit, start, end, free):
    book(chef, kit, 1, 3, borrower="Vuxenskolan")
    if free:
        assert book(chef, kit, start, end).state == LoanState.BOOKED
        return
    with pytest.raises(ValidationError) as refused:
        book(chef, kit, start, end)
    message = refused.value.message_dict[NON_FIELD_ERRORS][0]
    # The message names the booking in the way: its borrower and its days.
    assert "Vuxenskolan" in message
    assert day(1).isoformat() in message and day(3).isoformat() in message
    assert Loan.objects.count() == 1


def test_cancelled_and_returned_loans_leave_their_days_free(chef, kit):
    loans.loan_cancel(actor=chef, loan=book(chef, kit, 1, 3))
    returned = lent(chef, kit, 0, 5)
    loans.loan_return(actor=chef, loan=returned, ticked=ITEMS)
    assert book(chef, kit, 0, 5).state == LoanState.BOOKED


def test_a_loan_out_holds_its_days(chef, kit):
    lent(chef, kit, 0, 3, borrower="Seniorcaféet")
    with pytest.raises(ValidationError) as refused:
        book(chef, kit, 3, 4)
    assert "Seniorcaféet" in refused.value.messages[0]


def test_the_first_day_may_be_today_not_yesterday_and_the_last_not_before_it(chef, kit):
    with pytest.raises(ValidationError) as refused:
        book(chef, kit, -1, 2)
    assert set(refused.value.message_dict) == {"starts_on"}
    with pytest.raises(ValidationError) as refused:
        book(chef, kit, 3, 2)
    assert set(refused.value.message_dict) == {"due_on"}
    one_day = book(chef, kit, 0, 0)
    assert one_day.starts_on == one_day.due_on == day(0)


def test_a_borrower_is_needed(chef, kit):
    with pytest.raises(ValidationError) as refused:
        loans.loan_book(actor=chef, asset=kit, borrower="  ", starts_on=day(1), due_on=day(2))
    assert set(refused.value.message_dict) == {"borrower"}


def test_only_a_lendable_asset_is_booked(chef, hb_asset):
    with pytest.raises(ValidationError) as refused:
        book(chef, hb_asset)
    assert hb_asset.tag in refused.value.messages[0]
    assert not Loan.objects.exists()


@pytest.mark.parametrize("status", [AssetStatus.ORDERED, AssetStatus.RETIRED, AssetStatus.DISPOSED])
def test_an_asset_ordered_retired_or_disposed_of_is_not_booked(chef, kit, status):
    Asset.objects.filter(pk=kit.pk).update(status=status)
    with pytest.raises(ValidationError):
        book(chef, fresh(kit))
    assert not Loan.objects.exists()


def test_an_asset_in_repair_may_be_booked_for_later(chef, kit):
    Asset.objects.filter(pk=kit.pk).update(status=AssetStatus.IN_REPAIR)
    assert book(chef, fresh(kit), 10, 12).state == LoanState.BOOKED


# --- lending out -----------------------------------------------------------------------


def test_lending_out_moves_the_asset_through_the_status_service(chef, kit):
    loan = loans.loan_lend(actor=chef, loan=book(chef, kit, 0, 3))
    assert (loan.state, loan.lent_by) == (LoanState.OUT, chef)
    assert loan.lent_at is not None
    asset = fresh(kit)
    assert (asset.status, asset.status_before_loan) == (AssetStatus.ON_LOAN, AssetStatus.IN_USE)
    assert (asset.loan_borrower, asset.loan_due) == ("Norrbiblioteket", day(3))
    assert asset.version == kit.version + 1
    assert records_for(asset).first().changes["status"] == ["in_use", "on_loan"]


def test_handed_out_early_the_loan_starts_that_day(chef, kit):
    loan = loans.loan_lend(actor=chef, loan=book(chef, kit, 2, 4))
    assert (loan.starts_on, loan.due_on) == (day(0), day(4))
    assert records_for(loan).first().changes["starts_on"] == [
        day(2).isoformat(),
        day(0).isoformat(),
    ]


def test_handed_out_early_is_refused_over_another_booking(chef, kit):
    book(chef, kit, 1, 2, borrower="Skolklass 7B")
    later = book(chef, kit, 5, 6)
    with pytest.raises(ValidationError) as refused:
        loans.loan_lend(actor=chef, loan=later)
    assert "Skolklass 7B" in refused.value.messages[0]
    assert fresh(later).state == LoanState.BOOKED and fresh(later).starts_on == day(5)
    assert fresh(kit).status == AssetStatus.IN_USE


def test_an_asset_in_repair_is_not_lent_out(chef, kit):
    loan = book(chef, kit, 0, 2)
    Asset.objects.filter(pk=kit.pk).update(status=AssetStatus.IN_REPAIR)
    with pytest.raises(ValidationError) as refused:
        loans.loan_lend(actor=chef, loan=loan)
    assert str(AssetStatus.IN_REPAIR.label) in refused.value.messages[0]
    assert fresh(loan).state == LoanState.BOOKED


def test_a_loan_is_lent_out_once(chef, kit):
    loan = lent(chef, kit)
    with pytest.raises(ValidationError):
        loans.loan_lend(actor=chef, loan=loan)


def test_a_booking_whose_days_have_passed_is_not_lent_out(chef, kit):
    loan = Loan.objects.create(
        asset=kit, borrower="X", starts_on=day(-3), due_on=day(-1), booked_by=chef
    )
    with pytest.raises(ValidationError):
        loans.loan_lend(actor=chef, loan=loan)
    assert fresh(loan).state == LoanState.BOOKED


def test_lending_out_on_a_day_to_come_is_refused(chef, kit):
    with pytest.raises(ValidationError) as refused:
        loans.loan_lend(actor=chef, loan=book(chef, kit, 0, 3), on=day(1))
    assert set(refused.value.message_dict) == {"on"}


# --- taking back -----------------------------------------------------------------------


def test_a_complete_return_puts_the_asset_back_where_it_was(chef, kit):
    Asset.objects.filter(pk=kit.pk).update(status=AssetStatus.IN_STOCK)
    loan = loans.loan_return(actor=chef, loan=lent(chef, fresh(kit)), ticked=ITEMS)
    assert (loan.state, loan.returned_by) == (LoanState.RETURNED, chef)
    assert loan.return_checklist == [{"item": item, "ok": True} for item in ITEMS]
    assert loan.fault_report is None and not FaultReport.objects.exists()
    asset = fresh(kit)
    assert asset.status == AssetStatus.IN_STOCK
    assert (asset.status_before_loan, asset.loan_borrower, asset.loan_due) == ("", "", None)


def test_a_missing_item_needs_a_note_that_says_what(chef, kit):
    loan = lent(chef, kit)
    with pytest.raises(ValidationError) as refused:
        loans.loan_return(actor=chef, loan=loan, ticked=["Headset", "Cleaned", "Charged"])
    message = refused.value.message_dict["note"][0]
    assert "Two controllers" in message and "Headset" not in message
    # Nothing is written: the loan is still out and the asset still on loan.
    assert fresh(loan).state == LoanState.OUT
    assert fresh(kit).status == AssetStatus.ON_LOAN
    assert not FaultReport.objects.exists()


def test_a_missing_item_makes_a_fault_report_for_it(chef, kit):
    loan = lent(chef, kit, borrower="Vuxenskolan")
    loan = loans.loan_return(
        actor=chef,
        loan=loan,
        ticked=["Headset", "Cleaned"],
        note="En handkontroll saknas, laddaren glömd.",
    )
    assert loan.return_checklist == [
        {"item": "Headset", "ok": True},
        {"item": "Two controllers", "ok": False},
        {"item": "Cleaned", "ok": True},
        {"item": "Charged", "ok": False},
    ]
    assert loan.missing_items == ["Two controllers", "Charged"]
    fault = FaultReport.objects.get()
    assert loan.fault_report == fault and fault.loan == loan
    assert (fault.asset, fault.urgency, fault.status) == (kit, FaultUrgency.POOR, FaultStatus.OPEN)
    assert fault.reported_by == chef
    for words in ("Vuxenskolan", "Two controllers", "Charged", "laddaren glömd"):
        assert words in fault.description
    # The asset is back all the same: what to do about the fault is IT's.
    assert fresh(kit).status == AssetStatus.IN_USE


def test_without_a_checklist_a_return_needs_no_ticks(chef, kit, kit_category):
    kit_category.loan_checklist = " \n"
    kit_category.save()
    loan = loans.loan_return(actor=chef, loan=lent(chef, kit), ticked=[])
    assert loan.return_checklist == [] and loan.return_note == ""
    assert not FaultReport.objects.exists()


def test_the_return_day_lies_between_the_lending_and_today(chef, kit):
    loan = lent(chef, kit)
    for on in (day(1), day(-1)):
        with pytest.raises(ValidationError) as refused:
            loans.loan_return(actor=chef, loan=loan, ticked=ITEMS, on=on)
        assert set(refused.value.message_dict) == {"on"}
    assert fresh(loan).state == LoanState.OUT


def test_a_return_registered_afterwards_is_dated_that_day(chef, kit):
    loan = Loan.objects.create(
        asset=kit, borrower="X", starts_on=day(-5), due_on=day(-2), booked_by=chef
    )
    Loan.objects.filter(pk=loan.pk).update(
        state=LoanState.OUT, lent_at=timezone.now() - timedelta(days=5)
    )
    returned = loans.loan_return(actor=chef, loan=fresh(loan), ticked=ITEMS, on=day(-1))
    assert timezone.localdate(returned.returned_at) == day(-1)


def test_a_return_of_an_asset_moved_back_meanwhile_leaves_its_status(chef, kit):
    loan = lent(chef, kit)
    Asset.objects.filter(pk=kit.pk).update(status=AssetStatus.IN_STOCK, status_before_loan="")
    loans.loan_return(actor=chef, loan=loan, ticked=ITEMS)
    assert fresh(kit).status == AssetStatus.IN_STOCK


def test_only_a_loan_that_is_out_is_returned(chef, kit):
    with pytest.raises(ValidationError):
        loans.loan_return(actor=chef, loan=book(chef, kit), ticked=ITEMS)


# --- cancelling ------------------------------------------------------------------------


def test_a_booking_is_cancelled_and_its_days_are_free(chef, kit):
    loan = loans.loan_cancel(actor=chef, loan=book(chef, kit, 1, 3))
    assert loan.state == LoanState.CANCELLED
    assert records_for(loan).first().changes["state"] == ["booked", "cancelled"]
    assert book(chef, kit, 1, 3).state == LoanState.BOOKED


def test_a_loan_out_is_not_cancelled(chef, kit):
    loan = lent(chef, kit)
    with pytest.raises(ValidationError):
        loans.loan_cancel(actor=chef, loan=loan)
    assert fresh(loan).state == LoanState.OUT


# --- who may -----------------------------------------------------------------------------


def test_the_strategist_only_reads(strateg, chef, kit):
    with pytest.raises(PermissionDenied):
        book(strateg, kit)
    loan = book(chef, kit, 0, 2)
    for step in (loans.loan_lend, loans.loan_cancel):
        with pytest.raises(PermissionDenied):
            step(actor=strateg, loan=loan)
    loan = loans.loan_lend(actor=chef, loan=loan)
    with pytest.raises(PermissionDenied):
        loans.loan_return(actor=strateg, loan=loan, ticked=ITEMS)
    assert loans.loans_visible_to(strateg).get() == loan


def test_a_library_manager_is_refused_another_librarys_kit(chef, it_user, no_kit):
    with pytest.raises(PermissionDenied):
        book(chef, no_kit)
    loan = book(it_user, no_kit, 0, 2)
    for step in (loans.loan_lend, loans.loan_cancel):
        with pytest.raises(PermissionDenied):
            step(actor=chef, loan=loan)
    loan = loans.loan_lend(actor=it_user, loan=loan)
    with pytest.raises(PermissionDenied):
        loans.loan_return(actor=chef, loan=loan, ticked=ITEMS)
    assert fresh(loan).state == LoanState.OUT


def test_each_sees_the_loans_of_the_assets_they_see(chef, it_user, strateg, kit, no_kit):
    own, other = book(chef, kit), book(it_user, no_kit)
    assert list(loans.loans_visible_to(chef)) == [own]
    assert set(loans.loans_visible_to(it_user)) == {own, other}
    assert set(loans.loans_visible_to(strateg)) == {own, other}
    assert not loans.loans_visible_to(AnonymousUser()).exists()


# --- overdue -----------------------------------------------------------------------------


def test_overdue_is_out_past_the_due_day(chef, kit, hb_floor2, kit_category):
    today = timezone.localdate()

    def make(tag, state, due):
        asset = AssetFactory(
            tag=tag, library=hb_floor2.library, location=hb_floor2, category=kit_category
        )
        return Loan.objects.create(
            asset=asset, borrower=tag, starts_on=due - timedelta(days=3), due_on=due, state=state
        )

    late = make("A", LoanState.OUT, today - timedelta(days=1))
    make("B", LoanState.OUT, today)  # due back today: not late yet
    make("C", LoanState.BOOKED, today - timedelta(days=1))  # never lent out
    make("D", LoanState.RETURNED, today - timedelta(days=9))
    assert list(loans.overdue_loans(Loan.objects.all(), today=today)) == [late]
    assert list(loans.overdue_loans(loans.loans_visible_to(chef), today=today)) == [late]


def test_a_library_manager_is_not_told_of_another_librarys_late_loan(chef, no_kit):
    Loan.objects.create(
        asset=no_kit, borrower="X", starts_on=day(-5), due_on=day(-2), state=LoanState.OUT
    )
    assert not loans.overdue_loans(loans.loans_visible_to(chef), today=day(0)).exists()


# --- what the pages read -----------------------------------------------------------------


def test_an_assets_loans_now_ahead_lapsed_and_past(chef, kit):
    gone = Loan.objects.create(
        asset=kit, borrower="Förr", starts_on=day(-9), due_on=day(-8), booked_by=chef
    )
    loans.loan_cancel(actor=chef, loan=gone)
    lapsed = Loan.objects.create(
        asset=kit, borrower="Glömd", starts_on=day(-4), due_on=day(-3), booked_by=chef
    )
    now = lent(chef, kit, 0, 2)
    later, latest = book(chef, kit, 10, 11), book(chef, kit, 5, 6)
    view = loans.asset_loans(kit, today=day(0))
    assert view.current == [now] and view.overdue == []
    assert view.upcoming == [latest, later] and view.next == latest
    assert view.lapsed == [lapsed] and view.past == [gone]
    assert view.has_loans
    states = {d.day: d.state for week in view.calendar for d in week}
    assert states[day(0)] == states[day(2)] == "out"
    assert states[day(5)] == states[day(6)] == "booked"
    assert states[day(3)] == "free"
    assert sum(d.is_today for week in view.calendar for d in week) == 1


def test_the_calendar_shows_the_days_a_late_loan_is_still_away():
    today = timezone.localdate()
    loan = Loan(borrower="X", starts_on=today - timedelta(days=3), due_on=today - timedelta(days=2))
    loan.state = LoanState.OUT
    weeks = loans.loan_calendar([loan], today=today, weeks=2)
    assert weeks[0][0].day.weekday() == 0 and len(weeks) == 2
    states = {d.day: d.state for week in weeks for d in week}
    assert states.get(today - timedelta(days=1)) in (None, "overdue")
    assert states[today] == "overdue"
    assert states.get(today + timedelta(days=1)) == "free"


def test_the_checklist_is_one_item_per_line(kit_category):
    assert loans.checklist_items(kit_category) == ITEMS
    assert loans.checklist_items(None) == []


def test_the_overview_lists_lendable_kits_with_their_loans(chef, it_user, kit, no_kit, hb_asset):
    now = lent(chef, kit, 0, 2)
    book(it_user, no_kit, 3, 4)
    schedules = loans.loan_overview(chef, today=day(0))
    assert [s.asset for s in schedules] == [kit]  # not NO's, not the non-lendable one
    assert schedules[0].loans == [now]
    assert {s.asset for s in loans.loan_overview(it_user, today=day(0))} == {kit, no_kit}


# --- the status page leaves loans to the loan pages --------------------------------------


def test_the_status_page_does_not_lend_a_lendable_asset(client_for, it_user, kit):
    form = AssetStatusForm(asset=kit)
    assert "on_loan" not in [c for c, _ in form.fields["to_status"].choices]
    url = reverse("inventory:asset_status", args=[kit.tag])
    page = client_for(it_user).get(url)
    assert reverse("inventory:asset_loans", args=[kit.tag]).encode() in page.content
    assert b'name="borrower"' not in page.content
    refused = client_for(it_user).post(
        url,
        {"to_status": "on_loan", "version": kit.version, "borrower": "X", "loan_due": day(2)},
    )
    assert refused.status_code == 200 and refused.context["form"].errors
    assert fresh(kit).status == AssetStatus.IN_USE


def test_a_kit_lent_on_a_loan_comes_back_by_its_return(client_for, it_user, kit):
    loan = lent(it_user, kit)
    url = reverse("inventory:asset_status", args=[kit.tag])
    page = client_for(it_user).get(url)
    assert page.context["form"].fields["to_status"].choices == []
    assert reverse("inventory:loan_return", args=[kit.tag, loan.pk]).encode() in page.content
    refused = client_for(it_user).post(url, {"to_status": "in_use", "version": fresh(kit).version})
    assert refused.status_code == 200
    assert fresh(kit).status == AssetStatus.ON_LOAN and fresh(loan).state == LoanState.OUT


def test_a_kit_on_loan_from_an_old_register_comes_back_by_the_status_page(client_for, it_user, kit):
    Asset.objects.filter(pk=kit.pk).update(
        status=AssetStatus.ON_LOAN, loan_borrower="Gamla registret", status_before_loan=""
    )
    url = reverse("inventory:asset_status", args=[kit.tag])
    response = client_for(it_user).post(url, {"to_status": "in_use", "version": kit.version})
    assert response.status_code == 302
    assert fresh(kit).status == AssetStatus.IN_USE


# --- the pages ---------------------------------------------------------------------------


def loans_url(asset):
    return reverse("inventory:asset_loans", args=[asset.tag])


def test_booking_on_the_page(client_for, chef, kit):
    client = client_for(chef)
    page = client.get(loans_url(kit))
    assert page.status_code == 200 and b'id="book-heading"' in page.content
    response = client.post(
        loans_url(kit),
        {"borrower": "Kulturskolan", "starts_on": day(1), "due_on": day(2), "note": "Kurs"},
    )
    loan = Loan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{loans_url(kit)}#loan-{loan.pk}"
    assert (loan.borrower, loan.note, loan.booked_by) == ("Kulturskolan", "Kurs", chef)
    page = client.get(loans_url(kit))
    assert "Kulturskolan" in page.content.decode()


def test_an_overlapping_booking_is_refused_on_the_page_with_what_was_typed(client_for, chef, kit):
    book(chef, kit, 1, 3, borrower="Vuxenskolan")
    response = client_for(chef).post(
        loans_url(kit), {"borrower": "Kulturskolan", "starts_on": day(2), "due_on": day(4)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vuxenskolan" in html and day(3).isoformat() in html
    assert 'value="Kulturskolan"' in html
    assert Loan.objects.count() == 1


def test_the_strategist_sees_the_loans_but_no_booking_form(client_for, strateg, chef, kit):
    book(chef, kit, 1, 2, borrower="Vuxenskolan")
    client = client_for(strateg)
    page = client.get(loans_url(kit))
    assert page.status_code == 200 and "Vuxenskolan" in page.content.decode()
    assert b'id="book-heading"' not in page.content and b"/lend/" not in page.content
    refused = client.post(loans_url(kit), {"borrower": "X", "starts_on": day(5), "due_on": day(6)})
    assert refused.status_code == 403 and Loan.objects.count() == 1


def test_another_librarys_kit_and_another_kits_loan_are_not_found(
    client_for, chef, it_user, kit, no_kit
):
    client = client_for(chef)
    theirs = book(it_user, no_kit)
    assert client.get(loans_url(no_kit)).status_code == 404
    assert (
        client.post(reverse("inventory:loan_lend", args=[no_kit.tag, theirs.pk])).status_code == 404
    )
    # A loan named under another asset's URL is a 404 even for IT.
    other_kit = AssetFactory(tag="HB-VR-09", library=kit.library, category=kit.category)
    for name in ("loan_lend", "loan_cancel", "loan_return"):
        url = reverse(f"inventory:{name}", args=[other_kit.tag, theirs.pk])
        assert client_for(it_user).post(url).status_code == 404
    assert fresh(theirs).state == LoanState.BOOKED


def test_lend_return_and_cancel_on_the_pages(client_for, chef, kit):
    client = client_for(chef)
    loan = book(chef, kit, 0, 2, borrower="Vuxenskolan")
    response = client.post(reverse("inventory:loan_lend", args=[kit.tag, loan.pk]))
    assert response.status_code == 302 and fresh(loan).state == LoanState.OUT

    return_url = reverse("inventory:loan_return", args=[kit.tag, loan.pk])
    form = client.get(return_url)
    assert form.status_code == 200
    html = form.content.decode()
    for item in ITEMS:
        assert f'value="{item}"' in html

    refused = client.post(return_url, {"ticked": ["Headset"], "on": day(0)})
    assert refused.status_code == 400
    assert "Two controllers" in refused.content.decode()
    assert fresh(loan).state == LoanState.OUT

    done = client.post(
        return_url,
        {"ticked": ["Headset", "Cleaned", "Charged"], "note": "En kontroll saknas", "on": day(0)},
    )
    assert done.status_code == 302
    assert fresh(loan).state == LoanState.RETURNED and fresh(loan).fault_report is not None
    # A loan that is back has nothing more to return.
    assert client.get(return_url).status_code == 302

    booking = book(chef, kit, 5, 6)
    client.post(reverse("inventory:loan_cancel", args=[kit.tag, booking.pk]))
    assert fresh(booking).state == LoanState.CANCELLED


def test_a_refused_step_says_why(client_for, chef, kit):
    loan = book(chef, kit, 0, 2)
    Asset.objects.filter(pk=kit.pk).update(status=AssetStatus.IN_REPAIR)
    client = client_for(chef)
    response = client.post(reverse("inventory:loan_lend", args=[kit.tag, loan.pk]), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any(kit.tag in m and str(AssetStatus.IN_REPAIR.label) in m for m in messages)
    assert fresh(loan).state == LoanState.BOOKED


def test_the_list_of_loans_highlights_the_overdue(client_for, chef, it_user, kit, no_kit):
    Loan.objects.create(
        asset=kit, borrower="Sen lånare", starts_on=day(-5), due_on=day(-1), state=LoanState.OUT
    )
    Loan.objects.create(
        asset=no_kit, borrower="Norrs lånare", starts_on=day(1), due_on=day(2), booked_by=it_user
    )
    page = client_for(chef).get(reverse("inventory:loan_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="overdue-heading"' in html and "Sen lånare" in html and "loan--overdue" in html
    assert "Norrs lånare" not in html and no_kit.tag not in html
    html = client_for(it_user).get(reverse("inventory:loan_list")).content.decode()
    assert "Norrs lånare" in html


def test_the_asset_page_shows_the_loan_and_the_next_booking(client_for, chef, kit, hb_asset):
    lent(chef, kit, 0, 2, borrower="Vuxenskolan")
    book(chef, kit, 5, 6, borrower="Kulturskolan")
    html = client_for(chef).get(kit.get_absolute_url()).content.decode()
    assert 'id="loans-heading"' in html
    assert "Vuxenskolan" in html and "Kulturskolan" in html and loans_url(kit) in html
    # Neither lendable nor ever lent: no loans panel.
    html = client_for(chef).get(hb_asset.get_absolute_url()).content.decode()
    assert 'id="loans-heading"' not in html


# --- two bookings at the same moment ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_bookings_at_the_same_moment_do_not_both_pass(migration_data, hb_floor2, vr_kit):
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory test database cannot be shared by threads; CI runs this on PostgreSQL"
        )
    import importlib

    from django.apps import apps as django_apps

    from inventory import roles
    from tests.factories import make_role_user

    importlib.import_module("inventory.migrations.0010_floor_roles").add_permissions(
        django_apps, None
    )
    it = make_role_user(roles.IT_STAFF, "it")
    kit = AssetFactory(
        tag="HB-VR-01",
        library=hb_floor2.library,
        location=hb_floor2,
        category=vr_kit,
        lendable=True,
    )
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index, borrower):
        try:
            barrier.wait()
            outcomes[index] = book(it, kit, 1, 3, borrower=borrower)
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(("A", "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["Loan", "ValidationError"]
    assert Loan.objects.count() == 1


# --- valid HTML in every state ----------------------------------------------------------


def test_the_loan_pages_are_valid_html_with_everything_on_them(
    client_for, chef, it_user, kit, tmp_path
):
    from tests.test_html import require_java, vnu_errors

    require_java()
    gone = Loan.objects.create(
        asset=kit, borrower="Förr", starts_on=day(-9), due_on=day(-8), booked_by=chef
    )
    loans.loan_cancel(actor=chef, loan=gone)
    back = lent(chef, kit, 0, 0, borrower="Skolan")
    loans.loan_return(actor=chef, loan=back, ticked=["Headset"], note="Smutsig")
    Loan.objects.create(
        asset=kit, borrower="Glömd", starts_on=day(-4), due_on=day(-3), booked_by=chef
    )
    late = Loan.objects.create(
        asset=kit, borrower="Sen", starts_on=day(-3), due_on=day(-1), booked_by=chef
    )
    Loan.objects.filter(pk=late.pk).update(state=LoanState.OUT, lent_at=timezone.now())
    Asset.objects.filter(pk=kit.pk).update(
        status=AssetStatus.ON_LOAN, status_before_loan=AssetStatus.IN_USE
    )
    book(chef, kit, 5, 6, borrower="Kulturskolan")
    client = client_for(chef)
    responses = {
        "asset loans": client.get(loans_url(kit)),
        "refused booking": client.post(loans_url(kit), {"borrower": "", "starts_on": "x"}),
        "return form": client.get(reverse("inventory:loan_return", args=[kit.tag, late.pk])),
        "refused return": client.post(
            reverse("inventory:loan_return", args=[kit.tag, late.pk]), {"ticked": ["Headset"]}
        ),
        "list": client.get(reverse("inventory:loan_list")),
        "asset page": client.get(kit.get_absolute_url()),
        "status page": client_for(it_user).get(reverse("inventory:asset_status", args=[kit.tag])),
    }
    files = {}
    for n, (label, response) in enumerate(responses.items()):
        assert response.status_code in (200, 400), label
        name = f"loans-{n}.html"
        (tmp_path / name).write_bytes(response.content)
        files[name] = label
    assert "Sen" in responses["list"].content.decode()
    problems = vnu_errors(tmp_path, files)
    assert not problems, "\n".join(problems)
