"""Charts drawn once with reportlab's graphics: a flowable in the PDF, SVG on the web.

The same `Chart` gives the same drawing in both; only the font differs, because a PDF
embeds its own font (see `fonts`) while an SVG shown in a browser uses the browser's
sans-serif. Colours have at least 3:1 contrast against white (WCAG 2.1, 1.4.11).
"""

import base64
import math
from decimal import Decimal
from functools import lru_cache

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from inventory.formatting import format_number

from ..document import Chart, Kind

PALETTE = [
    colors.HexColor("#0b5394"),
    colors.HexColor("#c2410c"),
    colors.HexColor("#15803d"),
    colors.HexColor("#7e22ce"),
    colors.HexColor("#a16207"),
    colors.HexColor("#475569"),
    colors.HexColor("#be123c"),
]
WIDTH = 480  # points: the text width of an A4 page with 2 cm margins
LABEL_CHARACTERS = 24
SVG_FONT = "Helvetica"  # written as font-family; browsers use their sans-serif


def _short(label: str, limit: int = LABEL_CHARACTERS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _axis_label(kind: str):
    def label(value) -> str:
        if kind in (Kind.MONEY, Kind.MONEY_EXACT):
            if abs(value) >= 1_000_000:
                return format_number(Decimal(str(value)) / 1_000_000, decimals=1) + " mn"
            if abs(value) >= 10_000:
                return format_number(Decimal(str(value)) / 1000) + " k"
        if kind == Kind.PERCENT:
            return format_number(Decimal(str(value)) * 100) + " %"
        return format_number(Decimal(str(value)), decimals=0 if value == int(value) else 1)

    return label


def chart_drawing(chart: Chart, *, font: str = SVG_FONT, bold: str | None = None) -> Drawing:
    """The chart as a reportlab Drawing, `WIDTH` points wide."""
    bold = bold or font
    series = chart.series or (("", ()),)
    categories = [_short(c) for c in chart.categories] or [""]
    legend_rows = len(series) if len(series) > 1 else 0
    if chart.horizontal:
        plot_height = max(60, 18 * len(categories) * (1 if chart.stacked else len(series)) ** 0.5)
        height = plot_height + 50 + 14 * legend_rows
        plot = HorizontalBarChart()
        plot.x, plot.y = 150, 30 + 14 * legend_rows
        plot.width, plot.height = WIDTH - 170, plot_height
        plot.categoryAxis.reverseDirection = True  # the first category on top
        plot.categoryAxis.labels.boxAnchor = "e"
        plot.categoryAxis.labels.dx = -4
    else:
        height = 220 + 14 * legend_rows
        plot = VerticalBarChart()
        plot.x, plot.y = 55, 45 + 14 * legend_rows
        plot.width, plot.height = WIDTH - 70, 150
        many = len(categories) > 6
        plot.categoryAxis.labels.angle = 30 if many else 0
        plot.categoryAxis.labels.boxAnchor = "ne" if many else "n"
        plot.categoryAxis.labels.dy = -4
    drawing = Drawing(WIDTH, height)
    drawing.initialFontName = font
    data = [[float(v or 0) for v in values] or [0.0] for _name, values in series]
    plot.data = data
    plot.categoryAxis.categoryNames = categories
    plot.categoryAxis.labels.fontName = font
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.labels.fontName = font
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    top = (
        max((sum(column) for column in zip(*data, strict=False)), default=0) if chart.stacked else 0
    )
    if not chart.stacked:
        top = max((max(values) for values in data), default=0)
    if top <= 0:
        plot.valueAxis.valueMax = 1
    elif chart.kind == Kind.INT and top < 10:
        # Counts have whole steps: no "0,5 cases".
        plot.valueAxis.valueMax = max(1, math.ceil(top))
        plot.valueAxis.valueStep = 1
    plot.valueAxis.labelTextFormat = _axis_label(chart.kind)
    plot.valueAxis.gridStrokeColor = colors.HexColor("#d0d5dc")
    plot.valueAxis.visibleGrid = True
    if chart.stacked:
        plot.categoryAxis.style = "stacked"
    plot.barSpacing = 1
    plot.groupSpacing = 6
    for index in range(len(data)):
        plot.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        plot.bars[index].strokeColor = None
    drawing.add(plot)
    drawing.add(String(0, height - 12, chart.title, fontName=bold, fontSize=9))
    if legend_rows:
        legend = Legend()
        legend.x, legend.y = plot.x, 6 + 14 * legend_rows
        legend.fontName = font
        legend.fontSize = 7
        legend.alignment = "right"
        legend.dy = 6
        legend.dx = 6
        legend.deltay = 12
        legend.columnMaximum = legend_rows
        legend.colorNamePairs = [
            (PALETTE[i % len(PALETTE)], _short(name, 40)) for i, (name, _v) in enumerate(series)
        ]
        drawing.add(legend)
    return drawing


def chart_svg(chart: Chart) -> str:
    """The chart as an SVG document (text)."""
    return renderSVG.drawToString(chart_drawing(chart))


@lru_cache(maxsize=256)
def chart_data_uri(chart: Chart) -> str:
    """The chart's SVG as a data: URI, for an <img> that loads nothing from elsewhere.

    Remembered per chart (a frozen dataclass of its labels and figures, so the same
    figures give the same chart): a dashboard reloaded with nothing changed draws nothing.
    """
    encoded = base64.b64encode(chart_svg(chart).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
