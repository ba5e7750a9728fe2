"""`manage.py report NAME`: write a report to a file, for the municipality as a whole."""

import sys
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from inventory.models import Library
from procurement.models import ProcurementCase
from procurement.selectors import URL_REFERENCE
from reports.catalogue import REPORTS, build_document
from reports.layouts import case_sheet_document, direct_award_document_layout
from reports.render import RENDERERS, render
from reports.selectors import (
    case_sheet,
    direct_award_document,
    is_direct_award,
    municipality_scope,
)

CASE_REPORTS = ("case", "direct-award")


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date written YYYY-MM-DD, not {value!r}") from None


def _case(reference: str) -> ProcurementCase:
    """`HB 2026/0042` or `HB-2026-0042`."""
    match = URL_REFERENCE.match(reference.strip().replace(" ", "-").replace("/", "-"))
    if not match:
        raise CommandError(f"--case must be a reference such as HB-2026-0042, not {reference!r}")
    try:
        return ProcurementCase.objects.select_related("library", "category").get(
            library__code=match["code"], year=int(match["year"]), number=int(match["number"])
        )
    except ProcurementCase.DoesNotExist:
        raise CommandError(f"there is no case {reference}") from None


class Command(BaseCommand):
    help = (
        "Write a report as PDF, XLSX or CSV: it-status, strategist (every library, or "
        "--library), case (a case's status sheet) or direct-award (the documentation of a "
        "direct award), both with --case and as PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", choices=[*REPORTS, *CASE_REPORTS])
        parser.add_argument("--format", dest="file_format", choices=list(RENDERERS), default="pdf")
        parser.add_argument(
            "--output",
            help="The file to write; '-' for standard output. Default: a file "
            "named after the report in the current folder.",
        )
        parser.add_argument("--library", metavar="CODE", help="One library, e.g. HB.")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="Default: today.")
        parser.add_argument(
            "--period-start",
            metavar="YYYY-MM-DD",
            help="Start of the strategist report's period; default twelve months before.",
        )
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default="sv"
        )
        parser.add_argument("--case", metavar="REFERENCE", help="e.g. HB-2026-0042")

    def handle(self, *args, name, file_format, output, **options):
        as_of = _day(options["as_of"], "--as-of") if options["as_of"] else None
        start = options["period_start"]
        period_start = _day(start, "--period-start") if start else None
        with translation.override(options["language"]):
            if name in CASE_REPORTS:
                document = self._case_document(name, file_format, options["case"], as_of)
            else:
                if options["case"]:
                    raise CommandError(f"--case is for the case reports, not {name}")
                try:
                    scope = municipality_scope(
                        library_code=options["library"], as_of=as_of, period_start=period_start
                    )
                except Library.DoesNotExist:
                    raise CommandError(f"there is no library {options['library']}") from None
                except ValueError as exc:
                    raise CommandError(str(exc)) from None
                document = build_document(name, scope, file_format=file_format)
            content = render(document, file_format)
        if output == "-":
            sys.stdout.buffer.write(content)
            return
        path = Path(output or document.filename(file_format))
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"could not write {path}: {exc.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"{path} ({len(content)} bytes)"))

    def _case_document(self, name, file_format, reference, as_of):
        if file_format != "pdf":
            raise CommandError(f"the {name} report is made as PDF only")
        if not reference:
            raise CommandError(f"the {name} report needs --case REFERENCE")
        case = _case(reference)
        if name == "case":
            return case_sheet_document(case_sheet(case, as_of=as_of))
        if not is_direct_award(case):
            raise CommandError(f"{case.reference} is not a direct award")
        return direct_award_document_layout(direct_award_document(case, as_of=as_of))
