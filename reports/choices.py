"""Choices of the reports: which report, in which file format, how often."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportName(models.TextChoices):
    """The reports a user downloads or subscribes to; the values are in URLs and commands."""

    IT_STATUS = "it-status", _("IT status report")
    STRATEGIST = "strategist", _("Strategist report")


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX (Excel)"
    CSV = "csv", "CSV"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


# Who may have each report: the permission (on ReportSubscription.Meta) that gives it.
PERMISSION_OF: dict[str, str] = {
    ReportName.IT_STATUS: "reports.view_it_status_report",
    ReportName.STRATEGIST: "reports.view_strategist_report",
}
