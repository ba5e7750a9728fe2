"""The cells of an asset file: how each kind of value is read, and written back.

django-import-export widgets for text, dates, amounts in kronor, choices named by code or
label, and related rows named by code or name, all compared leniently (see
`columns.compact`).
"""

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from ..formatting import parse_decimal
from .columns import compact, compact_all

# What a spreadsheet runs as a formula when a cell starts with it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A date, and the time some systems write after it ("2023-05-12 00:00:00"), dropped.
ISO_DATE = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
# Excel's day numbers: day 0 is 1899-12-30; 1950-01-01 to 2099-12-31 are taken as dates.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_DAYS = (18264, 73050)
# "8 495 kr", "SEK 8,495.00", "8 495:-": the currency is allowed, and dropped.
CURRENCY = re.compile(r"^\s*(?:SEK|kr)\.?\s*|\s*(?:kr|SEK|:-)\.?\s*$", re.IGNORECASE)
_CENT = Decimal("0.01")


def unescape_formula(text: str) -> str:
    """Undo the export's protection of a cell a spreadsheet would run as a formula."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def text_of(value) -> str:
    """A cell as text: trimmed as a form trims it, a whole number from a spreadsheet
    without ".0", and the export's protection against formulas removed."""
    if type(value) is not str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        value = str(value)
    text = value.strip()
    return unescape_formula(text).strip() if text[:1] == "'" else text


class UnknownValue(ValueError):
    """A value that names nothing Inventera knows: the user may map it to what it means."""

    def __init__(self, field: str, value: str, message: str):
        super().__init__(message)
        self.field = field
        self.value = value


class TextWidget(widgets.Widget):
    def __init__(self, *, lower: bool = False):
        super().__init__(coerce_to_string=False)
        self.lower = lower

    def clean(self, value, row=None, **kwargs):
        text = text_of(value)
        return text.lower() if self.lower else text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class IsoDateWidget(widgets.Widget):
    """Dates as YYYY-MM-DD (a time after it is dropped), a spreadsheet's date cell, or in
    the formats another system writes (a preset's `date_formats`).

    Excel keeps a date as a number of days; a number cell in a date column of a workbook
    is read as such a day number, as Excel would show it once the column is formatted as
    a date.
    """

    def __init__(self, formats: tuple[str, ...] = ()):
        super().__init__(coerce_to_string=False)
        self.formats = formats

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self._excel_day(value)
        text = text_of(value)
        if not text:
            return None
        for pattern in self.formats:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        found = ISO_DATE.fullmatch(text)
        if not found:
            if self.formats:
                raise ValueError(
                    _("“%(value)s” is not a date in the form %(forms)s.")
                    % {"value": text, "forms": ", ".join(_example(f) for f in self.formats)}
                )
            raise ValueError(
                _("“%(value)s” is not a date. Write dates as YYYY-MM-DD, e.g. 2026-03-15.")
                % {"value": text}
            )
        try:
            return date.fromisoformat(found["date"])
        except ValueError:
            raise ValueError(_("There is no date %(value)s.") % {"value": text}) from None

    @staticmethod
    def _excel_day(value) -> date:
        if not EXCEL_DAYS[0] <= value <= EXCEL_DAYS[1]:
            raise ValueError(
                _("%(value)s is not a date. Format the column as dates, e.g. 2026-03-15.")
                % {"value": value}
            )
        return EXCEL_EPOCH + timedelta(days=int(value))

    def render(self, value, obj=None, **kwargs):
        return value


def _example(pattern: str) -> str:
    """A strptime format as people read it: %Y-%m-%d -> YYYY-MM-DD."""
    for code, shown in (("%Y", "YYYY"), ("%y", "YY"), ("%m", "M"), ("%d", "D"), ("%H", "hh")):
        pattern = pattern.replace(code, shown)
    return pattern.replace("%M", "mm").replace("%S", "ss")


