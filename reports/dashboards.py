"""The report figures each role sees on its dashboard: parts of the same documents the
reports are made of, so the page and the PDF never disagree."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from inventory.selectors import sees_all_libraries

from .catalogue import REPORTS
from .choices import ReportName
from .layouts import it_status_document, strategist_document
from .render.html import HtmlSection, html_sections
from .selectors import it_status, report_scope, strategist_report

DASHBOARD_ROWS = 10
# Which sections of which report each role's dashboard shows.
STRATEGIST_SECTIONS = ("pipeline", "lead_times", "spend", "direct_awards", "forecast")
MANAGER_SECTIONS = ("spend", "grants")
IT_SECTIONS = ("summary", "gaps")
IT_PARTS = frozenset({"gaps"})  # what IT_SECTIONS need beyond the totals


@dataclass(frozen=True)
class Panel:
    report: str
    title: Promise
    url: str
    sections: list[HtmlSection]


def _panel(name: str, document, keys) -> Panel:
    return Panel(
        report=name,
        title=REPORTS[name].title,
        url=reverse("reports:report", args=[name]),
        sections=html_sections(document, DASHBOARD_ROWS, keys),
    )


def dashboard_panels(user) -> list[Panel]:
    """The report panels for `user`'s dashboard, by the reports they may have."""
    panels = []
    if user.has_perm(REPORTS[ReportName.STRATEGIST].permission):
        document = strategist_document(strategist_report(report_scope(user), limit=DASHBOARD_ROWS))
        keys = STRATEGIST_SECTIONS if sees_all_libraries(user) else MANAGER_SECTIONS
        panels.append(_panel(ReportName.STRATEGIST, document, keys))
    # IT's own view of the register; the strategist reads it in the report.
    if user.has_perm(REPORTS[ReportName.IT_STATUS].permission) and user.has_perm(
        "inventory.change_asset"
    ):
        data = it_status(report_scope(user), limit=DASHBOARD_ROWS, parts=IT_PARTS)
        document = it_status_document(data)
        panels.append(_panel(ReportName.IT_STATUS, document, IT_SECTIONS))
    return panels
