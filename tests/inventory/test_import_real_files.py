"""Other systems' files and the sheets people keep, imported on the first try with what
they hold (tests/inventory/real_files.py says what each file imitates)."""

from datetime import date
from decimal import Decimal

import pytest

from inventory.choices import AssetStatus, ChangeAction, ChangeSource
from inventory.history import records_for
from inventory.imports.service import assets_import
from inventory.models import Asset, Location
from tests.factories import CategoryFactory, LocationFactory
from tests.inventory import real_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def library_register(register, hb_store, no_public):
    """The register plus the printers category the files name."""
    CategoryFactory(code="printer", name_sv="Skrivare", name_en="Printer", is_kit=False)
    return register


def run(content, actor, name, **options):
    return assets_import(content=content, file_name=name, actor=actor, **options)


def errors_of(outcome):
    return {row.number: [(e.column, e.message) for e in row.errors] for row in outcome.error_rows}


def stored(tag):
    return Asset.objects.select_related("library", "location", "category", "manufacturer").get(
        tag=tag
    )


class TestSnipeItSample:
    def test_the_sample_file_with_us_dates_comes_in_with_everything_it_holds(
        self, library_register
    ):
        content = real_files.snipeit_sample_csv(us_dates=True)
        # Its locations are rooms; the library is chosen for the file.
        preview = run(content, library_register, "assets-sample.csv", mapping="snipeit")
        assert set(preview.unknown) == {"library"} or preview.error_rows
        outcome = run(
            content,
            library_register,
            "assets-sample.csv",
            mapping="snipeit",
            library="HB",
            create_missing=True,
            commit=True,
        )
        assert outcome.committed, (outcome.problems, errors_of(outcome))
        assert outcome.defaulted_status == 4
        first = stored("HB-0001")
        assert (first.library.code, first.location.name) == (
            "HB",
            "Plan 2 – vid vuxeninformationen",
        )
        assert first.purchase_date == date(2023, 1, 23)
        assert first.replacement_due == date(2027, 1, 23)
        assert first.purchase_price == Decimal("8495.50")
        assert first.status == AssetStatus.IN_USE
        assert first.hostname == "hb-pub-01"
        assert first.it_reference == "4500123456"
        # Nothing the row says is lost: company, supplier, model number and checkout
        # are kept in the notes.
        for text in (
            "Låst till katalogsök",
            "Kultur- och fritidsförvaltningen",
            "Atea Sverige AB",
            "11T3",
        ):
            assert text in first.notes, text
        printer = stored("HB-0002")
        assert printer.category.code == "printer" and printer.manufacturer.name == "HP"
        assert "anna.lindqvist" in printer.notes
        (record,) = records_for(first)
        assert (record.action, record.source, record.source_detail) == (
            ChangeAction.CREATED,
            ChangeSource.IMPORT,
            "assets-sample.csv",
        )
        # The same file again changes nothing.
        again = run(
            content,
            library_register,
            "assets-sample.csv",
            mapping="snipeit",
            library="HB",
            create_missing=True,
        )
        assert again.summary() == "0 new, 0 updated, 4 unchanged, 0 errors", errors_of(again)

    def test_the_iso_dated_sample_reads_alike(self, library_register):
        outcome = run(
            real_files.snipeit_sample_csv(us_dates=False),
            library_register,
            "assets-sample.csv",
            mapping="snipeit",
            library="HB",
            create_missing=True,
            commit=True,
        )
        assert outcome.committed, errors_of(outcome)
        assert stored("HB-0001").purchase_date == date(2023, 1, 23)
        assert stored("NO-0001").purchase_date == date(2023, 5, 12)


class TestSnipeItReport:
    def test_the_custom_report_maps_every_default_status(self, library_register):
        CategoryFactory(code="laptop", name_sv="Bärbar dator", name_en="Laptop")
        outcome = run(
            real_files.snipeit_report_csv(),
            library_register,
            "custom-asset-report.csv",
            mapping="snipeit",
            library="HB",
            create_missing=True,
            commit=True,
        )
        assert outcome.committed, (outcome.problems, errors_of(outcome))
        # "State" is the address's county, never the status.
        assert "State" in outcome.columns.ignored
        statuses = dict(Asset.objects.values_list("tag", "status"))
        assert statuses == {
            "HB-0001": AssetStatus.IN_STOCK,
            "HB-0007": AssetStatus.IN_USE,
            "HB-0003": AssetStatus.IN_REPAIR,
            "HB-0002": AssetStatus.IN_REPAIR,
            "HB-0009": AssetStatus.RETIRED,
            "NO-0001": AssetStatus.IN_REPAIR,
            "NO-0002": AssetStatus.RETIRED,
        }
        first = stored("HB-0001")
        assert (first.purchase_date, first.purchase_price) == (
            date(2023, 5, 12),
            Decimal("8495.50"),
        )
        assert first.replacement_due == date(2027, 5, 12)
        assert first.hostname == "hb-pub-01" and first.serial_number == "PF3A1B2C"
        laptop = stored("HB-0007")
        # Snipe-IT's protection of a cell that starts like a formula is removed.
        assert laptop.notes.startswith("- Ny SSD 2024-09\nÄrende 12345 hos Atea")
        assert "Anna Lindqvist" in laptop.notes


