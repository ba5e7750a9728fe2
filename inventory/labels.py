"""QR labels for equipment, on A4 sheets of self-adhesive labels.

A sheet's layout is data: where each label is, in points, measured from the sheet
maker's template. Each label carries the asset tag in large type, the category, the
model and the library, and a QR code of the asset page's address on
`INVENTERA_BASE_URL`, so a phone's camera opens the asset. The labels are drawn in the
active language.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from . import pdffonts
from .models import Asset

# The embedded font of every PDF of ours (inventory/pdffonts.py).
REGULAR, BOLD = pdffonts.REGULAR, pdffonts.BOLD

# White kept inside each label's edge: label printers and office printers alike leave
# a few millimetres unprinted, and sheets are fed a little off.
PADDING = 3 * mm
# Light modules around the code (the standard asks for 4; the padding adds more).
QR_BORDER = 2
QR_MAX = 26 * mm
TAG_SIZE = 15
TEXT_SIZE = 7.5
LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}


@dataclass(frozen=True)
class LabelLayout:
    """A sheet of labels in points (1/72 inch); the origin of a label is its top-left
    corner, counted from the sheet's top-left corner as the sheet makers measure."""

    key: str
    name: str | Promise
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    top_margin: float
    left_margin: float
    horizontal_pitch: float
    vertical_pitch: float

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def cell(self, position: int) -> tuple[float, float, float, float]:
        """The label at `position` (0 is the top left, then along the row) as (x, y,
        width, height) in PDF coordinates: (x, y) is its bottom-left corner."""
        if not 0 <= position < self.per_sheet:
            raise ValueError(f"position {position} is not on a sheet of {self.per_sheet}")
        row, column = divmod(position, self.columns)
        x = self.left_margin + column * self.horizontal_pitch
        top = self.top_margin + row * self.vertical_pitch
        return (x, self.page_height - top - self.label_height, self.label_width, self.label_height)


LAYOUTS: dict[str, LabelLayout] = {
    layout.key: layout
    for layout in (
        # 3 x 8 labels of 70 x 37 mm with no gaps, as Avery 3474: the 296 mm of labels
        # sit in the middle of the 297 mm sheet.
        LabelLayout(
            key="3x8",
            name=gettext_lazy("24 per sheet, 70 × 37 mm (3 × 8, e.g. Avery 3474)"),
            page_width=A4[0],
            page_height=A4[1],
            columns=3,
            rows=8,
            label_width=70 * mm,
            label_height=37 * mm,
            top_margin=0.5 * mm,
            left_margin=0,
            horizontal_pitch=70 * mm,
            vertical_pitch=37 * mm,
        ),
        # 2 x 7 labels of 99.1 x 38.1 mm, as Avery L7163 (the maker's template).
        LabelLayout(
            key="2x7",
            name=gettext_lazy("14 per sheet, 99.1 × 38.1 mm (2 × 7, e.g. Avery L7163)"),
            page_width=A4[0],
            page_height=A4[1],
            columns=2,
            rows=7,
            label_width=99.1 * mm,
            label_height=38.1 * mm,
            top_margin=15.1 * mm,
            left_margin=4.65 * mm,
            horizontal_pitch=101.6 * mm,
            vertical_pitch=38.1 * mm,
        ),
    )
}


@dataclass(frozen=True)
class Label:
    """What one label shows."""

    tag: str
    url: str
    category: str
    model: str
    library: str


def asset_url(asset: Asset) -> str:
    """The asset page's absolute address, on INVENTERA_BASE_URL."""
    return settings.INVENTERA_BASE_URL.rstrip("/") + asset.get_absolute_url()


def label_for(asset: Asset) -> Label:
    """The label of an asset (with its category, manufacturer, model and library
    loaded), in the active language."""
    return Label(
        tag=asset.tag,
        url=asset_url(asset),
        category=str(asset.category),
        model=f"{asset.manufacturer or ''} {asset.model}".strip() if asset.model_id else "",
        library=asset.library.name,
    )


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis if it is wider than `width`."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, side: float) -> None:
    """The QR code of `url` (error correction M, or higher where it fits in the same
    size) as one filled path, so that no seam shows between modules when rasterised."""
    code = segno.make(url, error="m", micro=False)
    matrix = [list(row) for row in code.matrix_iter(scale=1, border=QR_BORDER)]
    module = side / len(matrix)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + side - r * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                path.rect(x + start * module, top - module, (c - start) * module, module)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_label(canvas: Canvas, label: Label, cell: tuple[float, float, float, float]) -> None:
    x, y, width, height = cell
    side = min(height - 2 * PADDING, QR_MAX)
    _draw_qr(canvas, label.url, x + PADDING, y + (height - side) / 2, side)
    left = x + PADDING + side + 2 * mm
    room = x + width - PADDING - left
    # The tag as large as fits, up to TAG_SIZE: it is what people read and type.
    size = min(TAG_SIZE, room / max(stringWidth(label.tag, BOLD, 1), 1))
    lines = [line for line in (label.category, label.model, label.library) if line]
    block = size + len(lines) * TEXT_SIZE * 1.3 + 2
    baseline = y + (height + block) / 2 - size * 0.8
    canvas.setFont(BOLD, size)
    canvas.drawString(left, baseline, label.tag)
    baseline -= size * 0.2 + 2 + TEXT_SIZE * 1.1
    canvas.setFont(REGULAR, TEXT_SIZE)
    for line in lines:
        canvas.drawString(left, baseline, _fit(line, REGULAR, TEXT_SIZE, room))
        baseline -= TEXT_SIZE * 1.3


def labels_pdf(assets: Iterable[Asset], layout: LabelLayout, *, start: int = 1) -> bytes:
    """The labels of `assets`, in their order, as a PDF of as many sheets as they fill.

    `start` is the position (1 for the top left) of the first free label on the first
    sheet, so that a partly used sheet can be used up.
    """
    if not 1 <= start <= layout.per_sheet:
        raise ValueError(f"start must be 1 to {layout.per_sheet}, not {start}")
    pdffonts.register()
    buffer = io.BytesIO()
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    canvas = Canvas(
        buffer,
        pagesize=(layout.page_width, layout.page_height),
        pageCompression=1,
        lang=LANGUAGE_TAGS.get(language, language),
        # Every font in the file is embedded: not even reportlab's default Helvetica.
        initialFontName=REGULAR,
    )
    canvas.setTitle(_("Asset labels"))
    canvas.setAuthor("Inventera")
    canvas.setCreator("Inventera")
    position = start - 1
    for asset in assets:
        if position == layout.per_sheet:
            canvas.showPage()
            position = 0
        _draw_label(canvas, label_for(asset), layout.cell(position))
        position += 1
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
