"""Report data as Documents in the active language: the labels, order and notes."""

from .cases import case_sheet_document, direct_award_document_layout
from .it_status import it_status_document
from .strategist import strategist_document

__all__ = [
    "case_sheet_document",
    "direct_award_document_layout",
    "it_status_document",
    "strategist_document",
]
