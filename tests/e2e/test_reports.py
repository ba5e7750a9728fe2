"""The strategist finds the reports, changes the library, reads the figures and downloads
the PDF and the XLSX; axe on the report pages and on every dashboard with charts; on a
phone-wide screen the report pages do not scroll sideways."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader


def test_the_strategist_downloads_reports(demo, login, live_server, page, axe_check):
    login("strateg")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter").click()
    expect(page.get_by_role("heading", name="Rapporter", exact=True)).to_be_visible()
    axe_check("the report catalogue")

    page.get_by_role("link", name="Strategrapport", exact=True).click()
    expect(page.get_by_role("heading", name="Strategrapport", level=1)).to_be_visible()
    axe_check("the strategist report")

    page.get_by_role("group", name="Vad rapporten gäller").get_by_label("Bibliotek").select_option(
        label="Stadsbiblioteket (HB)"
    )
    page.get_by_role("button", name="Visa siffrorna").click()
    expect(page).to_have_url(re.compile(r"library=HB"))
    preview = page.locator(".report-preview")
    expect(preview).to_contain_text("Stadsbiblioteket (HB)")
    expect(preview).to_contain_text("Personaldatorer till informationsdisken")
    expect(preview).not_to_contain_text("Personaldatorer till Södra biblioteket")
    axe_check("the strategist report for one library")

    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Ladda ner PDF").click()
    download = pdf_download.value
    assert download.suggested_filename.startswith("inventera-strategist-")
    reader = PdfReader(download.path())
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Strategrapport" in text and "Stadsbiblioteket" in text
    assert "Södra biblioteket" not in text

    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Ladda ner XLSX (Excel)").click()
    with open(xlsx_download.value.path(), "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames[0] == "Om rapporten"
    spend = list(workbook["Utfall"].iter_rows(values_only=True))
    assert {row[1] for row in spend[1:]} == {"Stadsbiblioteket"}


@pytest.mark.parametrize("username", ["strateg", "it", "chef"])
def test_dashboards_with_charts_pass_axe(demo, login, page, axe_check, username):
    login(username)
    charts = page.locator("figure.chart img")
    expect(charts.first).to_be_visible()
    assert charts.first.get_attribute("alt")
    axe_check(f"the dashboard of {username}")


@pytest.mark.parametrize("path", ["/reports/", "/reports/strategist/", "/reports/it-status/"])
def test_report_pages_fit_a_phone(demo, login, live_server, page, axe_check, path):
    login("strateg")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{path}")
    # Wide tables scroll inside their own region; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe_check(f"{path} at 390 px")
