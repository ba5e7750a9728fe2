"""`manage.py send_reminders`: e-mail each person what waits on them; run daily by cron."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from procurement.reminders import reminders_send


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "E-mail each person what waits on them (ended standstills, quotes about to expire, "
        "late deliveries, cases without movement for 30 days, grants about to lapse, "
        "warranties ending within 90 days): one e-mail per person, in their language, "
        "each event only once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the e-mails that would be sent; record and send nothing.",
        )
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="Act as if today were this day (for testing and catching up); default today.",
        )

    def handle(self, *args, dry_run=False, **options):
        today = _day(options["date"]) if options["date"] else timezone.localdate()
        run = reminders_send(today=today, dry_run=dry_run)
        if dry_run:
            for email in run.emails:
                self.stdout.write(f"To: {email.to} [{email.language}]")
                self.stdout.write(f"Subject: {email.subject}")
                self.stdout.write("")
                self.stdout.write(email.body)
            self.stdout.write(f"Dry run, nothing sent: {run.summary()}")
            return
        if run.failed:
            raise CommandError(
                f"{run.summary()}; {len(run.failed)} could not be sent and will be tried "
                "again on the next run (see the log)"
            )
        self.stdout.write(self.style.SUCCESS(run.summary()))
