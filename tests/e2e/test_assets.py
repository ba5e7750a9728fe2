"""IT staff filter the list, edit an asset and see the change in its history; axe on
every page of the register."""

import re

from playwright.sync_api import expect

from inventory.models import Asset


def test_it_filters_edits_and_sees_history(demo, login, live_server, page, axe_check):
    login("it")
    expect(page.get_by_role("heading", name="Översikt")).to_be_visible()
    axe_check("the dashboard")

    page.get_by_role("link", name="Utrustning").first.click()
    expect(page.get_by_role("heading", name="Utrustning", exact=True)).to_be_visible()
    axe_check("the asset list")

    page.get_by_label("Sök").fill("HB-PC")
    page.get_by_role("checkbox", name="Skanner ansluten").check()
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_role("heading", name="4 utrustningar")).to_be_visible()
    rows = page.locator("table.data-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("HB-PC-01")

    rows.first.get_by_role("link", name="HB-PC-01").click()
    expect(page).to_have_url(re.compile(r"/inventory/assets/HB-PC-01/$"))
    axe_check("the asset page")

    page.get_by_role("link", name="Redigera").click()
    axe_check("the edit form")
    page.get_by_label("Plats").select_option(label="HB – Förråd IT")
    page.get_by_label("Anteckningar").fill("Flyttad i väntan på ny skärm.")
    page.get_by_role("button", name="Spara").click()

    expect(page.get_by_role("status")).to_contain_text("HB-PC-01 har sparats")
    history = page.locator(".history > li").first
    expect(history).to_contain_text("Jonas Ek")
    expect(history).to_contain_text("Plan 2 – vid vuxeninformationen")
    expect(history).to_contain_text("Förråd IT")
    expect(history).to_contain_text("Flyttad i väntan på ny skärm.")
    assert Asset.objects.get(tag="HB-PC-01").location.name == "Förråd IT"


def test_a_refused_form_shows_the_error_summary(demo, login, live_server, page, axe_check):
    login("it")
    page.goto(f"{live_server.url}/inventory/assets/add/")
    page.get_by_label("Inventarienummer").fill("HB-PC-01")
    page.get_by_label("Inköpspris").fill("-5")
    page.get_by_role("button", name="Spara").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Inventarienummer")
    expect(page.get_by_label("Inventarienummer")).to_have_value("HB-PC-01")
    axe_check("a form with errors")


def test_library_manager_sees_own_library_only(demo, login, live_server, page, axe_check):
    login("chef")
    expect(page.get_by_role("link", name="Stadsbiblioteket")).to_be_visible()
    expect(page.get_by_text("Norrbiblioteket")).to_have_count(0)
    response = page.goto(f"{live_server.url}/inventory/assets/NO-PC-01/")
    assert response.status == 404
    axe_check("the not-found page")


def test_it_confirms_a_bulk_move_to_another_library(demo, login, live_server, page, axe_check):
    login("it")
    page.goto(f"{live_server.url}/inventory/assets/?q=HB-PC-0&ordering=tag")
    for tag in ("HB-PC-07", "HB-PC-08"):
        page.locator(f"input[name='assets'][value='{tag}']").check()
    page.locator("#bulk_action").select_option("move")
    page.locator("#bulk_location").select_option(label="NO – Publika datorer")
    page.locator("#bulk-form .bulk-actions button[type='submit']").click()

    # Nothing is moved yet: a page lists what would change library.
    rows = page.locator("#library-changes tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("HB-PC-07")
    expect(rows.first).to_contain_text("Stadsbiblioteket")
    expect(rows.first).to_contain_text("Norrbiblioteket")
    axe_check("the confirmation of a move to another library")
    assert Asset.objects.get(tag="HB-PC-07").library.code == "HB"

    # Submitting without the tick asks again, with the error summary in focus.
    page.locator("form.form button[type='submit']").click()
    expect(page.locator("#error-summary")).to_be_focused()
    axe_check("the confirmation with an error")
    assert Asset.objects.get(tag="HB-PC-07").library.code == "HB"

    page.locator("#id_confirm_library_change").check()
    page.locator("form.form button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/inventory/assets/\?q=HB-PC-0&ordering=tag$"))
    moved = Asset.objects.filter(tag__in=["HB-PC-07", "HB-PC-08"]).select_related("library")
    assert {(a.library.code, a.location.name) for a in moved} == {("NO", "Publika datorer")}

    page.goto(f"{live_server.url}/inventory/assets/HB-PC-07/")
    history = page.locator(".history > li").first
    expect(history).to_contain_text("Stadsbiblioteket")
    expect(history).to_contain_text("Norrbiblioteket")
