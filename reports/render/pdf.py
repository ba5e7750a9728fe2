"""A Document as an A4 PDF (reportlab platypus).

Every page has the report's name and the organisation at the top and "Sida x av y" at
the bottom; tables repeat their header row on each page and never split a row; the
font is embedded and the document declares its title, author and language.
"""

import io
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from inventory import pdffonts as fonts
from inventory.formatting import format_date, format_number

from ..document import Document, Kind, Section, Table
from .cells import format_cell
from .charts import chart_drawing

MARGIN = 2 * cm
INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#4a5360")
LINE = colors.HexColor("#c9ced6")
HEAD = colors.HexColor("#e9edf2")
LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}
CELL_PADDING = 3


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts.register()
    base = ParagraphStyle("body", fontName=regular, fontSize=9, leading=12, textColor=INK)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=17, leading=21),
        "meta": ParagraphStyle("meta", parent=base, textColor=MUTED, fontSize=8.5, leading=11),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=bold,
            fontSize=12.5,
            leading=16,
            spaceBefore=12,
            spaceAfter=4,
        ),
        "caption": ParagraphStyle(
            "caption", parent=base, fontName=bold, spaceBefore=6, spaceAfter=3
        ),
        "th": ParagraphStyle("th", parent=base, fontName=bold, fontSize=8, leading=10),
        "th_num": ParagraphStyle(
            "th_num", parent=base, fontName=bold, fontSize=8, leading=10, alignment=TA_RIGHT
        ),
        "fact": ParagraphStyle("fact", parent=base, fontName=bold),
        "note": ParagraphStyle("note", parent=base, textColor=MUTED, fontSize=8, leading=10),
    }


class _NumberedCanvas(Canvas):
    """Holds every page until the end, so each can say how many pages there are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            regular, _bold = fonts.register()
            self.setFont(regular, 8)
            self.setFillColor(MUTED)
            self.drawRightString(
                A4[0] - MARGIN,
                1.2 * cm,
                _("Page %(page)s of %(pages)s") % {"page": number, "pages": total},
            )
            super().showPage()
        super().save()


def _paragraph(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _widths(columns, width: float) -> list[float]:
    """Column widths in proportion to the columns' weights, but never so narrow that a
    word of the header has to be broken."""
    padding = 7
    least = [
        max((stringWidth(word, fonts.BOLD, 8) for word in c.label.split()), default=0) + padding
        for c in columns
    ]
    if sum(least) >= width:
        # Too many columns for the page: share it by the headers' needs (words break).
        return [width * need / sum(least) for need in least]
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(columns)) if i not in fixed]
        room = width - sum(fixed.values())
        weights = sum(columns[i].width for i in free) or 1
        widths = {i: room * columns[i].width / weights for i in free}
        narrow = {i: least[i] for i in free if widths[i] < least[i]}
        if not narrow or len(narrow) == len(free):
            widths.update(fixed)
            return [widths[i] for i in range(len(columns))]
        fixed.update(narrow)


def _table(table: Table, styles, width: float, heading: str = "") -> list:
    columns = table.columns
    widths = _widths(columns, width)
    numeric = [c.kind in Kind.NUMERIC for c in columns]
    header = [
        _paragraph(c.label, styles["th_num" if n else "th"])
        for c, n in zip(columns, numeric, strict=True)
    ]
    data = [header]

    room = [w - 2 * CELL_PADDING for w in widths]

    def cells(row) -> list:
        out = []
        for value, column, is_number, fits in zip(row, columns, numeric, room, strict=True):
            text = format_cell(value, column.kind)
            if not is_number and stringWidth(text, fonts.REGULAR, 8) > fits:
                # Wrapped here, once, into lines of plain text: a Paragraph per cell
                # would cost ten times as much in a table of thousands of rows.
                text = "\n".join(simpleSplit(text, fonts.REGULAR, 8, fits))
            out.append(text)
        return out

    data.extend(cells(row) for row in table.rows)
    if table.footer:
        data.append(cells(table.footer))
    style = [
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("LEADING", (0, 0), (-1, -1), 10),
    ]
    for index, is_number in enumerate(numeric):
        if is_number:
            style.append(("ALIGN", (index, 1), (index, -1), "RIGHT"))
    if table.footer:
        style.append(("FONT", (0, -1), (-1, -1), fonts.BOLD, 8))
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, INK))
    # LongTable lays out long tables in linear time; repeatRows puts the header on top
    # of every page, and a row is never split between pages.
    flowable = LongTable(data, colWidths=widths, repeatRows=1, style=TableStyle(style))
    parts = []
    if table.caption and table.caption != heading:
        parts.append(CondPageBreak(3 * cm))
        parts.append(_paragraph(table.caption, styles["caption"]))
    parts.append(flowable)
    if table.total is not None and table.total > len(table.rows):
        parts.append(
            _paragraph(
                ngettext(
                    "The first %(shown)s of %(total)s row. The XLSX and CSV files of this "
                    "report have them all.",
                    "The first %(shown)s of %(total)s rows. The XLSX and CSV files of this "
                    "report have them all.",
                    table.total,
                )
                % {"shown": format_number(len(table.rows)), "total": format_number(table.total)},
                styles["note"],
            )
        )
    return parts


def _section(section: Section, styles, width: float) -> list:
    # A heading goes to the next page only when too little of this one is left for it and
    # a few lines under it; a long table then starts under its heading and breaks later.
    story: list = [CondPageBreak(4 * cm), _paragraph(section.title, styles["h2"])]
    story.extend(_paragraph(text, styles["body"]) for text in section.paragraphs)
    if section.facts:
        story.append(
            LongTable(
                [
                    [_paragraph(label, styles["fact"]), _paragraph(value, styles["body"])]
                    for label, value in section.facts
                ],
                colWidths=[width * 0.34, width * 0.66],
                style=TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ]
                ),
            )
        )
    if section.chart is not None:
        story.append(Spacer(1, 4))
        story.append(chart_drawing(section.chart, font=fonts.REGULAR, bold=fonts.BOLD))
    has_rows = any(table.rows for table in section.tables)
    for table in section.tables:
        if table.rows or table.footer:
            story.extend(_table(table, styles, width, section.title))
    if not has_rows and section.empty:
        story.append(_paragraph(section.empty, styles["body"]))
    return story


def render_pdf(document: Document) -> bytes:
    """The document as the bytes of an A4 PDF, in the document's language."""
    with translation.override(document.language):
        return _render(document)


