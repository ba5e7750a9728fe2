"""One value of a report table written for people, by its column's kind (PDF and HTML)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from inventory.formatting import NBSP, format_date, format_number, format_sek

from ..document import Kind

EMPTY = "–"


def format_cell(value, kind: str) -> str:
    """`Decimal("1234567.5")` as money -> `1 234 568 kr`; None -> `–`."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if kind == Kind.MONEY:
        return format_sek(value, decimals=False)
    if kind == Kind.MONEY_EXACT:
        return format_sek(value)
    if kind == Kind.INT:
        return format_number(value)
    if kind == Kind.DAYS:
        return format_number(value, decimals=1)
    if kind == Kind.PERCENT:
        number = format_number(Decimal(str(value)) * 100)
        return f"{number}%" if (get_language() or "sv").startswith("en") else f"{number}{NBSP}%"
    if isinstance(value, datetime | date):
        return format_date(value)
    return str(value)
