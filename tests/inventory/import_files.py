"""Real asset files for the import and export tests, made the way spreadsheets make them."""

import csv
import io

from openpyxl import Workbook, load_workbook

# The columns as the Swedish export writes them.
SV_HEADERS = [
    "Inventarienummer",
    "Kategori",
    "Tillverkare",
    "Modell",
    "Serienummer",
    "Bibliotek",
    "Plats",
    "Status",
    "Inköpspris (kr exkl. moms)",
    "Inköpsdatum",
    "Funktioner",
    "Anteckningar",
]


def sv_row(tag, **values):
    """A row under SV_HEADERS: a public workstation in HB's help centre by default."""
    row = {
        "tag": tag,
        "category": "Publik dator",
        "manufacturer": "Lenovo",
        "model": "ThinkCentre M70q",
        "serial": f"SN-{tag}",
        "library": "HB",
        "location": "Plan 2 – vid vuxeninformationen",
        "status": "I drift",
        "price": "8\xa0495,50",
        "bought": "2026-01-15",
        "features": "",
        "notes": "",
    }
    row.update(values)
    return list(row.values())


def csv_bytes(rows, *, delimiter=";", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "a BOM, so that Swedish Excel reads UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]
