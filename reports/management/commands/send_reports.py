"""`manage.py send_reports`: mail the subscribed reports that are due; run daily by cron."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.subscriptions import reports_send


class Command(BaseCommand):
    help = (
        "Mail each report subscription once per week or month (the first run of the period), "
        "as an attachment in its user's language, with what the user may see."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be sent; send nothing."
        )
        parser.add_argument(
            "--date", metavar="YYYY-MM-DD", help="Act as if today were this day; default today."
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from None
        run = reports_send(today=today or timezone.localdate(), dry_run=dry_run)
        for mail in run.mails:
            prefix = "Would send" if dry_run else "Sent"
            self.stdout.write(
                f"{prefix}: {mail.subject} [{mail.language}] to {mail.to} ({mail.filename}, "
                f"{len(mail.content)} bytes, period {mail.period})"
            )
        for subscription, reason in run.skipped:
            self.stdout.write(f"Skipped subscription {subscription.pk}: {reason}")
        if dry_run:
            self.stdout.write(f"Dry run, nothing sent: {run.summary()}")
            return
        if run.failed:
            raise CommandError(
                f"{run.summary()}; {len(run.failed)} could not be sent and will be tried again "
                "on the next run (see the log)"
            )
        self.stdout.write(self.style.SUCCESS(run.summary()))
