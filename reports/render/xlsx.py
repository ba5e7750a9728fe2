"""A Document as an XLSX workbook (openpyxl, write-only, so memory stays flat).

The first sheet says what the report is (as of, filters, methods); then one sheet per
table with its header in row 1, so each can be filtered, sorted and pivoted. Amounts,
counts and dates are real numbers and dates; text that a spreadsheet would run as a
formula is written as text.
"""

import io
import re
from datetime import date, datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from inventory.formatting import format_date
from inventory.resources import FORMULA_START

from ..document import Document, Kind

NUMBER_FORMATS = {
    Kind.INT: "#,##0",
    Kind.MONEY: "#,##0.00",
    Kind.MONEY_EXACT: "#,##0.00",
    Kind.DAYS: "0.0",
    Kind.PERCENT: "0.0%",
}
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    name = _NOT_IN_SHEET_NAMES.sub(" ", title).strip()[:31] or "Sheet"
    candidate, number = name, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = name[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def _cell(sheet, value, kind: str, bold: Font | None = None):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = _("Yes") if value else _("No")
    if isinstance(value, datetime):
        value = format_date(value)
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = NUMBER_FORMATS.get(kind, "General")
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
    else:
        text = str(value)
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # never a formula
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
    if bold is not None:
        cell.font = bold
    return cell


def render_xlsx(document: Document) -> bytes:
    with translation.override(document.language):
        return _render(document)


def _render(document: Document) -> bytes:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    about = workbook.create_sheet(_sheet_name(_("About the report"), taken))
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 90
    about.append([_cell(about, document.title, Kind.TEXT, bold)])
    for label, value in (
        (_("Organisation"), document.organisation),
        (_("As of"), document.as_of),
        *document.filters,
        (_("Made"), format_date(document.made_at)),
        (_("Made by"), document.author),
    ):
        about.append([_cell(about, label, Kind.TEXT, bold), _cell(about, value, Kind.TEXT)])
    for note in document.notes:
        about.append([None, _cell(about, note, Kind.TEXT)])
    for section in document.sections:
        if section.facts or section.paragraphs:
            about.append([])
            about.append([_cell(about, section.title, Kind.TEXT, bold)])
            for text in section.paragraphs:
                about.append([None, _cell(about, text, Kind.TEXT)])
            for label, value in section.facts:
                about.append([_cell(about, label, Kind.TEXT), _cell(about, value, Kind.TEXT)])
        for table in section.tables:
            sheet = workbook.create_sheet(
                _sheet_name(table.sheet or table.caption or section.title, taken)
            )
            sheet.freeze_panes = "A2"
            for index, column in enumerate(table.columns):
                letter = _column_letter(index)
                sheet.column_dimensions[letter].width = 14 if column.kind in Kind.NUMERIC else 30
            kinds = [column.kind for column in table.columns]
            sheet.append([_cell(sheet, c.label, Kind.TEXT, bold) for c in table.columns])
            for row in table.rows:
                sheet.append([_cell(sheet, v, k) for v, k in zip(row, kinds, strict=True)])
            if table.footer:
                sheet.append(
                    [_cell(sheet, v, k, bold) for v, k in zip(table.footer, kinds, strict=True)]
                )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
