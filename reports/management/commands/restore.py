"""`manage.py restore PATH`: put a backup made by `manage.py backup` back in place.

The work, and every check before it, is done by `reports.backup`; this command asks for
confirmation and reports.
"""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.backup import (
    BackupError,
    RestorePlan,
    backup_restore,
    count_files,
    count_rows,
    count_tables,
    what_it_holds,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into an empty database: the database is migrated, "
        "its rows loaded (pg_restore for PostgreSQL), the files copied into MEDIA_ROOT, and "
        "every table's rows and every file's checksum compared with the backup's manifest. "
        "Stop Inventera first. Exit status: 0 restored and verified; 1 failed (a damaged "
        "backup, another kind of database, a newer Inventera's backup, a missing tool); "
        "2 refused or cancelled, nothing changed (the database holds data or different files "
        "would be replaced: see --force); 3 restored, but rows or files differ from the "
        "manifest (listed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup archive (.tar.gz).")
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Restore even though the database holds data (it is all replaced) or files "
                "of the same names differ (they are replaced)."
            ),
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, path, force=False, interactive=True, verbosity=1, **options):
        try:
            manifest = backup_restore(
                path=path, force=force, confirm=self.confirm if interactive else None
            )
        except BackupError as exc:  # VerificationError too, with its own exit status
            raise CommandError(str(exc), returncode=exc.exit_code) from None
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Restored the backup of %(created)s: %(rows)s in %(tables)s and "
                        "%(files)s; every count and checksum matches."
                    )
                    % {
                        "created": self.when(manifest.created_at),
                        "rows": count_rows(sum(manifest.rows.values())),
                        "tables": count_tables(len(manifest.counts)),
                        "files": count_files(len(manifest.media)),
                    }
                )
            )

    def confirm(self, plan: RestorePlan) -> bool:
        manifest = plan.manifest
        self.stdout.write(
            _(
                "The backup was made %(created)s by Inventera %(version)s: %(rows)s, "
                "%(files)s (%(size)s)."
            )
            % {
                "created": self.when(manifest.created_at),
                "version": manifest.inventera_version,
                "rows": count_rows(sum(manifest.rows.values())),
                "files": count_files(len(manifest.media)),
                "size": filesizeformat(manifest.media_bytes),
            }
        )
        if plan.holds_data:
            self.stdout.write(
                self.style.WARNING(
                    _("Everything in the %(database)s is replaced; it holds %(what)s.")
                    % {"database": plan.database, "what": what_it_holds(plan.holds_data)}
                )
            )
        else:
            self.stdout.write(
                _("It is restored into the empty %(database)s.") % {"database": plan.database}
            )
        if plan.overwrites:
            self.stdout.write(
                self.style.WARNING(
                    ngettext(
                        "%(count)d file in %(media_root)s is replaced by the backup's.",
                        "%(count)d files in %(media_root)s are replaced by the backup's.",
                        len(plan.overwrites),
                    )
                    % {"count": len(plan.overwrites), "media_root": plan.media_root}
                )
            )
        try:
            answer = input(_("Type “yes” to restore, anything else to stop: "))
        except EOFError:  # no one to answer: use --noinput
            return False
        return answer.strip().lower() in {"yes", _("yes").lower()}

    @staticmethod
    def when(created_at: str) -> str:
        moment = parse_datetime(created_at)
        if moment is None:
            return created_at
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
