"""A library manager books HB's VR kit on a phone (390 px wide), is refused a second
booking over the same days, lends the kit out and takes it back with a controller
missing, which makes a fault report; axe on every page on the way."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from playwright.sync_api import expect

from inventory.models import Asset, Category, FaultReport, Loan

PHONE = {"width": 390, "height": 844}
CHECKLIST = "Headset\nHandkontroller\nRengjort\nLaddat"


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 390 px screen"


@pytest.fixture
def lendable_kit(demo):
    """HB's VR kit from the demo data, lendable, its category with a return checklist,
    and the roles' loan permissions (a transactional test empties the tables the
    migrations filled)."""
    importlib.import_module("inventory.migrations.0010_floor_roles").add_permissions(
        django_apps, None
    )
    Category.objects.filter(code="vr_kit").update(loan_checklist=CHECKLIST)
    Asset.objects.filter(tag="HB-VR-01").update(lendable=True)
    return Asset.objects.get(tag="HB-VR-01")


def test_a_kit_is_booked_lent_and_returned_with_a_part_missing_on_a_phone(
    lendable_kit, login, live_server, page, axe_check
):
    today = timezone.localdate()
    # The demo's own loans of the kit (one back, one ahead) stay as they are.
    demo_loans = set(Loan.objects.filter(asset=lendable_kit).values_list("pk", flat=True))
    page.set_viewport_size(PHONE)
    login("chef")
    page.goto(f"{live_server.url}/inventory/assets/HB-VR-01/")
    loans_panel = page.locator('section[aria-labelledby="loans-heading"]')
    expect(loans_panel).to_be_visible()
    axe_check("the asset page with its loans panel")
    _fits(page)

    loans_panel.locator('a[href$="/loans/"]').click()
    expect(page).to_have_url(f"{live_server.url}/inventory/assets/HB-VR-01/loans/")
    axe_check("the kit's loans page")
    _fits(page)

    booking = page.locator('section[aria-labelledby="book-heading"]')
    booking.locator("#id_borrower").fill("Norrbiblioteket")
    booking.locator("#id_starts_on").fill(today.isoformat())
    booking.locator("#id_due_on").fill((today + timedelta(days=2)).isoformat())
    booking.locator('button[type="submit"]').click()
    loan = Loan.objects.exclude(pk__in=demo_loans).get(asset=lendable_kit)
    expect(page.locator(f"#loan-{loan.pk}")).to_contain_text("Norrbiblioteket")

    # The same days again, for someone else: refused, naming the booking in the way.
    booking = page.locator('section[aria-labelledby="book-heading"]')
    booking.locator("#id_borrower").fill("Kulturskolan")
    booking.locator("#id_starts_on").fill((today + timedelta(days=1)).isoformat())
    booking.locator("#id_due_on").fill((today + timedelta(days=3)).isoformat())
    booking.locator('button[type="submit"]').click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Norrbiblioteket")
    expect(summary).to_contain_text((today + timedelta(days=2)).isoformat())
    expect(page.locator("#id_borrower")).to_have_value("Kulturskolan")
    axe_check("the loans page with a refused booking")
    _fits(page)
    assert Loan.objects.filter(asset=lendable_kit).exclude(pk__in=demo_loans).count() == 1

    page.locator(f'#loan-{loan.pk} form[action$="/lend/"] button').click()
    expect(page.locator(f"#loan-{loan.pk}")).to_contain_text("Norrbiblioteket")
    expect(page.locator(f'#loan-{loan.pk} a[href$="/return/"]')).to_be_visible()
    assert Asset.objects.get(pk=lendable_kit.pk).status == "on_loan"
    axe_check("the loans page with the kit lent out")

    page.locator(f'#loan-{loan.pk} a[href$="/return/"]').click()
    expect(page).to_have_url(f"{live_server.url}/inventory/assets/HB-VR-01/loans/{loan.pk}/return/")
    axe_check("the return form on a phone")
    _fits(page)
    for item in ("Headset", "Rengjort", "Laddat"):
        page.locator(f'input[name="ticked"][value="{item}"]').check()
    # Sent without a note: the form names what is not ticked, and keeps the ticks.
    page.locator('form.form button[type="submit"]').click()
    expect(page.locator("#id_note_error")).to_contain_text("Handkontroller")
    expect(page.locator('input[name="ticked"][value="Headset"]')).to_be_checked()
    axe_check("the return form with errors")

    page.locator("#id_note").fill("En handkontroll saknas.")
    page.locator('form.form button[type="submit"]').click()
    expect(page).to_have_url(f"{live_server.url}/inventory/assets/HB-VR-01/loans/#loan-{loan.pk}")
    past = page.locator('section[aria-labelledby="past-heading"]')
    expect(past).to_contain_text("Handkontroller")
    axe_check("the loans page after the return")
    _fits(page)

    loan.refresh_from_db()
    assert loan.state == "returned" and loan.missing_items == ["Handkontroller"]
    fault = FaultReport.objects.get(asset=lendable_kit)
    assert loan.fault_report == fault and fault.urgency == "poor"
    assert "Norrbiblioteket" in fault.description and "En handkontroll saknas." in fault.description
    assert Asset.objects.get(pk=lendable_kit.pk).status == "in_use"

    page.goto(f"{live_server.url}/inventory/loans/")
    expect(page.locator("h1")).to_be_visible()
    axe_check("the list of loans on a phone")
    _fits(page)
