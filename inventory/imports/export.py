"""Exporting asset records as CSV or XLSX, with the import's column names.

CSV is written for Swedish Excel: semicolons, UTF-8 with a byte order mark, amounts with a
decimal comma, dates as YYYY-MM-DD. XLSX keeps amounts as numbers and dates as dates, under
a bold header row that stays in view, with an autofilter over the table and each column as
wide as its content. Either can be edited and imported back. A text cell that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
written so that it shows as text: in CSV with a leading apostrophe, which the import
removes again; in XLSX as a text cell marked with Excel's quote prefix.
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


# Column widths in characters: each column as wide as its longest value or header, within
# these bounds. The header gets room for the autofilter's drop-down button beside its text.
MIN_WIDTH, MAX_WIDTH = 10, 60
PADDING, FILTER_BUTTON = 2, 2


def _shown_length(value) -> int:
    """How many characters a value takes in its cell: a date as yyyy-mm-dd, an amount as
    #,##0.00, a text of several lines as its longest line."""
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    if isinstance(value, date):
        return 10
    text = str(value)
    if "\n" in text:
        return max(map(len, text.split("\n")))
    return len(text)


def _xlsx(headers: list[str], rows) -> bytes:
    """One sheet: a bold header row that stays in view, an autofilter over the header and
    every row, and each column as wide as its content.

    Written with XlsxWriter in its constant-memory mode, row by row. Unlike openpyxl's
    write-only mode, which writes the column widths before the first row, it writes them
    when the workbook is closed, so the widest value of each column is tracked while the
    rows are written, in the one pass over them.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet("Inventera")
    bold = workbook.add_format({"bold": True})
    amount = workbook.add_format({"num_format": "#,##0.00"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    # Text is always a string cell, never a formula; text that starts like a formula also
    # gets the quote prefix, so that Excel keeps it as text when the cell is edited.
    quoted = workbook.add_format({"quote_prefix": True})
    longest = [len(header) + FILTER_BUTTON for header in headers]
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
    row_number = 0
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, Decimal):
                sheet.write_number(row_number, column, value, amount)
            elif isinstance(value, date):
                sheet.write_datetime(row_number, column, value, day)
            else:
                text = str(value)
                quote = quoted if text.startswith(FORMULA_START) else None
                # A line break as a line feed alone, as Excel writes it: XlsxWriter would
                # write a carriage return as the escape _x000D_, which Excel reads back as
                # a carriage return but openpyxl, and so the import, as seven characters.
                value = text.replace("\r\n", "\n").replace("\r", "\n")
                sheet.write_string(row_number, column, value, quote)
            if longest[column] < MAX_WIDTH:
                longest[column] = max(longest[column], _shown_length(value))
    for column, length in enumerate(longest):
        sheet.set_column(column, column, min(MAX_WIDTH, max(MIN_WIDTH, length + PADDING)))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, row_number, len(headers) - 1)
    workbook.close()
    return buffer.getvalue()