def _render(document: Document) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    width = A4[0] - 2 * MARGIN
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=2.2 * cm,
        bottomMargin=2 * cm,
        title=document.title,
        author=document.author or "Inventera",
        subject=document.organisation,
        creator="Inventera",
        lang=LANGUAGE_TAGS.get(document.language, document.language),
        # Every font in the file is embedded: not even reportlab's default Helvetica.
        initialFontName=fonts.REGULAR,
    )

    def decorate(canvas, _doc):
        regular, bold = fonts.register()
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(bold, 9)
        canvas.drawString(MARGIN, A4[1] - 1.3 * cm, document.title)
        canvas.setFont(regular, 9)
        canvas.drawRightString(A4[0] - MARGIN, A4[1] - 1.3 * cm, document.organisation)
        canvas.setStrokeColor(LINE)
        canvas.line(MARGIN, A4[1] - 1.5 * cm, A4[0] - MARGIN, A4[1] - 1.5 * cm)
        canvas.setFont(regular, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            MARGIN,
            1.2 * cm,
            _("Inventera · as of %(date)s") % {"date": format_date(document.as_of)},
        )
        canvas.restoreState()

    story: list = [_paragraph(document.title, styles["title"]), Spacer(1, 4)]
    meta = [
        (_("Organisation"), document.organisation),
        (_("As of"), format_date(document.as_of)),
        *document.filters,
        (
            _("Made"),
            format_date(document.made_at) + (f", {document.author}" if document.author else ""),
        ),
    ]
    story.append(
        KeepTogether([_paragraph(f"{label}: {value}", styles["meta"]) for label, value in meta])
    )
    for note in document.notes:
        story.append(_paragraph(note, styles["note"]))
    for section in document.sections:
        story.extend(_section(section, styles, width))
    pdf.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
