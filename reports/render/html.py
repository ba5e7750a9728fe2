"""A Document's sections made ready for the HTML templates (the preview and dashboards):
each cell written for people and marked as number or text, each chart as a data: URI."""

from dataclasses import dataclass

from ..document import Document, Kind, Section, Table
from .cells import format_cell
from .charts import chart_data_uri


@dataclass(frozen=True)
class HtmlCell:
    text: str
    number: bool
    link: str | None = None


@dataclass(frozen=True)
class HtmlTable:
    caption: str
    headers: tuple[HtmlCell, ...]
    rows: tuple[tuple[HtmlCell, ...], ...]
    footer: tuple[HtmlCell, ...] | None
    shown: int
    total: int

    @property
    def cut(self) -> bool:
        return self.total > self.shown


@dataclass(frozen=True)
class HtmlSection:
    key: str
    title: str
    paragraphs: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]
    chart_src: str
    chart_title: str
    chart_description: str
    tables: tuple[HtmlTable, ...]
    empty: str


def _cells(row: tuple, table: Table, link: str | None = None) -> tuple[HtmlCell, ...]:
    return tuple(
        HtmlCell(
            format_cell(value, column.kind),
            column.kind in Kind.NUMERIC,
            link if index == 0 else None,
        )
        for index, (value, column) in enumerate(zip(row, table.columns, strict=True))
    )


def html_table(table: Table, limit: int | None = None) -> HtmlTable:
    rows = table.rows if limit is None else table.rows[:limit]
    links = list(table.links) + [None] * (len(rows) - len(table.links))
    return HtmlTable(
        caption=table.caption,
        headers=tuple(HtmlCell(c.label, c.kind in Kind.NUMERIC) for c in table.columns),
        rows=tuple(_cells(row, table, links[i]) for i, row in enumerate(rows)),
        footer=_cells(table.footer, table) if table.footer else None,
        shown=len(rows),
        total=max(table.row_count, len(rows)),
    )


def html_section(section: Section, limit: int | None = None) -> HtmlSection:
    chart = section.chart
    tables = tuple(html_table(t, limit) for t in section.tables if t.rows or t.footer)
    return HtmlSection(
        key=section.key,
        title=section.title,
        paragraphs=section.paragraphs,
        facts=section.facts,
        chart_src=chart_data_uri(chart) if chart and chart.categories else "",
        chart_title=chart.title if chart else "",
        chart_description=chart.description if chart else "",
        tables=tables,
        empty=section.empty if not tables else "",
    )


def html_sections(document: Document, limit: int | None = None, keys=None) -> list[HtmlSection]:
    """The document's sections (those named in `keys`, in that order, when given)."""
    sections = {section.key: section for section in document.sections}
    chosen = [sections[key] for key in keys if key in sections] if keys else sections.values()
    return [html_section(section, limit) for section in chosen]
