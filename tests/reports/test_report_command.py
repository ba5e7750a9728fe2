"""`manage.py report`: the file it writes, read back, and the errors it gives.

The command acts for the municipality as a whole (every library, or the one named); the
files are parsed and their figures compared with the register built here.
"""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from inventory.choices import AssetStatus
from tests.factories import AssetFactory, CategoryFactory

pytestmark = pytest.mark.django_db

STATUS_LABELS_SV = [
    "Beställd",
    "I lager",
    "I drift",
    "På service",
    "Utlånad",
    "Avvecklad",
    "Kasserad",
]
STATUS_LABELS_EN = ["Ordered", "In stock", "In use", "In repair", "On loan", "Retired", "Disposed"]
CASE_YEAR_DAY = date(2026, 3, 2)  # the cases are numbered in 2026, whenever this runs


def plain(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def pdf_text(path) -> str:
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    return plain(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def run_report(*args) -> str:
    out = io.StringIO()
    call_command("report", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def register(hb_floor2, hb_store, no_public, workstation, vr_kit):
    """HB: 3 workstations in use and 1 in stock, 1 VR kit in repair. NO: 2 in use, 1
    retired."""
    hb, no = hb_floor2.library, no_public.library
    AssetFactory.create_batch(
        3, library=hb, location=hb_floor2, category=workstation, status=AssetStatus.IN_USE
    )
    AssetFactory(library=hb, location=hb_store, category=workstation, status=AssetStatus.IN_STOCK)
    AssetFactory(library=hb, location=hb_floor2, category=vr_kit, status=AssetStatus.IN_REPAIR)
    AssetFactory.create_batch(
        2, library=no, location=no_public, category=workstation, status=AssetStatus.IN_USE
    )
    AssetFactory(library=no, location=no_public, category=workstation, status=AssetStatus.RETIRED)
    return {"hb": hb, "no": no}


def sheet_rows(workbook, name) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in workbook[name].iter_rows()]


def counts_by_label(rows: list[tuple]) -> dict[str, dict[str, int]]:
    """{row label: {column label: count}} of a count sheet, header in row 1."""
    header = rows[0]
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows[1:]}


# it-status


def test_it_status_xlsx_counts_every_librarys_assets(register, tmp_path):
    """The workbook's count sheets hold the assets made, by library, status and
    category, and the totals add up; the counts are numbers."""
    path = tmp_path / "it-status.xlsx"
    out = run_report("it-status", "--format", "xlsx", "--output", path, "--as-of", "2026-11-27")

    assert str(path) in out
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == "Om rapporten"
    assert {"Per bibliotek", "Per plats", "Per kategori"} <= set(workbook.sheetnames)

    by_library = sheet_rows(workbook, "Per bibliotek")
    assert list(by_library[0]) == ["Bibliotek", *STATUS_LABELS_SV, "Totalt"]
    counts = counts_by_label(by_library)
    assert counts["Stadsbiblioteket"]["I drift"] == 3
    assert counts["Stadsbiblioteket"]["I lager"] == 1
    assert counts["Stadsbiblioteket"]["På service"] == 1
    assert counts["Stadsbiblioteket"]["Totalt"] == 5
    assert counts["Norrbiblioteket"]["I drift"] == 2
    assert counts["Norrbiblioteket"]["Avvecklad"] == 1
    assert counts["Norrbiblioteket"]["Totalt"] == 3
    assert counts["Totalt"]["Totalt"] == 8
    assert counts["Totalt"]["I drift"] == 5
    assert all(isinstance(value, int) for value in counts["Totalt"].values())

    by_category = counts_by_label(sheet_rows(workbook, "Per kategori"))
    assert by_category["Publik dator"]["Totalt"] == 7
    assert by_category["VR-kit"]["På service"] == 1

    about = dict(row[:2] for row in sheet_rows(workbook, "Om rapporten") if len(row) > 1)
    assert about["Organisation"] == "Exempelkommunen"
    assert about["Per datum"].date() == date(2026, 11, 27)
    assert about["Bibliotek"] == "Alla du har tillgång till: HB, NO"


def test_it_status_for_one_library_leaves_the_others_out(register, tmp_path):
    """--library NO: only NO's assets are counted, and the file says which library."""
    path = tmp_path / "no.xlsx"
    run_report("it-status", "--format", "xlsx", "--output", path, "--library", "NO")

    workbook = openpyxl.load_workbook(path)
    counts = counts_by_label(sheet_rows(workbook, "Per bibliotek"))
    assert set(counts) == {"Norrbiblioteket", "Totalt"}
    assert counts["Totalt"]["Totalt"] == 3
    assert counts["Totalt"]["I drift"] == 2
    locations = sheet_rows(workbook, "Per plats")
    assert {row[0] for row in locations[1:]} == {"NO"}
    about = dict(row[:2] for row in sheet_rows(workbook, "Om rapporten") if len(row) > 1)
    assert about["Organisation"] == "Exempelkommunen – Norrbiblioteket"
    assert about["Bibliotek"] == "Norrbiblioteket (NO)"


def test_it_status_in_english_has_english_sheets_and_headers(register, tmp_path):
    path = tmp_path / "en.xlsx"
    run_report("it-status", "--format", "xlsx", "--output", path, "--language", "en")

    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[0] == "About the report"
    assert {"By library", "By location", "By category"} <= set(workbook.sheetnames)
    by_library = sheet_rows(workbook, "By library")
    assert list(by_library[0]) == ["Library", *STATUS_LABELS_EN, "Total"]
    assert counts_by_label(by_library)["Total"]["Total"] == 8
    assert counts_by_label(sheet_rows(workbook, "By category"))["Public workstation"]["Total"] == 7


def test_it_status_pdf_has_the_figures(register, tmp_path):
    path = tmp_path / "it-status.pdf"
    run_report("it-status", "--output", path, "--library", "HB")

    text = pdf_text(path)
    assert "IT-statusrapport" in text
    assert "Exempelkommunen – Stadsbiblioteket" in text
    assert "Stadsbiblioteket" in text and "Norrbiblioteket" not in text
    assert "Sida 1 av" in text


def test_it_status_without_output_writes_a_file_named_after_the_report(
    register, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    run_report("it-status", "--format", "csv", "--as-of", "2026-11-27")

    path = tmp_path / "inventera-it-status-2026-11-27.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


# strategist


def test_strategist_csv_lists_the_open_cases(make_case, chef, admin_user_role, hb, no, tmp_path):
    """The strategist report as CSV: the dialect, the period filter and each open case
    of every library with its estimated value in a decimal comma."""
    make_case(chef, hb, value="45000.50", title="Hörslingor", today=CASE_YEAR_DAY)
    make_case(admin_user_role, no, value="120000", title="Nya skrivare", today=CASE_YEAR_DAY)
    path = tmp_path / "strategist.csv"
    run_report(
        "strategist",
        "--format",
        "csv",
        "--output",
        path,
        "--as-of",
        "2026-11-27",
        "--period-start",
        "2026-01-01",
    )

    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert lines[0] == ["Strategrapport"]
    assert ["Per datum", "2026-11-27"] in lines
    assert ["Period", "2026-01-01 – 2026-11-27"] in lines
    start = lines.index(["Öppna ärenden, per skede och de som väntat längst först"])
    header = lines[start + 1]
    assert header[0] == "Ärendenummer"
    rows = {
        line[0]: line for line in lines[start + 2 :] if line and line[0].startswith(("HB ", "NO "))
    }
    assert set(rows) == {"HB 2026/0001", "NO 2026/0001"}
    assert rows["HB 2026/0001"][1] == "Hörslingor"
    assert rows["HB 2026/0001"][-1] == "45000,50"
    assert rows["NO 2026/0001"][-1] == "120000,00"


# case and direct-award


@pytest.mark.parametrize("reference", ["HB-2026-0001", "HB 2026/0001"])
def test_case_sheet_pdf_has_the_reference_and_title(make_case, chef, hb, tmp_path, reference):
    make_case(chef, hb, title="Nya publika datorer åäö", today=CASE_YEAR_DAY)
    path = tmp_path / "case.pdf"
    run_report("case", "--case", reference, "--output", path)

    text = pdf_text(path)
    assert "Statusblad för ärende HB 2026/0001" in text
    assert "Nya publika datorer åäö" in text
    assert "Datorerna vid informationsdisken är för gamla." in text


def test_case_sheet_picks_the_case_named_not_another(
    make_case, chef, admin_user_role, hb, no, tmp_path
):
    make_case(chef, hb, title="Första ärendet", today=CASE_YEAR_DAY)
    make_case(chef, hb, title="Andra ärendet", today=CASE_YEAR_DAY)
    make_case(admin_user_role, no, title="Norrs ärende", today=CASE_YEAR_DAY)
    path = tmp_path / "case.pdf"
    run_report("case", "--case", "HB-2026-0002", "--output", path, "--language", "en")

    text = pdf_text(path)
    assert "HB 2026/0002" in text and "Andra ärendet" in text
    assert "Första ärendet" not in text and "Norrs ärende" not in text
    assert "Page 1 of" in text


def test_direct_award_pdf_names_the_municipality(make_case, chef, hb, tmp_path):
    """The documentation of a direct award names the contracting authority: the
    municipality's name and organisation number (settings)."""
    case = make_case(chef, hb, value="150000", title="Lånedatorer", today=CASE_YEAR_DAY)
    assert case.procedure == "direct_award"
    path = tmp_path / "direct-award.pdf"
    run_report("direct-award", "--case", "HB 2026/0001", "--output", path)

    text = pdf_text(path)
    assert "Dokumentation av direktupphandling" in text
    assert "Upphandlande myndighet" in text
    assert "Exempelkommunen" in text
    assert "212000-0001" in text
    assert "HB 2026/0001" in text and "Lånedatorer" in text


# errors


@pytest.fixture
def direct_award_and_advertised(make_case, chef, hb):
    direct = make_case(chef, hb, value="50000", title="Hörlurar", today=CASE_YEAR_DAY)
    advertised = make_case(chef, hb, value="900000", title="Meröppet", today=CASE_YEAR_DAY)
    assert direct.procedure == "direct_award"
    assert advertised.procedure != "direct_award"
    return direct, advertised


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["it-status", "--library", "XX"], "there is no library XX"),
        (["strategist", "--library", "hb-typo"], "there is no library hb-typo"),
        (["case", "--case", "HB-2026-0099"], "there is no case HB-2026-0099"),
        (["case", "--case", "NO 2026/0001"], "there is no case NO 2026/0001"),
        (["case", "--case", "ärende 12"], "--case must be a reference such as HB-2026-0042"),
        (["it-status", "--as-of", "2026-13-01"], "--as-of must be a date written YYYY-MM-DD"),
        (["strategist", "--period-start", "1 jan"], "--period-start must be a date"),
        (["case"], "the case report needs --case REFERENCE"),
        (["direct-award"], "the direct-award report needs --case REFERENCE"),
        (["case", "--case", "HB-2026-0001", "--format", "xlsx"], "made as PDF only"),
        (["direct-award", "--case", "HB-2026-0001", "--format", "csv"], "made as PDF only"),
        (["direct-award", "--case", "HB-2026-0002"], "HB 2026/0002 is not a direct award"),
        (
            ["strategist", "--as-of", "2026-06-30", "--period-start", "2026-07-01"],
            "the period cannot start after the as-of day",
        ),
        (
            ["it-status", "--as-of", "2026-06-30", "--period-start", "2026-07-01"],
            "the period cannot start after the as-of day",
        ),
        (["it-status", "--case", "HB-2026-0001"], "--case is for the case reports"),
    ],
)
def test_bad_input_is_a_command_error_and_writes_nothing(
    direct_award_and_advertised, no, tmp_path, args, message
):
    path = tmp_path / "out.file"
    with pytest.raises(CommandError) as error:
        run_report(*args, "--output", path)

    assert message in str(error.value)
    assert not path.exists()


def test_output_to_a_missing_folder_is_a_command_error(register, tmp_path):
    path = tmp_path / "no-such-folder" / "it-status.xlsx"
    with pytest.raises(CommandError, match="could not write"):
        run_report("it-status", "--format", "xlsx", "--output", path)


@pytest.mark.parametrize(
    "args",
    [["weekly-report"], ["it-status", "--format", "docx"], ["it-status", "--language", "fi"]],
)
def test_unknown_report_format_or_language_is_refused(db, tmp_path, args):
    with pytest.raises(CommandError, match="invalid choice"):
        run_report(*args, "--output", tmp_path / "out")


def test_an_unused_category_does_not_appear(register, tmp_path):
    """Only categories with assets are listed: a new, empty category is not a row."""
    CategoryFactory(code="printer", name_sv="Skrivare", name_en="Printer")
    path = tmp_path / "it-status.xlsx"
    run_report("it-status", "--format", "xlsx", "--output", path)

    labels = {row[0] for row in sheet_rows(openpyxl.load_workbook(path), "Per kategori")[1:]}
    assert labels == {"Publik dator", "VR-kit"}
