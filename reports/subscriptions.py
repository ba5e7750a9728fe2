"""Mailing subscribed reports: `manage.py send_reports`, run daily by cron.

Each subscription is sent once per period (ISO week or calendar month), on the first run
of the period, as an attachment in its user's language, made with the user's own access
on that day. A period is claimed by recording it in `ReportSent` before the mail goes
(after the commit); a failed mail gives the claim back so the next run tries again, and
two runs at once cannot both claim it.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inventory.formatting import format_date
from inventory.selectors import language_of

from .catalogue import REPORTS, build_document
from .choices import Frequency
from .models import ReportSent, ReportSubscription
from .render import CONTENT_TYPES, render
from .selectors import report_scope

logger = logging.getLogger(__name__)


def period_of(frequency: str, day: date) -> str:
    """The period `day` falls in: `2026-W48` (ISO week) or `2026-11` (month)."""
    if frequency == Frequency.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


@dataclass
class ReportMail:
    subscription: ReportSubscription = field(repr=False)
    to: str
    language: str
    period: str
    subject: str
    body: str
    filename: str
    content: bytes = field(repr=False)
    content_type: str = ""


@dataclass
class ReportRun:
    today: date
    dry_run: bool
    mails: list[ReportMail] = field(default_factory=list)
    skipped: list[tuple[ReportSubscription, str]] = field(default_factory=list)
    failed: list[ReportMail] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.mails)} reports mailed, {len(self.skipped)} subscriptions skipped"


def _why_not(subscription: ReportSubscription) -> str:
    """Why a subscription cannot be sent now; "" when it can."""
    user = subscription.user
    if not user.is_active:
        return "the user is inactive"
    if not user.email:
        return "the user has no e-mail address"
    if not user.has_perm(REPORTS[subscription.report].permission):
        return "the user may no longer have this report"
    return ""


def report_mail(subscription: ReportSubscription, *, today: date, period: str) -> ReportMail:
    """The subscription's report of `today`, made as its user sees it, in their language.

    Raises Http404 when the subscribed library is no longer one the user may see.
    """
    user = subscription.user
    language = language_of(user)
    with translation.override(language):
        scope = report_scope(
            user,
            library_code=subscription.library.code if subscription.library_id else None,
            as_of=today,
        )
        document = build_document(subscription.report, scope, file_format=subscription.file_format)
        content = render(document, subscription.file_format)
        title = str(REPORTS[subscription.report].title)
        url = settings.SITE_URL.rstrip("/") + reverse("reports:report", args=[subscription.report])
        subject = _("Inventera: %(report)s %(date)s") % {
            "report": title,
            "date": format_date(today),
        }
        body = "\n\n".join(
            [
                _("Hello %(name)s,") % {"name": user.get_full_name() or user.get_username()},
                _("Here is the %(report)s as of %(date)s (%(organisation)s), as you asked.")
                % {
                    "report": title,
                    "date": format_date(today),
                    "organisation": document.organisation,
                },
                _("See the figures or change what you receive: %(url)s") % {"url": url},
                "Inventera",
            ]
        )
    return ReportMail(
        subscription=subscription,
        to=user.email,
        language=language,
        period=period,
        subject=subject,
        body=body,
        filename=document.filename(subscription.file_format),
        content=content,
        content_type=CONTENT_TYPES[subscription.file_format].split(";")[0],
    )


def _send(mail: ReportMail, run: ReportRun) -> None:
    """Send one claimed report; a failure gives the period back for the next run."""
    message = EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to])
    message.attach(mail.filename, mail.content, mail.content_type)
    try:
        message.send()
    except Exception:
        logger.exception("report for subscription %s not sent", mail.subscription.pk)
        run.mails.remove(mail)
        run.failed.append(mail)
        ReportSent.objects.filter(subscription=mail.subscription, period=mail.period).delete()


def reports_send(*, today: date | None = None, dry_run: bool = False) -> ReportRun:
    """Mail every subscription not yet sent in the period `today` falls in."""
    today = today or timezone.localdate()
    run = ReportRun(today=today, dry_run=dry_run)
    subscriptions = ReportSubscription.objects.select_related("user", "library").order_by("pk")
    for subscription in subscriptions:
        period = period_of(subscription.frequency, today)
        if ReportSent.objects.filter(subscription=subscription, period=period).exists():
            continue
        reason = _why_not(subscription)
        if reason:
            run.skipped.append((subscription, reason))
            continue
        try:
            mail = report_mail(subscription, today=today, period=period)
        except Http404:
            run.skipped.append((subscription, "the user may no longer see the library"))
            continue
        if dry_run:
            run.mails.append(mail)
            continue
        run.mails.append(mail)
        try:
            with transaction.atomic():
                ReportSent.objects.create(subscription=subscription, period=period)
                transaction.on_commit(lambda mail=mail: _send(mail, run))
        except IntegrityError:
            run.mails.remove(mail)  # another run claimed this period first
    return run
