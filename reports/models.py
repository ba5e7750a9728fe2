"""What the reports keep: budgets to compare spend with, and subscriptions to reports."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import Category, Library, user_stamp

from .choices import FileFormat, Frequency, ReportName


class Budget(models.Model):
    """What a library may spend on equipment in a fiscal (calendar) year, excl. VAT.

    A budget without a category is the library's whole equipment budget for the year;
    one with a category is a part of it set aside for that kind of equipment.
    """

    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("library")
    )
    year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name=_("category"),
        help_text=_("Leave empty for the library's whole equipment budget of the year."),
    )
    amount = models.DecimalField(
        _("amount (SEK excl. VAT)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = user_stamp(_("updated by"), blank=True)

    class Meta:
        ordering = ["-year", "library__name", "category__name_sv"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["library", "year", "category"],
                name="budget_unique_category",
                violation_error_message=_(
                    "This library already has a budget for this category and year."
                ),
            ),
            models.UniqueConstraint(
                fields=["library", "year"],
                condition=Q(category__isnull=True),
                name="budget_unique_whole",
                violation_error_message=_("This library already has a budget for this year."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        part = f" {self.category}" if self.category_id else ""
        return f"{self.library.code} {self.year}{part}"


class ReportSubscription(models.Model):
    """A report mailed to its user weekly or monthly by `manage.py send_reports`.

    The report is made with the user's own access at the time it is sent, in the user's
    language; the permissions of the reports themselves are declared here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("user"),
    )
    report = models.CharField(_("report"), max_length=20, choices=ReportName.choices)
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices)
    file_format = models.CharField(
        _("format"), max_length=4, choices=FileFormat.choices, default=FileFormat.PDF
    )
    library = models.ForeignKey(
        Library,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("library"),
        help_text=_("Empty: every library you may see."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["user", "report", "id"]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        permissions = [
            ("view_it_status_report", _("Can download the IT status report")),
            ("view_strategist_report", _("Can download the strategist report")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "report", "frequency", "file_format", "library"],
                name="subscription_unique_library",
                violation_error_message=_("You already subscribe to this report."),
            ),
            models.UniqueConstraint(
                fields=["user", "report", "frequency", "file_format"],
                condition=Q(library__isnull=True),
                name="subscription_unique_all",
                violation_error_message=_("You already subscribe to this report."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.report} {self.frequency}"


class ReportSent(models.Model):
    """One period's report mailed for a subscription, so that it is never sent twice."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="sent"
    )
    period = models.CharField(max_length=10)  # "2026-W48" or "2026-11"
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period"], name="report_sent_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period}"
