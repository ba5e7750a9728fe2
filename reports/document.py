"""A report as its renderers see it: sections of facts, paragraphs, tables and charts.

Selectors compute a report's figures as typed data; `reports.layouts` turns that data
into one `Document` in the active language; the renderers (`reports.render`) turn a
Document into PDF, XLSX, CSV or HTML without knowing which report it is. Cell values
keep their types (Decimal, date, int) so each format writes them its own way: a
spreadsheet gets numbers and dates, a PDF gets `1 234 567 kr` and `2026-11-27`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime


class Kind:
    """How the values of a column are written."""

    TEXT = "text"
    INT = "int"
    MONEY = "money"  # SEK in whole kronor on paper, exact in spreadsheets
    MONEY_EXACT = "money_exact"  # SEK with öre everywhere (a case's own figures)
    DATE = "date"
    DAYS = "days"  # a number of days with one decimal
    PERCENT = "percent"  # a fraction: 0.25 is 25 %

    NUMERIC = frozenset({INT, MONEY, MONEY_EXACT, DAYS, PERCENT})


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = Kind.TEXT
    width: float = 1.0  # relative width on paper


@dataclass(frozen=True)
class Table:
    """Rows of typed values under labelled columns.

    `rows` may be the first part of a longer list: `total` says how many there are in
    all, so a renderer can say what it leaves out. `links` (optional, one per row) point
    the first cell of each row to a page, for the HTML preview.
    """

    columns: tuple[Column, ...]
    rows: Sequence[tuple]
    caption: str = ""
    total: int | None = None
    footer: tuple | None = None  # a totals row, written after the rows
    links: Sequence[str | None] = ()
    sheet: str = ""  # the spreadsheet tab's name; the caption when empty

    @property
    def row_count(self) -> int:
        return self.total if self.total is not None else len(self.rows)


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar per category and series (grouped), or stacked."""

    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    kind: str = Kind.INT  # of the values
    horizontal: bool = False
    stacked: bool = False
    description: str = ""  # the chart in one sentence, for people who cannot see it


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    tables: tuple[Table, ...] = ()
    chart: Chart | None = None
    empty: str = ""  # said instead of a table with no rows


@dataclass(frozen=True)
class Document:
    key: str  # the report's name, e.g. "it-status"
    title: str
    organisation: str  # the municipality, and the library when one is chosen
    as_of: date
    made_at: datetime
    language: str
    author: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()  # how the figures are made (methods, VAT)
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def filename(self, extension: str) -> str:
        return f"inventera-{self.key}-{self.as_of.isoformat()}.{extension}"
