"""The rows an import refused, as a file to correct and import again.

The same format as the file they came from: its header row and each refused row's cells
as they were, with one more column that says what is wrong. A CSV file keeps its
character encoding and separator; a workbook stays a workbook, with date cells as dates.
Cells a spreadsheet would run as a formula are written as text (the import reads them
back as they were written).
"""

import csv
import io
from datetime import date, datetime
from pathlib import PurePath

from django.utils.translation import gettext as _

from .cells import FORMULA_START
from .reading import Table

CSV_TYPE = "text/csv; charset={}"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _message(row) -> str:
    return "; ".join(
        f"{error.column}: {error.message}" if error.column else error.message
        for error in row.errors
    )


def rejected_rows_file(outcome) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the outcome's rows with errors."""
    table: Table = outcome.table
    by_number = dict(table.rows)
    header = [*table.headers, _("Import errors")]
    rows = [[*by_number[row.number], _message(row)] for row in outcome.error_rows]
    stem = PurePath(outcome.file_name).stem or "import"
    name = _("%(name)s-rejected") % {"name": stem}
    if table.file_format == "xlsx":
        return _xlsx(header, rows), XLSX_TYPE, f"{name}.xlsx"
    return _csv(header, rows, table), CSV_TYPE.format(_charset(table)), f"{name}.csv"


def _charset(table: Table) -> str:
    return "utf-8" if table.encoding in ("", "utf-8-sig", "utf-8") else table.encoding


def _csv(header, rows, table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=table.delimiter or ";", lineterminator="\r\n")
    writer.writerow(header)
    for cells in rows:
        writer.writerow(["" if c is None else _safe(_text(c)) for c in cells])
    encoding = table.encoding or "utf-8-sig"
    if encoding == "utf-8":
        encoding = "utf-8-sig"
    # A message may hold a character the file's encoding has no room for.
    return buffer.getvalue().encode(encoding, errors="replace")


def _text(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(header, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Rejected rows")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cells in rows:
        sheet.append([_safe(c) for c in cells])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime | date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.column_dimensions[sheet.cell(1, len(header)).column_letter].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
