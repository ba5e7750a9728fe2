"""`manage.py seed_demo`: demo libraries, equipment, cases and the four demo logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo import floor as floor_demo
from demo import inventory as inventory_demo
from demo import procurement as procurement_demo
from demo import reports as reports_demo


class Command(BaseCommand):
    help = (
        "Load the demo municipality (libraries HB, NO, SO with equipment) and the demo "
        "users chef, it, strateg and admin (password inventera-demo). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even though DEBUG is off (the demo users have a known "
            "password: never on a server people use).",
        )

    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: the demo users have a published password. "
                "Use --allow-production if you really mean it."
            )
        # The demo's direct awards are documented with the municipality's name and
        # organisation number, which only DEBUG fills in by itself.
        missing = [
            variable
            for variable, value in (
                ("MUNICIPALITY_NAME", settings.INVENTERA_MUNICIPALITY_NAME),
                ("MUNICIPALITY_ORG_NUMBER", settings.INVENTERA_MUNICIPALITY_ORG_NUMBER),
            )
            if not value
        ]
        if missing:
            raise CommandError(
                "The demo documents direct awards in the municipality's name: set "
                f"{' and '.join(missing)} first."
            )
        today = timezone.localdate()
        inventory_demo.seed_reference_data()
        users = inventory_demo.seed_users()
        created = inventory_demo.seed_assets(users["it"], today)
        floor_demo.seed_floor(users, today)
        procurement_demo.seed_rules(today)
        cases = procurement_demo.seed_cases(users, today)
        reports_demo.seed_budgets(today, users["admin"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {created} new assets, {cases} new procurement cases. "
                "Log in as chef, it, strateg or "
                f"admin with the password {inventory_demo.DEMO_PASSWORD}."
            )
        )
