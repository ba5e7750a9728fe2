"""The other systems' files of real_files.py read back with Python's csv and openpyxl:
each has the quirks it claims. Not the import; that is tested against these files."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from tests.inventory import real_files
from tests.inventory.real_files import (
    CP1252_HEADER,
    GLPI_COLUMNS,
    SNIPEIT_REPORT_COLUMNS,
    SNIPEIT_SAMPLE_COLUMNS,
    TITLED_HEADER,
    cp1252_csv,
    glpi_computers_csv,
    snipeit_report_csv,
    snipeit_sample_csv,
    titled_xlsx,
)

BOM = b"\xef\xbb\xbf"


def parse(text: str, delimiter=",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def records(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


class TestSnipeitSample:
    def test_us_dates_version(self):
        content = snipeit_sample_csv()
        assert not content.startswith(BOM) and b"\r" not in content
        assert not content.endswith(b"\n")
        rows = parse(content.decode("utf-8"))
        assert rows[0] == [*SNIPEIT_SAMPLE_COLUMNS, "Asset EOL Date"]
        table = records(rows)
        assert [row["Asset Tag"] for row in table] == ["HB-0001", "HB-0002", "HB-0003", "NO-0001"]
        assert all(row["Company"] for row in table)
        assert table[0]["Purchase Date"] == "1/23/23"
        assert table[3]["Purchase Date"] == "5/12/23"
        for row in table:
            assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d\d", row["Purchase Date"])
        assert table[0]["Purchase Cost"] == "8495.5"
        assert table[0]["Model Notes"] == 'Med skärm Lenovo T24i, 24"'
        assert b'"Med sk\xc3\xa4rm Lenovo T24i, 24"""' in content
        assert {row["Checkout Type"] for row in table} == {"User", "Location", ""}
        assert table[1]["Checked Out To: Username"] == "anna.lindqvist"
        assert table[0]["Checked Out To: Location"] == "Plan 2 – vid vuxeninformationen"
        assert table[2]["Checked Out To: Username"] == ""
        # Empty cells are bare in this version.
        assert b'""' not in content.replace(b'24"""', b"")

    def test_iso_dates_version(self):
        content = snipeit_sample_csv(us_dates=False)
        assert content.endswith(b'""\n') and b"\r" not in content
        rows = parse(content.decode("utf-8"))
        assert rows[0] == SNIPEIT_SAMPLE_COLUMNS
        table = records(rows)
        assert [row["Purchase Date"] for row in table] == [
            "2023-01-23",
            "2022-11-14",
            "2024-03-05",
            "2023-05-12",
        ]
        # An empty "Checked Out To:" cell is "", any other empty cell is bare.
        line = content.decode("utf-8").splitlines()[3]
        assert line.endswith(',6990,,"","","","",""')
        assert table[2]["Checked Out To: Email"] == ""

    def test_rows_as_dicts_or_lists_and_a_typo_fails(self):
        row = dict(zip(SNIPEIT_SAMPLE_COLUMNS, [""] * 20, strict=True))
        row |= {"Asset Tag": "HB-9", "Purchase Date": date(2024, 12, 1)}
        table = records(parse(snipeit_sample_csv([row]).decode()))
        assert table[0]["Purchase Date"] == "12/1/24" and table[0]["Asset EOL Date"] == ""
        as_list = parse(snipeit_sample_csv([list(row.values())], us_dates=False).decode())
        assert as_list[1][2] == "HB-9" and as_list[1][12] == "2024-12-01"
        with pytest.raises(KeyError, match="Asset tag"):
            snipeit_sample_csv([{"Asset tag": "HB-1"}])


class TestSnipeitReport:
    def test_bom_columns_and_php_quoting(self):
        content = snipeit_report_csv()
        assert content.startswith(BOM) and b"\r" not in content and content.endswith(b"\n")
        text = content.decode("utf-8-sig")
        header_line = text.splitlines()[0]
        assert header_line.startswith('Company,"Asset Name","Asset Tag",Model,"Model No.",')
        rows = parse(text)
        assert rows[0] == SNIPEIT_REPORT_COLUMNS
        assert rows[0].count("Address") == 2
        assert "State" in rows[0] and "Status" in rows[0]
        assert ',HB-0001,"ThinkCentre M70q",11T3,' in text

    def test_values(self):
        rows = parse(snipeit_report_csv().decode("utf-8-sig"))
        status, state = rows[0].index("Status"), rows[0].index("State")
        table = {row[2]: row for row in rows[1:]}
        assert {row[status] for row in rows[1:]} == {
            "Ready to Deploy (deployable)",
            "Ready to Deploy (deployed)",
            "Undeployable (undeployable)",
            "Out for Repair (undeployable)",
            "Lost (archived)",
            "Archived (archived)",
            "Pending Diagnostics (pending)",
        }
        assert {row[state] for row in rows[1:]} == {"Västernorrlands län"}
        pc = dict(zip(rows[0], table["HB-0001"], strict=False))
        assert pc["Purchased"] == "2023-05-12 00:00:00"
        assert pc["EOL"] == "2027-05-12" and pc["Warranty Expires"] == "2026-05-12"
        assert pc["Cost"] == "8,495.50" and pc["Warranty"] == "36"
        laptop = dict(zip(rows[0], table["HB-0007"], strict=False))
        assert laptop["Notes"] == "`- Ny SSD 2024-09\nÄrende 12345 hos Atea"
        assert laptop["Type"] == "user" and laptop["Checked Out"] == "Anna Lindqvist"
        for row in rows[1:]:
            assert len(row) == len(SNIPEIT_REPORT_COLUMNS)
            assert re.fullmatch(r"\d{4}-\d\d-\d\d 00:00:00", row[rows[0].index("Purchased")])

    def test_the_second_address_by_its_key(self):
        rows = parse(snipeit_report_csv([{"Address": "Gatan 1", "Address 2": "Plan 3"}]).decode())
        assert rows[1][16:18] == ["Gatan 1", "Plan 3"]


