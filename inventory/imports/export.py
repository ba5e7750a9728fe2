"""Exporting asset records as CSV or XLSX, with the import's column names.

CSV is written for Swedish Excel: semicolons, UTF-8 with a byte order mark, amounts with a
decimal comma, dates as YYYY-MM-DD. XLSX keeps amounts as numbers and dates as dates.
Either can be edited and imported back. A text cell that a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return) is written so that it shows
as text: in CSV with a leading apostrophe, which the import removes again; in XLSX as a
text cell marked with Excel's quote prefix.
"""

import csv
import io
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from .cells import FORMULA_START
from .columns import ASSET_COLUMNS, column_label
from .resource import AssetResource, export_queryset

CSV, XLSX = "csv", "xlsx"
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def escape_formula(text: str) -> str:
    """`=1+2` -> `'=1+2`: shown as text by a spreadsheet, never run."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(value) -> str:
    """One value as a CSV cell of the Swedish Excel dialect, formulas escaped."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return escape_formula(str(value))


def assets_export(*, assets: QuerySet, file_format: str = CSV) -> bytes:
    """The assets as a CSV or XLSX file, in the active language's column names."""
    if file_format not in CONTENT_TYPES:
        raise ValueError(f"unknown export format {file_format!r}")
    headers = [column_label(key) for key in ASSET_COLUMNS]
    dataset = AssetResource().export(export_queryset(assets))
    if file_format == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([csv_cell(value) for value in row] for row in dataset)
        return buffer.getvalue().encode("utf-8-sig")
    return _xlsx(headers, dataset)


def _xlsx(headers: list[str], rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Inventera")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
            elif isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
            elif value in (None, ""):
                cell = None
            else:
                text = str(value)
                cell = WriteOnlyCell(sheet, value=text)
                # A string cell is never a formula; the quote prefix also keeps Excel from
                # reading it as one when the cell is edited.
                cell.data_type = "s"
                if text.startswith(FORMULA_START):
                    cell.quotePrefix = True
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
