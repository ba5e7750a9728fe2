"""`manage.py import_assets FILE`: import asset records, for scheduled syncs.

A dry run unless --commit. Prints one line per failed row (row number, column, message)
and last `N new, N updated, N unchanged, N errors`. Exit status 0 without errors, 1 with
errors (nothing is written), 2 for a file that cannot be read at all.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from inventory.imports.columns import PRESETS
from inventory.imports.reading import DELIMITERS, ImportFileError, check_size
from inventory.imports.service import assets_import
from inventory.models import Profile

CANNOT_READ = 2


class Command(BaseCommand):
    help = "Import asset records from a CSV or XLSX file (a dry run unless --commit)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a CSV or XLSX file")
        parser.add_argument("--commit", action="store_true", help="write the rows (all or none)")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create manufacturers, models and locations that are not found",
        )
        parser.add_argument("--mapping", choices=sorted(PRESETS), help="read another system's file")
        parser.add_argument("--encoding", help="the CSV file's encoding, e.g. cp1252")
        parser.add_argument(
            "--delimiter",
            choices=sorted(DELIMITERS),
            help="what separates the CSV columns (detected when left out)",
        )
        parser.add_argument(
            "--user", help="the user the changes are recorded as (their language too)"
        )

    def handle(self, *args, **options):
        user = None
        language = settings.LANGUAGE_CODE
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"no user {options['user']!r}", returncode=CANNOT_READ) from None
            profile = Profile.objects.filter(user=user).first()
            language = profile.language if profile else language
        with translation.override(language):
            return self.run(user, options)

    def run(self, user, options):
        path = Path(options["file"])
        try:
            check_size(path.stat().st_size)
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("The file cannot be read: %(error)s") % {"error": exc.strerror or exc},
                returncode=CANNOT_READ,
            ) from None
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=CANNOT_READ) from None
        try:
            outcome = assets_import(
                content=content,
                file_name=path.name,
                actor=user,
                commit=options["commit"],
                create_missing=options["create_missing"],
                mapping=options["mapping"] or "",
                encoding=options["encoding"],
                delimiter=options["delimiter"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=CANNOT_READ) from None

        for problem in outcome.problems:
            self.stdout.write(problem)
        if outcome.columns.ignored and not outcome.problems:
            self.stdout.write(
                _("Columns not imported: %(names)s")
                % {"names": ", ".join(f"“{h}”" for h in outcome.columns.ignored if h)}
            )
        for row in outcome.error_rows:
            for error in row.errors:
                self.stdout.write(
                    _("Row %(row)d, %(column)s: %(message)s")
                    % {"row": row.number, "column": error.column or "–", "message": error.message}
                )
        if not options["commit"] and not outcome.has_errors:
            self.stdout.write(_("A dry run: nothing was written. Add --commit to import."))
        # Scripts read this line: it is the same in every language.
        self.stdout.write(outcome.summary())
        if outcome.problems and not outcome.rows:
            raise CommandError(_("Nothing was imported."), returncode=CANNOT_READ)
        if outcome.has_errors:
            raise CommandError(_("Nothing was imported."), returncode=1)
