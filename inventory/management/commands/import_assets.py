"""`manage.py import_assets FILE`: import asset records, for scheduled syncs.

A dry run unless --commit. Prints one line per failed row (row number, column, message)
and last `N new, N updated, N unchanged, N errors`. Exit status 0 without errors, 1 with
errors (nothing is written), 2 for a file that cannot be read at all or options that
cannot be used. With --leave-out-errors the valid rows are written and the status is 0.
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.security import log_event
from inventory.imports.columns import PRESETS
from inventory.imports.options import (
    OptionsError,
    options_from_dict,
    parse_map_value,
    replace_options,
)
from inventory.imports.reading import DELIMITERS, ImportFileError, check_size
from inventory.imports.service import assets_import
from inventory.models import ImportMapping, Profile

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
        parser.add_argument(
            "--library", help="the library (its code) of the rows that name no library"
        )
        parser.add_argument(
            "--blank-clears",
            action="store_true",
            help="an empty cell empties the stored value (by default it leaves it alone)",
        )
        parser.add_argument(
            "--map-value",
            action="append",
            default=[],
            metavar="FIELD:FROM=TO",
            help="read the value FROM of FIELD as TO, e.g. “category:Desktop=Publik dator” "
            "(repeatable; FIELD is library, location, category or status, or its header)",
        )
        parser.add_argument(
            "--mapping-file",
            help="a YAML or JSON file of columns and values to map (see docs/import.md)",
        )
        parser.add_argument("--saved-mapping", help="the name of a mapping saved on the preview")
        parser.add_argument(
            "--leave-out-errors",
            action="store_true",
            help="with --commit: write the rows without errors and leave out the others",
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
            import_options = self.import_options(options)
        except OptionsError as exc:
            raise CommandError(str(exc), returncode=CANNOT_READ) from None
        try:
            outcome = assets_import(
                content=content,
                file_name=path.name,
                actor=user,
                commit=options["commit"],
                options=import_options,
                leave_out_errors=options["leave_out_errors"],
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
        if outcome.unknown:
            for name, values in outcome.unknown.items():
                self.stdout.write(
                    _("Values of %(field)s not found: %(values)s (map them with --map-value)")
                    % {"field": name, "values": ", ".join(f"“{v}”" for v in values)}
                )
        if outcome.left_out:
            self.stdout.write(
                ngettext("Row left out: %(rows)s", "Rows left out: %(rows)s", len(outcome.left_out))
                % {"rows": ", ".join(map(str, outcome.left_out))}
            )
        if not options["commit"] and not outcome.has_errors:
            self.stdout.write(_("A dry run: nothing was written. Add --commit to import."))
        # Scripts read this line: it is the same in every language.
        self.stdout.write(outcome.summary())
        if outcome.problems and not outcome.rows:
            raise CommandError(_("Nothing was imported."), returncode=CANNOT_READ)
        if outcome.committed:
            counts = outcome.counts
            log_event(
                "import",
                user=user,
                file_name=path.name,
                new=counts["new"],
                updated=counts["update"],
                unchanged=counts["unchanged"],
                left_out=len(outcome.left_out),
                command=True,
            )
            return
        if outcome.has_errors:
            raise CommandError(_("Nothing was imported."), returncode=1)

    def import_options(self, options):
        data = {}
        if options["saved_mapping"]:
            saved = ImportMapping.objects.filter(name=options["saved_mapping"]).first()
            if saved is None:
                raise OptionsError(
                    _("No saved mapping is called “%(name)s”.") % {"name": options["saved_mapping"]}
                )
            data = dict(saved.options)
        if options["mapping_file"]:
            data.update(self.read_mapping_file(Path(options["mapping_file"])))
        values = {name: dict(mapped) for name, mapped in (data.get("values") or {}).items()}
        data["values"] = values
        for text in options["map_value"]:
            name, found, meant = parse_map_value(text)
            values.setdefault(name, {})[found] = meant
        if options["mapping"]:
            data["mapping"] = options["mapping"]
        if options["library"]:
            data["library"] = options["library"]
        data["create_missing"] = options["create_missing"] or data.get("create_missing")
        data["blank_clears"] = options["blank_clears"] or data.get("blank_clears")
        return replace_options(
            options_from_dict(data), encoding=options["encoding"], delimiter=options["delimiter"]
        )

    @staticmethod
    def read_mapping_file(path: Path) -> dict:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise OptionsError(
                _("The mapping file cannot be read: %(error)s") % {"error": exc.strerror or exc}
            ) from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise OptionsError(
                _("The mapping file is not YAML or JSON: %(error)s") % {"error": exc}
            ) from None
        if not isinstance(data, dict):
            raise OptionsError(_("The mapping must be a set of names and values."))
        return data
