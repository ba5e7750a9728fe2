"""Calendar arithmetic the register needs, without a third-party date library."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; the 31st becomes the last day of a shorter month."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