class AmountWidget(widgets.Widget):
    """An amount in kronor as people write it: `8 495,50`, `8495.50`, or a number cell."""

    def __init__(self, language: str = "sv"):
        super().__init__(coerce_to_string=False)
        self.language = language

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            raise ValueError(_("Enter an amount in kronor, for example 8 495,50."))
        if isinstance(value, int | Decimal):
            return self._in_ore(Decimal(value))
        if isinstance(value, float):
            # A spreadsheet's binary fraction, to whole öre.
            return Decimal(repr(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
        text = CURRENCY.sub("", text_of(value))
        if not text:
            return None
        try:
            return self._in_ore(parse_decimal(text, language=self.language))
        except ValueError:
            raise ValueError(_("Enter an amount in kronor, for example 8 495,50.")) from None

    @staticmethod
    def _in_ore(value: Decimal) -> Decimal:
        # `100` is stored as 100.00; more decimals than öre are left for full_clean() to
        # refuse.
        if value.as_tuple().exponent < -2:
            return value
        try:
            return value.quantize(_CENT)
        except InvalidOperation:  # too large to write in öre at all
            raise ValueError(_("Enter an amount in kronor, for example 8 495,50.")) from None

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(widgets.Widget):
    """A choice named by its code or its label in either language."""

    def __init__(self, choices, what, aliases: dict[str, str] | None = None, field: str = ""):
        super().__init__(coerce_to_string=False)
        self.field = field
        self.choices = choices
        self.what = what
        self.aliases = dict(aliases or {})
        self._index: dict[str, str] | None = None

    def index(self) -> dict[str, str]:
        if self._index is None:
            index = {}
            for name, code in self.aliases.items():
                index[compact_all(name)] = code
            for code in self.choices.values:
                index.setdefault(compact(code), code)
                for language in ("sv", "en"):
                    with translation.override(language):
                        index.setdefault(compact(self.choices(code).label), code)
            self._index = index
        return self._index

    def clean(self, value, row=None, **kwargs):
        text = text_of(value)
        if not text:
            return None
        index = self.index()
        code = index.get(compact_all(text)) or index.get(compact(text))
        if code is None:
            raise UnknownValue(
                self.field,
                text,
                _("Unknown %(what)s “%(value)s”. Use one of: %(choices)s.")
                % {
                    "what": self.what,
                    "value": text,
                    "choices": ", ".join(str(label) for label in self.choices.labels),
                },
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


# What a lookup finds when a name fits more than one row (the row's error says so).
AMBIGUOUS = object()


class LookupWidget(widgets.ForeignKeyWidget):
    """A related row named by any of several fields (code, names), compared leniently.

    Primed, it answers from memory; unprimed (the library's default path), with a query
    per value.
    """

    def __init__(self, model, lookups: tuple[str, ...], what, render_field: str | None = None):
        super().__init__(model, field=lookups[0])
        self.lookups = lookups
        self.what = what
        self.render_field = render_field
        # the asset's field it fills: "category", "library"
        self.field_name = model._meta.model_name
        self._index: dict | None = None

    def prime(self, queryset=None) -> None:
        index: dict = {}
        rows = list(queryset if queryset is not None else self.model.objects.all())
        for number, lookup in enumerate(self.lookups):
            for obj in rows:
                key = compact(getattr(obj, lookup))
                if not key:
                    continue
                found = index.get(key)
                if found is None:
                    index[key] = (number, obj)
                elif found[0] == number and found[1] != obj:
                    index[key] = (number, AMBIGUOUS)
        self._index = {key: obj for key, (_n, obj) in index.items()}

    def find(self, text: str):
        if self._index is not None:
            return self._index.get(compact(text))
        for lookup in self.lookups:
            found = list(self.model.objects.filter(**{f"{lookup}__iexact": text})[:2])
            if len(found) == 1:
                return found[0]
            if found:
                return AMBIGUOUS
        return None

    def clean(self, value, row=None, **kwargs):
        text = text_of(value)
        if not text:
            return None
        obj = self.find(text)
        if obj is AMBIGUOUS:
            raise ValueError(
                _("“%(value)s” names more than one %(what)s; use the code.")
                % {"value": text, "what": self.what}
            )
        if obj is None:
            raise UnknownValue(
                self.field_name,
                text,
                _("Unknown %(what)s “%(value)s”.") % {"what": self.what, "value": text},
            )
        return obj

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return str(getattr(value, self.render_field)) if self.render_field else str(value)


class RelatedNameWidget(widgets.Widget):
    """Export only: the name of a related row (the import resolves it with the row)."""

    def __init__(self, attribute: str = "name"):
        super().__init__(coerce_to_string=False)
        self.attribute = attribute

    def clean(self, value, row=None, **kwargs):
        return text_of(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.attribute))


class FeaturesWidget(widgets.Widget):
    """Export only: the features' names in the active language, comma-separated."""

    def clean(self, value, row=None, **kwargs):
        return text_of(value)

    def render(self, value, obj=None, **kwargs):
        return ", ".join(str(f) for f in value.all()) if value is not None else ""
