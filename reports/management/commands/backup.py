"""`manage.py backup --output PATH`: the database and the uploaded documents in one file.

The work is done by `reports.backup`; this command reports it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from reports.backup import (
    BackupError,
    backup_create,
    count_files,
    count_rows,
    count_tables,
    output_path,
)


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup API, or pg_dump for PostgreSQL) and "
        "every file under MEDIA_ROOT into one .tar.gz archive with a manifest.json of the "
        "migrations, row counts and file checksums; safe while Inventera runs. "
        "Exit status: 0 written; 1 failed, nothing written; 2 the output already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            required=True,
            metavar="PATH",
            help=(
                "The archive to write (it must not exist), or an existing folder to write "
                "inventera-YYYY-MM-DD-HHMMSS.tar.gz into."
            ),
        )

    def handle(self, *args, output, verbosity=1, **options):
        try:
            path = output_path(output)
            manifest = backup_create(output=path)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=exc.exit_code) from None
        for name in manifest.missing_media:
            self.stderr.write(
                _("Warning: the database refers to %(name)s, which is not in MEDIA_ROOT.")
                % {"name": name}
            )
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(path)s: %(rows)s in %(tables)s, %(files)s (%(size)s) from MEDIA_ROOT.")
                    % {
                        "path": path,
                        "rows": count_rows(sum(manifest.rows.values())),
                        "tables": count_tables(len(manifest.counts)),
                        "files": count_files(len(manifest.media)),
                        "size": filesizeformat(manifest.media_bytes),
                    }
                )
            )
