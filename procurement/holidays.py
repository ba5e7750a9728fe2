"""Swedish public holidays and the days the law treats like them, in pure Python.

Public holidays are those of lag (1989:253) om allmänna helgdagar as it reads since 2005
(the national day a holiday, annandag pingst no longer one). Lag (1930:173) om beräkning
av lagstadgad tid (the "Sunday rule") treats Saturdays, midsummer eve, Christmas eve and
New Year's eve like public holidays when a period's last day falls on one of them; these
three eves are included here so that one table answers "is this a working day?".

No holiday library is installed, and the rules are few and fixed, so they are written out.
Dates are Gregorian; years before 2005 get today's rules, not the rules of their time.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

__all__ = [
    "easter_sunday",
    "is_swedish_non_working_day",
    "next_working_day_from",
    "swedish_holidays",
]


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year (the anonymous Gregorian computus, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _weekday_between(year: int, month: int, first_day: int, weekday: int) -> date:
    """The one day with `weekday` (Monday 0) in the seven days from `first_day` of `month`."""
    start = date(year, month, first_day)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@lru_cache(maxsize=64)
def _holidays(year: int) -> tuple[tuple[date, str], ...]:
    easter = easter_sunday(year)
    midsummer_eve = _weekday_between(year, 6, 19, 4)  # the Friday 19-25 June
    days = [
        (date(year, 1, 1), "Nyårsdagen"),
        (date(year, 1, 6), "Trettondedag jul"),
        (easter - timedelta(days=2), "Långfredagen"),
        (easter, "Påskdagen"),
        (easter + timedelta(days=1), "Annandag påsk"),
        (date(year, 5, 1), "Första maj"),
        (easter + timedelta(days=39), "Kristi himmelsfärdsdag"),
        (easter + timedelta(days=49), "Pingstdagen"),
        (date(year, 6, 6), "Sveriges nationaldag"),
        (midsummer_eve, "Midsommarafton"),
        (midsummer_eve + timedelta(days=1), "Midsommardagen"),
        (_weekday_between(year, 10, 31, 5), "Alla helgons dag"),  # the Saturday 31 Oct-6 Nov
        (date(year, 12, 24), "Julafton"),
        (date(year, 12, 25), "Juldagen"),
        (date(year, 12, 26), "Annandag jul"),
        (date(year, 12, 31), "Nyårsafton"),
    ]
    # Kristi himmelsfärdsdag can fall on 1 May (it did in 2008); keep both names.
    merged: dict[date, str] = {}
    for day, name in days:
        merged[day] = f"{merged[day]}, {name}" if day in merged else name
    return tuple(sorted(merged.items()))


@lru_cache(maxsize=64)
def _holiday_dates(year: int) -> frozenset[date]:
    return frozenset(day for day, _name in _holidays(year))


def _require_date(day: date) -> None:
    # A datetime never equals a date, so it would silently miss every holiday; the caller
    # decides which local day a moment belongs to.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}")


def swedish_holidays(year: int) -> dict[date, str]:
    """Public holidays (lag 1989:253) plus midsummer, Christmas and New Year's eve.

    Maps each date to its Swedish name, in date order. Påskdagen and pingstdagen are
    Sundays and so non-working days anyway; they are listed because they are holidays.
    """
    return dict(_holidays(year))


def is_swedish_non_working_day(day: date) -> bool:
    """Whether `day` is no working day under lag (1930:173): a Saturday, a Sunday, a public
    holiday, midsummer eve, Christmas eve or New Year's eve."""
    _require_date(day)
    return day.weekday() >= 5 or day in _holiday_dates(day.year)


def next_working_day_from(day: date) -> date:
    """`day` itself if it is a working day, else the first working day after it (lag 1930:173)."""
    _require_date(day)
    while is_swedish_non_working_day(day):
        day += timedelta(days=1)
    return day
