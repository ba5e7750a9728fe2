"""The reports a user can download: what each is, who may have it, how it is made.

Views, commands and subscriptions all go through here, so a report is built the same
way wherever it is asked for.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import PERMISSION_OF, ReportName
from .document import Document
from .layouts import it_status_document, strategist_document
from .selectors import ReportScope, it_status, strategist_report

# How many rows of each list a format shows. A PDF is for reading: past five hundred rows
# (a dozen pages) it says where the rest is; the spreadsheets have every row.
ROW_LIMITS: dict[str, int | None] = {"pdf": 500, "xlsx": None, "csv": None, "html": 25}


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: Promise
    description: Promise
    permission: str
    uses_period: bool
    build: Callable[[ReportScope, int | None], Document]


REPORTS: dict[str, ReportSpec] = {
    ReportName.IT_STATUS: ReportSpec(
        name=ReportName.IT_STATUS,
        title=ReportName.IT_STATUS.label,
        description=_(
            "The equipment by library, place, category and status; warranties ending, "
            "replacements due, repairs, data gaps and the last stocktaking."
        ),
        permission=PERMISSION_OF[ReportName.IT_STATUS],
        uses_period=False,
        build=lambda scope, limit: it_status_document(it_status(scope, limit=limit)),
    ),
    ReportName.STRATEGIST: ReportSpec(
        name=ReportName.STRATEGIST,
        title=ReportName.STRATEGIST.label,
        description=_(
            "Open cases and who acts next, lead times, stalled cases, spend against budget, "
            "direct awards against the limit, grants, the replacement forecast and public "
            "digital access."
        ),
        permission=PERMISSION_OF[ReportName.STRATEGIST],
        uses_period=True,
        build=lambda scope, limit: strategist_document(strategist_report(scope, limit=limit)),
    ),
}


def reports_for(user) -> list[ReportSpec]:
    """The reports `user` may download, in catalogue order."""
    return [spec for spec in REPORTS.values() if user.has_perm(spec.permission)]


def build_document(name: str, scope: ReportScope, *, file_format: str) -> Document:
    """Report `name` for `scope` in the active language, with the rows `file_format`
    shows. Raises KeyError for an unknown report."""
    return REPORTS[name].build(scope, ROW_LIMITS.get(file_format))
