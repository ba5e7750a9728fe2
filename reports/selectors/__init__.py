"""Plain data for the dashboards and reports, built from the apps' visibility selectors."""

from .cases import case_sheet, direct_award_document, is_direct_award
from .dashboard import asset_dashboard, case_dashboard, parties_followed_by, parties_of
from .it_status import it_status
from .scope import ReportScope, municipality_scope, report_scope
from .strategist import strategist_report

__all__ = [
    "ReportScope",
    "asset_dashboard",
    "case_dashboard",
    "case_sheet",
    "direct_award_document",
    "is_direct_award",
    "it_status",
    "municipality_scope",
    "parties_followed_by",
    "parties_of",
    "report_scope",
    "strategist_report",
]