class TestGlpi:
    def test_bom_every_cell_quoted_and_a_trailing_separator(self):
        content = glpi_computers_csv()
        assert content.startswith(BOM) and b"\r" not in content and content.endswith(b";\n")
        lines = content.decode("utf-8-sig").split("\n")
        assert lines[-1] == ""
        for line in lines[:-1]:
            assert re.fullmatch(r'("[^"]*";)+', line), line
        rows = parse(content.decode("utf-8-sig"), delimiter=";")
        assert rows[0] == [*GLPI_COLUMNS, ""]
        assert all(len(row) == len(GLPI_COLUMNS) + 1 and row[-1] == "" for row in rows)

    def test_values(self):
        rows = parse(glpi_computers_csv().decode("utf-8-sig"), delimiter=";")
        table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        assert [row["Inventory number"] for row in table] == [
            "HB-0101",
            "HB-0102",
            "HB-0103",
            "NO-0101",
        ]
        assert "" in {row["Status"] for row in table}
        assert "Desktop" in {row["Type"] for row in table}
        assert {row["Location"].split(" > ")[0] for row in table} == {
            "Huvudbiblioteket",
            "Norrbiblioteket",
        }
        assert table[0]["Location"] == "Huvudbiblioteket > Plan 2 – vid vuxeninformationen"
        assert table[2]["Model"] == "iMac 24'' (M3)"
        for row in table:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row["Last update"])

    def test_a_line_break_and_a_date(self):
        row = {"Name": "x", "Last update": datetime(2026, 1, 2, 3, 4), "Location": "a\nb"}
        rows = parse(glpi_computers_csv([row]).decode("utf-8-sig"), delimiter=";")
        assert rows[1][GLPI_COLUMNS.index("Last update")] == "2026-01-02 03:04"
        assert rows[1][GLPI_COLUMNS.index("Location")] == "a<br>b"


class TestTitledXlsx:
    def test_title_blank_row_header_and_typed_cells(self):
        workbook = load_workbook(io.BytesIO(titled_xlsx()))
        sheet = workbook.worksheets[0]
        assert sheet.title == "Utrustning"
        assert sheet["A1"].value == "Utrustning Huvudbiblioteket 2026"
        assert sheet["A1"].font.b
        assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:L1"]
        assert all(cell.value is None for cell in sheet[2])
        assert [cell.value for cell in sheet[3]] == TITLED_HEADER
        assert all(cell.font.b for cell in sheet[3])
        rows = list(sheet.iter_rows(min_row=4))
        assert [row[0].value for row in rows] == ["HB-0301", "HB-0302", "HB-0303", "NO-0301"]
        bought = TITLED_HEADER.index("Inköpsdatum")
        price = TITLED_HEADER.index("Inköpspris (kr)")
        for row in rows:
            assert isinstance(row[bought].value, datetime)
            assert row[bought].is_date and row[bought].number_format == "yyyy-mm-dd"
            assert isinstance(row[price].value, int | float)
        assert rows[0][bought].value == datetime(2025, 1, 15)
        assert rows[0][price].value == 8495.5
        assert any(cell.value is None for row in rows for cell in row)
        assert sheet.freeze_panes == "A4"

    @pytest.mark.parametrize("blank_rows", [0, 2])
    def test_blank_rows_and_own_header(self, blank_rows):
        content = titled_xlsx(
            [["HB-1", date(2024, 1, 2)]],
            title="Lista",
            blank_rows=blank_rows,
            header=["Nr", "Inköpsdatum"],
        )
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        header_row = 2 + blank_rows
        assert sheet["A1"].value == "Lista"
        assert [cell.value for cell in sheet[header_row]] == ["Nr", "Inköpsdatum"]
        assert sheet.cell(row=header_row + 1, column=2).value == datetime(2024, 1, 2)


class TestCp1252:
    def test_windows_1252_semicolons_and_crlf(self):
        content = cp1252_csv()
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")
        assert not content.startswith(BOM)
        for byte in (b"\xe5", b"\xe4", b"\xf6", b"\x96", b"\xa0"):
            assert byte in content
        assert content.endswith(b"\r\n") and b"\n" not in content.replace(b"\r\n", b"")
        rows = parse(content.decode("cp1252"), delimiter=";")
        assert rows[0] == CP1252_HEADER
        table = records(rows)
        assert table[0]["Inköpspris"] == "8\xa0495,50"
        assert table[0]["Inköpsdatum"] == "2024-03-15"
        assert table[0]["Anmärkning"] == "Låst till katalogsök; återställs varje natt"
        assert table[0]["Placering"] == "Plan 2 – vid vuxeninformationen"
        assert table[1]["Anmärkning"] == ""

    def test_own_rows(self):
        rows = [["HB-1"] + [""] * (len(CP1252_HEADER) - 1)]
        assert cp1252_csv(rows).startswith(b"Inventarienr;")
        assert cp1252_csv([["Å", "Ö"]], header=["Nr", "Plats"]) == b"Nr;Plats\r\n\xc5;\xd6\r\n"


def test_the_default_rows_are_there_to_import():
    """Tags are unique within each file; the names a test may look up are exported."""
    for rows, key in (
        (real_files.SNIPEIT_SAMPLE_ROWS, "Asset Tag"),
        (real_files.SNIPEIT_REPORT_ROWS, "Asset Tag"),
        (real_files.GLPI_ROWS, "Inventory number"),
        (real_files.CP1252_ROWS, "Inventarienr"),
    ):
        tags = [row[key] for row in rows]
        assert len(tags) == len(set(tags))
