"""IT imports a spreadsheet: a bad row is shown with its row number, column and reason;
the corrected file is previewed again and confirmed; the assets are there. axe on the
upload page and on the preview, with and without errors."""

import re

from playwright.sync_api import expect

from inventory.choices import ChangeSource
from inventory.history import records_for
from inventory.models import Asset
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row

PLACE = "Plan 2 – vid vuxeninformationen"


def spreadsheet(bad_price: str) -> dict:
    rows = [
        SV_HEADERS,
        sv_row("HB-PC-50", model="ThinkCentre M70q Gen 4", location=PLACE),
        sv_row("HB-PC-51", model="ThinkCentre M70q Gen 4", location=PLACE, price=bad_price),
    ]
    return {"name": "nya-datorer.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}


def upload(page, file):
    page.locator("input[type=file]").set_input_files(file)
    page.locator("#import-form button[type=submit]").click()


def test_it_fixes_a_bad_row_and_imports(
    demo, login, live_server, page, axe_check, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login("it")
    page.goto(f"{live_server.url}/inventory/assets/")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/inventory/import/$"))
    axe_check("the import upload page")

    upload(page, spreadsheet(bad_price="-100"))
    expect(page).to_have_url(re.compile(r"/inventory/import/[0-9a-f-]+/$"))
    error_row = page.locator("tr.import-error")
    expect(error_row).to_have_count(1)
    expect(error_row.locator("th")).to_have_text("3")
    expect(error_row).to_contain_text("HB-PC-51")
    expect(error_row).to_contain_text("Inköpspris (kr exkl. moms)")
    expect(page.locator("#confirm-form")).to_have_count(0)
    axe_check("the import preview with an error")
    assert not Asset.objects.filter(tag__in=["HB-PC-50", "HB-PC-51"]).exists()

    page.locator("a[href='/inventory/import/']").last.click()
    upload(page, spreadsheet(bad_price="9 990,00"))
    expect(page.locator("tr.import-error")).to_have_count(0)
    expect(page.locator("tr.import-row--new")).to_have_count(2)
    axe_check("the import preview ready to confirm")

    page.locator("#confirm-form button").click()
    expect(page).to_have_url(re.compile(r"/inventory/assets/$"))
    expect(page.get_by_role("status")).to_contain_text("nya-datorer.csv")
    new = Asset.objects.get(tag="HB-PC-51")
    assert str(new.purchase_price) == "9990.00"
    assert new.location.name == PLACE and new.model.name == "ThinkCentre M70q Gen 4"
    entry = records_for(new).get()
    assert (entry.actor.username, entry.source) == ("it", ChangeSource.IMPORT)
