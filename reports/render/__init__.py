"""Renderers: one `Document` to the bytes of one file format (or HTML)."""

from .csv import render_csv
from .pdf import render_pdf
from .xlsx import render_xlsx

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
RENDERERS = {"pdf": render_pdf, "xlsx": render_xlsx, "csv": render_csv}


def render(document, file_format: str) -> bytes:
    """The document as a file of `file_format` (pdf, xlsx or csv)."""
    try:
        renderer = RENDERERS[file_format]
    except KeyError:
        raise ValueError(f"unknown report format {file_format!r}") from None
    return renderer(document)