class TestGlpi:
    def test_a_glpi_export_with_its_paths_and_types_mapped(self, library_register):
        content = real_files.glpi_computers_csv()
        preview = run(content, library_register, "glpi.csv", mapping="glpi")
        assert preview.unknown["category"] == ["All-in-one", "Desktop", "Laptop"]
        # Norrbiblioteket is NO's name; Huvudbiblioteket is what GLPI calls HB.
        assert preview.unknown["library"] == ["Huvudbiblioteket"]
        outcome = run(
            content,
            library_register,
            "glpi.csv",
            mapping="glpi",
            create_missing=True,
            values={
                "category": {
                    "Desktop": "workstation",
                    "Laptop": "workstation",
                    "All-in-one": "workstation",
                },
                "library": {"Huvudbiblioteket": "HB", "Norrbiblioteket": "NO"},
            },
            commit=True,
        )
        assert outcome.committed, (outcome.problems, errors_of(outcome))
        rows = {
            a.tag: (a.library.code, a.location.name, a.status, a.hostname, a.manufacturer.name)
            for a in Asset.objects.select_related("library", "location", "manufacturer")
        }
        assert rows == {
            "HB-0101": ("HB", "Plan 2 – vid vuxeninformationen", "in_use", "hb-pub-01", "Lenovo"),
            "HB-0102": ("HB", "Förråd IT", "in_stock", "hb-pers-07", "HP"),
            "HB-0103": (
                "HB",
                "Plan 2 – vid vuxeninformationen",
                "in_repair",
                "hb-media-01",
                "Apple Inc.",
            ),
            "NO-0101": ("NO", "Publika datorer", "in_use", "no-pub-01", "Lenovo"),
        }
        # The row with an empty status is registered as in use, and the preview said so.
        assert preview.defaulted_status == 1 and preview.default_status == AssetStatus.IN_USE

    def test_a_path_of_one_part_is_a_library_or_a_place(self, library_register):
        header = '"Name";"Inventory number";"Type";"Location";\n'
        rows = (
            '"a";"HB-1";"Publik dator";"Stadsbiblioteket";\n'
            '"b";"HB-2";"Publik dator";"Förråd IT";\n'
            '"c";"HB-3";"Publik dator";"Stadsbiblioteket > Förråd IT > Hylla 3";\n'
        )
        content = ("\ufeff" + header + rows).encode()
        outcome = run(
            content,
            library_register,
            "glpi.csv",
            mapping="glpi",
            library="HB",
            create_missing=True,
            commit=True,
        )
        assert outcome.committed, errors_of(outcome)
        places = {
            a.tag: (a.library.code, a.location and a.location.name) for a in Asset.objects.all()
        }
        assert places == {
            "HB-1": ("HB", None),
            "HB-2": ("HB", "Förråd IT"),
            "HB-3": ("HB", "Förråd IT > Hylla 3"),
        }
        assert Location.objects.filter(name="Förråd IT > Hylla 3").count() == 1


class TestSheetsPeopleKeep:
    VALUES = {"library": {"Huvudbiblioteket": "HB", "Norrbiblioteket": "NO"}}

    def test_a_windows_1252_sheet_with_swedish_headers(self, library_register):
        outcome = run(
            real_files.cp1252_csv(),
            library_register,
            "inventarier.csv",
            values=self.VALUES,
            create_missing=True,
            commit=True,
        )
        assert outcome.committed, (outcome.problems, errors_of(outcome))
        first = stored("HB-0201")
        assert first.notes == "Låst till katalogsök; återställs varje natt"
        assert first.purchase_price == Decimal("8495.50")
        assert stored("NO-0201").status == AssetStatus.IN_REPAIR
        assert stored("NO-0201").location.name == "Publika datorer"

    def test_a_printed_sheet_with_a_title_and_date_cells(self, library_register):
        LocationFactory(library=library_register and stored_library("HB"), name="Förråd IT")
        outcome = run(
            real_files.titled_xlsx(),
            library_register,
            "utrustning.xlsx",
            values=self.VALUES,
            create_missing=True,
            commit=True,
        )
        assert outcome.committed, (outcome.problems, errors_of(outcome))
        assert outcome.table.header_row == 3
        first = stored("HB-0301")
        assert (first.purchase_date, first.purchase_price, first.warranty_end) == (
            date(2025, 1, 15),
            Decimal("8495.50"),
            date(2029, 1, 15),
        )
        assert stored("HB-0303").serial_number == ""


def stored_library(code):
    from inventory.models import Library

    return Library.objects.get(code=code)
