"""A Document as one CSV file in the asset export's dialect (Swedish Excel).

Semicolons, UTF-8 with a byte order mark, decimal comma, dates as YYYY-MM-DD and
formulas escaped, as `inventory.imports.export` writes them. A CSV holds one sheet, so
the tables follow each other, each after an empty line: a line with the table's name,
its header and its rows. The first lines say what the report is. A share is written as
a percentage, `12,3 %`, which Swedish Excel reads as one.
"""

import csv
import io
from datetime import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from inventory.formatting import format_date
from inventory.imports.export import csv_cell

from ..document import Document, Kind


def _value(value, kind: str = Kind.TEXT) -> str:
    if kind == Kind.PERCENT and value is not None:
        return f"{Decimal(str(value)) * 100:.1f} %".replace(".", ",")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return csv_cell(value)


def render_csv(document: Document) -> bytes:
    with translation.override(document.language):
        return _render(document)


def _render(document: Document) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_value(document.title)])
    for label, value in (
        (_("Organisation"), document.organisation),
        (_("As of"), document.as_of),
        *document.filters,
        (_("Made"), format_date(document.made_at)),
    ):
        writer.writerow([_value(label), _value(value)])
    for note in document.notes:
        writer.writerow([_value(note)])
    for section in document.sections:
        for table in section.tables:
            writer.writerow([])
            writer.writerow([_value(table.caption or section.title)])
            writer.writerow([_value(column.label) for column in table.columns])
            kinds = [column.kind for column in table.columns]
            writer.writerows(
                [_value(v, k) for v, k in zip(row, kinds, strict=True)] for row in table.rows
            )
            if table.footer:
                writer.writerow([_value(v, k) for v, k in zip(table.footer, kinds, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")
