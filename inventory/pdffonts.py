"""The TrueType font embedded in every PDF: Bitstream Vera, which ships inside reportlab.

A standard PDF font (Helvetica) is not embedded and so is not guaranteed to show å, ä
and ö the same everywhere (PDF/UA and archiving both want embedded fonts); Vera covers
Latin-1, every Swedish letter included, and comes with the dependency we already have.
In inventory, so that both the reports and the asset labels (inventory/labels.py) use it.
"""

from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "InventeraSans"
BOLD = "InventeraSans-Bold"
FONT_FOLDER = Path(reportlab.__file__).parent / "fonts"


@cache
def register() -> tuple[str, str]:
    """Register the font family once per process; returns (regular, bold) names."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_FOLDER / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_FOLDER / "VeraBd.ttf")))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    return REGULAR, BOLD
