"""`manage.py print_labels --layout 3x8|2x7 --output PATH [--library CODE] [--tag TAG]`:
QR labels of the register's equipment as a PDF for a sheet of labels.

Equipment that is retired or disposed of gets no label unless `--all` is given.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from inventory.choices import AssetStatus
from inventory.labels import LAYOUTS, labels_pdf
from inventory.models import Asset, Library

GONE = (AssetStatus.RETIRED, AssetStatus.DISPOSED)


class Command(BaseCommand):
    help = "Write QR labels of assets as a PDF for A4 sheets of labels."

    def add_arguments(self, parser):
        parser.add_argument("--layout", required=True, help=f"the sheet: {', '.join(LAYOUTS)}")
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument(
            "--library", action="append", default=[], help="a library code (repeatable)"
        )
        parser.add_argument("--tag", nargs="+", action="extend", default=[], help="asset tags")
        parser.add_argument(
            "--all", action="store_true", help="include retired and disposed equipment"
        )
        parser.add_argument(
            "--start",
            type=int,
            default=1,
            help="the first free label on the first sheet (1: top left)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the category names",
        )

    def handle(self, *args, **options):
        layout = LAYOUTS.get(options["layout"])
        if layout is None:
            raise CommandError(
                f"unknown layout {options['layout']!r}: use one of {', '.join(LAYOUTS)}"
            )
        if not 1 <= options["start"] <= layout.per_sheet:
            raise CommandError(
                f"--start must be 1 to {layout.per_sheet} on a {layout.key} sheet, "
                f"not {options['start']}"
            )
        assets = Asset.objects.select_related(
            "category", "manufacturer", "model", "library"
        ).order_by("library__code", "tag")
        if options["library"]:
            codes = set(options["library"])
            known = set(Library.objects.filter(code__in=codes).values_list("code", flat=True))
            if codes - known:
                raise CommandError(f"unknown library code(s): {', '.join(sorted(codes - known))}")
            assets = assets.filter(library__code__in=codes)
        if options["tag"]:
            tags = set(options["tag"])
            assets = assets.filter(tag__in=tags)
            missing = tags - {asset.tag for asset in assets}
            if missing:
                where = " in the given libraries" if options["library"] else ""
                raise CommandError(f"unknown asset tag(s){where}: {', '.join(sorted(missing))}")
        skipped = 0
        if not options["all"]:
            skipped = assets.filter(status__in=GONE).count()
            assets = assets.exclude(status__in=GONE)
        assets = list(assets)
        if not assets:
            raise CommandError("no assets to label (retired and disposed need --all)")
        with translation.override(options["language"]):
            content = labels_pdf(assets, layout, start=options["start"])
        output = Path(options["output"])
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        sheets = -(-(len(assets) + options["start"] - 1) // layout.per_sheet)
        self.stdout.write(f"{len(assets)} labels on {sheets} sheet(s) written to {output}")
        if skipped:
            self.stdout.write(f"{skipped} retired or disposed assets skipped (--all includes them)")
