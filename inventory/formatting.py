"""How amounts and dates are written for people: `1 234 567,50 kr`, `2026-11-22`."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import get_language

NBSP = "\xa0"
_CENT = Decimal("0.01")


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(parts)


def format_sek(amount: Decimal | int | None, *, decimals: bool = True) -> str:
    """An amount in kronor, e.g. `8 495,00 kr` (English: `SEK 8,495.00`).

    Swedish uses a no-break space between groups and before "kr", so an amount never
    breaks across lines. Rounds half up to whole öre (or kronor with decimals=False).
    """
    if amount is None:
        return ""
    value = Decimal(amount).quantize(_CENT if decimals else Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _sep, fraction = f"{abs(value):f}".partition(".")
    if (get_language() or "sv").startswith("en"):
        number = _group(whole, ",") + (f".{fraction}" if decimals else "")
        return f"{sign}SEK{NBSP}{number}"
    number = _group(whole, NBSP) + (f",{fraction}" if decimals else "")
    return f"{sign}{number}{NBSP}kr"


def format_number(value: int | float | Decimal | None, *, decimals: int = 0) -> str:
    """A count or measure for people: `12 345`, `4,5` (English: `12,345`, `4.5`)."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _sep, fraction = f"{abs(number):f}".partition(".")
    if (get_language() or "sv").startswith("en"):
        return sign + _group(whole, ",") + (f".{fraction}" if fraction else "")
    return sign + _group(whole, NBSP) + (f",{fraction}" if fraction else "")


def format_date(value: date | datetime | None) -> str:
    """ISO 8601 in both languages: 2026-11-22; a datetime in Stockholm time with hh:mm."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def parse_decimal(text: str, *, language: str | None = None) -> Decimal:
    """A number as people type it: `8 495,50`, `8495.50`, `8,495.50`, `8 495`.

    Spaces (also no-break and narrow no-break) group thousands. When both a comma and a
    dot appear, the last one is the decimal mark. A lone comma is the decimal mark in
    Swedish and a thousands separator in English. Raises ValueError when it is not a
    number.
    """
    cleaned = "".join(str(text).split()).replace("\u202f", "").replace(NBSP, "")
    cleaned = cleaned.replace("\u2212", "-")  # the minus sign some programs write
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in cleaned:
        english = (language or get_language() or "sv").startswith("en")
        cleaned = cleaned.replace(",", "") if english else cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value
