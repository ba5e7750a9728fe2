"""`manage.py export_assets --format csv|xlsx --output PATH`: the asset register as a file,
with the import's column names, so that it can be edited and imported back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory.choices import AssetStatus
from inventory.imports.export import CSV, XLSX, assets_export
from inventory.models import Asset, Library


class Command(BaseCommand):
    help = "Export asset records as CSV (semicolons, UTF-8 with BOM) or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=[CSV, XLSX], default=CSV)
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument(
            "--library", action="append", default=[], help="a library code (repeatable)"
        )
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            choices=AssetStatus.values,
            help="a status code (repeatable)",
        )

    def handle(self, *args, **options):
        assets = Asset.objects.order_by("tag")
        if options["library"]:
            codes = set(options["library"])
            known = set(Library.objects.filter(code__in=codes).values_list("code", flat=True))
            if codes - known:
                raise CommandError(f"unknown library code(s): {', '.join(sorted(codes - known))}")
            assets = assets.filter(library__code__in=codes)
        if options["status"]:
            assets = assets.filter(status__in=options["status"])
        content = assets_export(assets=assets, file_format=options["format"])
        output = Path(options["output"])
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        self.stdout.write(f"{assets.count()} assets written to {output}")
