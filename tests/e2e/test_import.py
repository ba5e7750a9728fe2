"""IT imports a spreadsheet: a bad row is shown with its row number, column and reason;
the corrected file is previewed again and confirmed; the assets are there. axe on the
upload page and on the preview, with and without errors."""

import re
from pathlib import Path

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


def glpi_export() -> dict:
    """A GLPI computer list as GLPI writes it: BOM, semicolons, every cell quoted, a
    trailing semicolon; locations as "Library > Place" paths."""
    header = [
        "Name",
        "Entity",
        "Status",
        "Manufacturer",
        "Serial number",
        "Type",
        "Model",
        "Location",
        "Last update",
        "Inventory number",
    ]
    rows = [
        [
            "pub-pc-71",
            "Kommunen",
            "",
            "Lenovo",
            "PF71",
            "Desktop",
            "ThinkCentre M70q Gen 4",
            "Huvudbiblioteket > Plan 2 – vid vuxeninformationen",
            "2026-11-02 09:14",
            "HB-PC-71",
        ],
        [
            "pub-pc-72",
            "Kommunen",
            "Aktiv",
            "Lenovo",
            "PF72",
            "Desktop",
            "ThinkCentre M70q Gen 4",
            "Huvudbiblioteket > Läsesalen",
            "2026-11-02 09:14",
            "HB-PC-72",
        ],
        [
            "pub-pc-73",
            "Kommunen",
            "",
            "Lenovo",
            "PF73",
            "Rymdskepp",
            "ThinkCentre M70q Gen 4",
            "Huvudbiblioteket > Läsesalen",
            "2026-11-02 09:14",
            "HB-PC-73",
        ],
    ]
    lines = [";".join(f'"{cell}"' for cell in row) + ";" for row in [header, *rows]]
    content = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    return {"name": "glpi-datorer.csv", "mimeType": "text/csv", "buffer": content}


def choose_value(page, value: str, meaning: str):
    """In the preview's "Values without a match", choose what a file's value means."""
    page.locator("fieldset.value-map .field").filter(
        has=page.locator("label", has_text=re.compile(rf"^{re.escape(value)}$"))
    ).locator("select").select_option(label=meaning)


def test_it_maps_a_glpi_export_and_leaves_out_a_bad_row(
    demo, login, live_server, page, axe_check, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login("it")
    page.goto(f"{live_server.url}/inventory/import/")
    page.get_by_label("Kolumner").select_option(label="GLPI")
    upload(page, glpi_export())
    expect(page).to_have_url(re.compile(r"/inventory/import/[0-9a-f-]+/$"))
    expect(page.locator("tr.import-row--error")).to_have_count(3)
    expect(page.locator("#values-heading")).to_be_visible()
    axe_check("the import preview with values to map")

    choose_value(page, "Huvudbiblioteket", "HB – Stadsbiblioteket")
    choose_value(page, "Desktop", "Publik dator")
    choose_value(page, "Aktiv", "I drift")
    page.locator("#options-form button[type=submit]").click()
    # With the library known, its unknown place is asked for next.
    choose_value(page, "Läsesalen", "Skapa ”Läsesalen”")
    page.locator("#options-form button[type=submit]").click()

    expect(page.locator("tr.import-row--error")).to_have_count(1)
    expect(page.locator("tr.import-error")).to_contain_text("Rymdskepp")
    expect(page.locator("#note-default-status")).to_contain_text("I drift")
    axe_check("the import preview with one row left to leave out")

    with page.expect_download() as caught:
        page.locator("#rejected-link").click()
    download = caught.value
    assert download.suggested_filename == "glpi-datorer-avvisade.csv"
    rejected = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rejected[0].endswith(";Importfel") and "HB-PC-73" in rejected[1]
    assert "Rymdskepp" in rejected[1].split(";")[-1]

    form = page.locator("#leave-out-form")
    form.get_by_role("button").click()
    # The explicit tick is required: the browser keeps the form on the page.
    expect(page).to_have_url(re.compile(r"/inventory/import/[0-9a-f-]+/$"))
    form.get_by_role("checkbox").check()
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/inventory/assets/$"))
    assert sorted(
        Asset.objects.filter(tag__startswith="HB-PC-7").values_list("tag", flat=True)
    ) == [
        "HB-PC-71",
        "HB-PC-72",
    ]
    first, second = Asset.objects.filter(tag__startswith="HB-PC-7").order_by("tag")
    assert (first.library.code, first.location.name, first.status, first.hostname) == (
        "HB",
        PLACE,
        "in_use",
        "pub-pc-71",
    )
    assert (second.location.name, second.category.code) == ("Läsesalen", "workstation")
    entry = records_for(first).get()
    assert entry.source_detail == "glpi-datorer.csv (rad 4 utelämnad)"


def test_a_large_import_runs_in_the_background_and_the_page_follows_it(
    demo, login, live_server, page, axe_check, settings, tmp_path
):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    settings.INVENTERA_BACKGROUND_IMPORT_ROWS = 3
    login("it")
    page.goto(f"{live_server.url}/inventory/import/")
    rows = [SV_HEADERS, *(sv_row(f"HB-BG-{n}", model="ThinkCentre M70q Gen 4") for n in range(5))]
    upload(page, {"name": "stor.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)})
    page.locator("#confirm-form button").click()
    expect(page.locator("#import-progress")).to_contain_text("Väntar")
    axe_check("a background import waiting for the worker")

    call_command("run_imports")
    # The page asks how far the import has come and shows the result when it is done.
    expect(page.locator("#import-result")).to_be_visible(timeout=10_000)
    expect(page.locator("#import-result")).to_contain_text("5 nya")
    axe_check("a background import done")
    assert Asset.objects.filter(tag__startswith="HB-BG-").count() == 5
