"""The import service: real CSV and XLSX files in, rows, history and row errors out."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from bench.per_row import PerRowAssetResource
from inventory import history
from inventory.choices import AssetStatus, ChangeAction, ChangeSource
from inventory.history import records_for
from inventory.imports import reading
from inventory.imports.cells import AmountWidget
from inventory.imports.columns import (
    ASSET_COLUMNS,
    EXTRA_COLUMNS,
    column_choices,
    column_label,
    compact,
    match_columns,
)
from inventory.imports.reading import ImportFileError, read_table
from inventory.imports.resource import AssetResource
from inventory.imports.service import ERROR, NEW, UNCHANGED, UPDATE, assets_import
from inventory.models import (
    Asset,
    ChangeRecord,
    Feature,
    Location,
    Manufacturer,
    ProductModel,
)
from inventory.services import TRACKED_FIELDS
from tests.factories import AssetFactory
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(content, actor, name="utrustning.csv", **options):
    return assets_import(content=content, file_name=name, actor=actor, **options)


def errors_of(outcome) -> dict[int, list[tuple[str, str]]]:
    return {row.number: [(e.column, e.message) for e in row.errors] for row in outcome.error_rows}


class TestNewAssets:
    def test_cp1252_semicolon_csv_as_older_swedish_excel_saves_it(self, register):
        content = csv_bytes(
            [
                SV_HEADERS,
                sv_row("HB-PC-20", features="Skärmläsare, Hörlurar", notes="Vid fönstret"),
                sv_row("HB-PC-21", price="12 000", location="Förråd IT", status="I lager"),
            ],
            encoding="cp1252",
        )
        outcome = run(content, register, commit=True)

        assert outcome.committed and outcome.summary() == "2 new, 0 updated, 0 unchanged, 0 errors"
        first = Asset.objects.get(tag="HB-PC-20")
        assert first.purchase_price == Decimal("8495.50")
        assert first.manufacturer.name == "Lenovo" and first.model.name == "ThinkCentre M70q"
        assert first.location.name == "Plan 2 – vid vuxeninformationen"
        assert first.status == AssetStatus.IN_USE
        # Derived as the services derive it: purchase date + the category's 48 months.
        assert first.replacement_due == date(2030, 1, 15)
        assert not first.replacement_due_manual
        assert sorted(f.code for f in first.features.all()) == ["headphones", "screen_reader"]
        assert (first.created_by, first.updated_by, first.version) == (register, register, 1)
        second = Asset.objects.get(tag="HB-PC-21")
        assert (second.purchase_price, second.status) == (Decimal("12000.00"), "in_stock")

        record = records_for(first).get()
        assert record.action == ChangeAction.CREATED
        assert record.source == ChangeSource.IMPORT
        assert record.source_detail == "utrustning.csv"
        assert record.actor == register
        assert record.changes["purchase_price"] == [None, "8495.50"]
        assert record.changes["features"] == [None, ["Hörlurar", "Skärmläsare"]]

    def test_utf8_bom_comma_csv_with_english_headers_matched_leniently(self, register):
        content = csv_bytes(
            [
                [
                    "ASSET TAG",
                    "category",
                    "Model",
                    "Serial-Number",
                    "Library",
                    "Purchase price (SEK excl. VAT)",
                    "Purchase date",
                    "  Warranty   end ",
                ],
                [
                    "HB-PC-30",
                    "Public workstation",
                    "ThinkCentre M70q",
                    "X1",
                    "Stadsbiblioteket",
                    "8495.50",
                    "2026-01-15",
                    "2029-01-15",
                ],
            ],
            delimiter=",",
        )
        outcome = run(content, register, commit=True)

        assert outcome.counts[NEW] == 1, errors_of(outcome)
        asset = Asset.objects.get(tag="HB-PC-30")
        assert asset.library.code == "HB"
        assert asset.purchase_price == Decimal("8495.50")
        assert asset.warranty_end == date(2029, 1, 15)
        # Without a manufacturer column the model's manufacturer is taken.
        assert asset.manufacturer.name == "Lenovo"

    def test_xlsx_written_with_openpyxl_with_date_and_number_cells(self, register):
        content = xlsx_bytes(
            [
                SV_HEADERS,
                sv_row("HB-PC-40", price=8495.5, bought=date(2026, 1, 15)),
                sv_row("HB-PC-41", price=12000, serial=4711),
            ]
        )
        outcome = run(content, register, name="lista.xlsx", commit=True)

        assert outcome.summary() == "2 new, 0 updated, 0 unchanged, 0 errors", errors_of(outcome)
        first, second = Asset.objects.order_by("tag")
        assert (first.purchase_price, first.purchase_date) == (
            Decimal("8495.50"),
            date(2026, 1, 15),
        )
        # A number cell in a text column is read as the digits people see.
        assert (second.purchase_price, second.serial_number) == (Decimal("12000.00"), "4711")

    def test_preview_writes_nothing(self, register):
        content = csv_bytes([SV_HEADERS, sv_row("HB-PC-50")])
        outcome = run(content, register)
        assert outcome.counts[NEW] == 1 and not outcome.committed
        assert not Asset.objects.exists() and not ChangeRecord.objects.exists()


class TestUpdates:
    @pytest.fixture
    def existing(self, register, hb_floor2, workstation):
        content = csv_bytes([SV_HEADERS, sv_row("HB-PC-01"), sv_row("HB-PC-02")])
        run(content, register, commit=True)
        return content

    def test_same_file_again_changes_nothing(self, register, existing):
        versions = dict(Asset.objects.values_list("tag", "version"))
        history = ChangeRecord.objects.count()

        outcome = run(existing, register, commit=True)

        assert outcome.summary() == "0 new, 0 updated, 2 unchanged, 0 errors"
        assert {row.kind for row in outcome.rows} == {UNCHANGED}
        assert ChangeRecord.objects.count() == history
        assert dict(Asset.objects.values_list("tag", "version")) == versions

    def test_a_changed_row_updates_with_history_and_a_new_version(self, register, existing):
        content = csv_bytes(
            [
                SV_HEADERS,
                sv_row("HB-PC-01", price="9 000,00", location="Förråd IT", status="I lager"),
                sv_row("HB-PC-02"),
            ]
        )
        before = Asset.objects.get(tag="HB-PC-01")

        preview = run(content, register)
        assert [row.kind for row in preview.rows] == [UPDATE, UNCHANGED]
        changes = {c.label: (c.old, c.new) for c in preview.rows[0].change_rows()}
        assert changes["Plats"] == ("Plan 2 – vid vuxeninformationen", "Förråd IT")
        assert changes["Status"] == ("I drift", "I lager")

        run(content, register, commit=True)
        asset = Asset.objects.get(tag="HB-PC-01")
        assert asset.purchase_price == Decimal("9000.00")
        assert asset.status == AssetStatus.IN_STOCK
        assert asset.status_changed_at > before.status_changed_at
        assert asset.version == before.version + 1
        record = records_for(asset).first()
        assert record.action == ChangeAction.CHANGED and record.source == ChangeSource.IMPORT
        assert set(record.changes) == {"purchase_price", "location", "status"}
        assert record.changes["purchase_price"] == ["8495.50", "9000.00"]
        assert Asset.objects.get(tag="HB-PC-02").version == 1

    def test_columns_left_out_are_left_as_they_are(self, register, existing):
        content = csv_bytes([["Inventarienummer", "Anteckningar"], ["HB-PC-01", "Ny skärm"]])
        outcome = run(content, register, commit=True)
        assert outcome.counts[UPDATE] == 1
        asset = Asset.objects.get(tag="HB-PC-01")
        assert asset.notes == "Ny skärm"
        assert asset.purchase_price == Decimal("8495.50") and asset.location.name.startswith("Plan")

    def test_status_moves_follow_the_allowed_moves(self, register, existing):
        content = csv_bytes(
            [
                ["Inventarienummer", "Status"],
                ["HB-PC-01", "Beställd"],  # in_use -> ordered is not a move
                ["HB-PC-02", "Utlånad"],  # a loan needs a borrower and a date
            ]
        )
        outcome = run(content, register, commit=True)
        errors = errors_of(outcome)
        assert errors[2] == [
            (
                "Status",
                _("%(tag)s cannot go from “%(from)s” to “%(to)s”.")
                % {"tag": "HB-PC-01", "from": _("In use"), "to": _("Ordered")},
            )
        ]
        assert errors[3] == [("Status", _("Loans and disposals are registered one by one."))]
        assert set(Asset.objects.values_list("status", flat=True)) == {"in_use"}

    def test_an_error_in_the_last_row_leaves_everything_untouched(
        self, register, existing, monkeypatch
    ):
        # Small batches, so that rows before the error have been written when it comes.
        monkeypatch.setattr(AssetResource._meta, "batch_size", 3)
        rows = [SV_HEADERS, sv_row("HB-PC-01", price="1,00")]
        rows += [sv_row(f"HB-PC-{n}") for n in range(60, 70)]
        rows.append(sv_row("HB-PC-99", bought="2026-02-30"))
        history = ChangeRecord.objects.count()

        outcome = run(csv_bytes(rows), register, commit=True)

        assert not outcome.committed
        assert list(errors_of(outcome)) == [13]
        assert Asset.objects.count() == 2
        assert Asset.objects.get(tag="HB-PC-01").purchase_price == Decimal("8495.50")
        assert ChangeRecord.objects.count() == history


class TestRowErrors:
    def test_each_rule_names_row_column_and_reason(self, register):
        rows = [
            SV_HEADERS,
            sv_row("HB-PC-01"),
            sv_row("HB-PC-01", serial="other"),  # the tag twice
            sv_row(""),  # no tag
            sv_row("HB-PC-03", price="-5"),
            sv_row("HB-PC-04", bought="2026-02-30"),
            sv_row("HB-PC-05", bought="15/1/2026"),
            sv_row("HB-PC-06", status="Trasig"),
            sv_row("HB-PC-07", category="Rymdskepp"),
            sv_row("HB-PC-08", library="XX"),
            sv_row("HB-PC-09", manufacturer="Okänd AB"),
            sv_row("HB-PC-10", location="Källaren"),
            sv_row("HB-PC-11", price="åtta"),
            sv_row("HB-PC-12", features="Skärmläsare, Jetpack"),
            sv_row("HB-PC-13", status="on_loan"),
            sv_row("HB-PC-14", location="Publika datorer"),  # NO's place, not HB's
        ]
        outcome = run(csv_bytes(rows), register, commit=True)
        errors = errors_of(outcome)

        rows_twice = _("The asset tag %(tag)s is on more than one row: %(rows)s.") % {
            "tag": "HB-PC-01",
            "rows": "2, 3",
        }
        assert errors[2] == errors[3] == [("Inventarienummer", rows_twice)]
        assert errors[4] == [("Inventarienummer", _("The row has no asset tag."))]
        assert errors[5][0][0] == "Inköpspris (kr exkl. moms)"
        with translation.override("en"):
            english = run(csv_bytes(rows), register)
        assert "greater than or equal to 0" in errors_of(english)[5][0][1]
        assert errors[6] == [
            ("Inköpsdatum", _("There is no date %(value)s.") % {"value": "2026-02-30"})
        ]
        assert errors[7][0][0] == "Inköpsdatum" and "ÅÅÅÅ-MM-DD" in errors[7][0][1]
        assert errors[8][0][0] == "Status" and "Trasig" in errors[8][0][1]
        assert errors[9][0][0] == "Kategori" and "Rymdskepp" in errors[9][0][1]
        assert errors[10][0][0] == "Bibliotek" and "XX" in errors[10][0][1]
        assert errors[11][0][0] == "Tillverkare" and "Okänd AB" in errors[11][0][1]
        assert errors[12][0][0] == "Plats" and "Källaren" in errors[12][0][1]
        assert errors[13] == [
            ("Inköpspris (kr exkl. moms)", _("Enter an amount in kronor, for example 8 495,50."))
        ]
        assert errors[14] == [
            ("Funktioner", _("Unknown features: %(names)s.") % {"names": "Jetpack"})
        ]
        loan = _(
            "A loan needs a borrower and a due date: import the asset as in stock or in use, "
            "and lend it on its page."
        )
        assert errors[15] == [("Status", loan)]
        assert errors[16][0][0] == "Plats"
        assert outcome.summary() == "0 new, 0 updated, 0 unchanged, 15 errors"
        assert not Asset.objects.exists()
        assert not Manufacturer.objects.filter(name="Okänd AB").exists()

    def test_the_model_rules_of_the_form_apply(self, register, hb_floor2):
        headers = [
            "Inventarienummer",
            "Kategori",
            "Bibliotek",
            "Plats",
            "Ägande",
            "Inköpsdatum",
            "Garantin går ut",
        ]
        rows = [
            headers,
            ["HB-1", "Publik dator", "NO", "Plan 2 – vid vuxeninformationen", "", "", ""],
            ["HB-2", "Publik dator", "HB", "", "Leasad", "", ""],
            ["HB-3", "Publik dator", "HB", "", "", "2026-05-01", "2026-04-01"],
            ["HB-4", "", "HB", "", "", "", ""],
        ]
        errors = errors_of(run(csv_bytes(rows), register))
        # The location is looked up in the row's library, so NO has no such place.
        assert errors[2][0][0] == "Plats"
        assert errors[3] == [("Leasingavtalet slutar", _("A leased asset needs a lease end date."))]
        assert errors[4] == [
            ("Garantin går ut", _("The warranty cannot end before the purchase date."))
        ]
        assert errors[5] == [("Kategori", _("This field is required."))]

    def test_serial_numbers_are_unique_per_manufacturer(self, register, hb_floor2, workstation):
        lenovo = Manufacturer.objects.get(name="Lenovo")
        AssetFactory(tag="HB-OLD", manufacturer=lenovo, serial_number="DUP-1", category=workstation)
        rows = [
            SV_HEADERS,
            sv_row("HB-1", serial="DUP-1"),  # as an asset not in the file
            sv_row("HB-2", serial="DUP-2"),
            sv_row("HB-3", serial="DUP-2"),  # as the row above
        ]
        errors = errors_of(run(csv_bytes(rows), register))
        assert list(errors) == [2, 4]
        assert errors[2][0][0] == "Serienummer" and "HB-OLD" in errors[2][0][1]
        assert "HB-2" in errors[4][0][1]

    def test_messages_are_in_the_users_language(self, register):
        rows = [SV_HEADERS, sv_row("HB-1", status="Trasig")]
        with translation.override("en"):
            english = errors_of(run(csv_bytes(rows), register))
        assert english[2][0][1].startswith("Unknown status “Trasig”. Use one of: Ordered, In stock")

    def test_a_kit_component_names_its_kit_by_tag(self, register, hb_floor2, vr_kit):
        AssetFactory(tag="HB-VR-01", category=vr_kit, library=hb_floor2.library)
        rows = [
            ["Inventarienummer", "Kategori", "Bibliotek", "Del av kit"],
            ["HB-VR-02", "Publik dator", "HB", "HB-VR-01"],
            ["HB-VR-03", "Publik dator", "HB", "HB-VR-99"],
        ]
        outcome = run(csv_bytes(rows), register)
        assert [row.kind for row in outcome.rows] == [NEW, ERROR]
        assert errors_of(outcome)[3][0][0] == "Del av kit"


class TestCreateMissing:
    def test_creates_manufacturers_models_and_places_only_when_asked(self, register):
        rows = [
            SV_HEADERS,
            sv_row("HB-1", manufacturer="Fujitsu", model="Esprimo Q", location="Makerspace"),
            sv_row("HB-2", manufacturer="fujitsu", model="ESPRIMO Q", location="makerspace"),
        ]
        without = run(csv_bytes(rows), register, commit=True)
        assert [row.kind for row in without.rows] == [ERROR, ERROR]

        preview = run(csv_bytes(rows), register, create_missing=True)
        assert preview.counts[NEW] == 2
        assert preview.created == {
            "manufacturer": ["Fujitsu"],
            "model": ["Esprimo Q"],
            "location": ["HB Makerspace"],
        }
        assert not Manufacturer.objects.filter(name="Fujitsu").exists()

        run(csv_bytes(rows), register, create_missing=True, commit=True)
        model = ProductModel.objects.get(name="Esprimo Q", manufacturer__name="Fujitsu")
        place = Location.objects.get(name="Makerspace", library__code="HB")
        assert set(Asset.objects.values_list("model", "location")) == {(model.pk, place.pk)}


class TestSnipeIt:
    def test_a_snipe_it_export_reads_with_the_preset(self, register):
        rows = [
            [
                "Item Name",
                "Asset Tag",
                "Serial Number",
                "Model Name",
                "Model Number",
                "Manufacturer",
                "Category",
                "Location",
                "Status",
                "Purchase Date",
                "Purchase Cost",
                "Supplier",
                "Order Number",
                "Warranty Months",
                "Notes",
                "Checked Out",
            ],
            [
                "PUB-PC-7",
                "SN-0007",
                "PF3X7",
                "ThinkCentre M70q",
                "11DT",
                "Lenovo",
                "Public workstation",
                "Plan 2 – vid vuxeninformationen",
                "Ready to Deploy",
                "2025-03-01",
                "1,234.50",
                "Atea",
                "PO-7781",
                "36",
                "Bytt disk",
                "",
            ],
            [
                "PUB-PC-8",
                "SN-0008",
                "PF3X8",
                "ThinkCentre M70q",
                "",
                "Lenovo",
                "Public workstation",
                "",
                "Deployed",
                "2025-03-01",
                "999",
                "",
                "",
                "",
                "",
                "",
            ],
        ]
        content = csv_bytes(rows, delimiter=",", encoding="utf-8")
        # Snipe-IT's locations are rooms: the library is chosen for the file.
        outcome = run(content, register, name="snipeit.csv", mapping="snipeit", commit=True)
        assert {n: e[0][0] for n, e in errors_of(outcome).items()} == {
            2: "Bibliotek",
            3: "Bibliotek",
        }
        outcome = run(
            content, register, name="snipeit.csv", mapping="snipeit", library="HB", commit=True
        )

        assert outcome.summary() == "2 new, 0 updated, 0 unchanged, 0 errors", errors_of(outcome)
        assert outcome.columns.ignored == []
        first = Asset.objects.get(tag="SN-0007")
        assert first.hostname == "pub-pc-7"
        assert first.status == AssetStatus.IN_STOCK
        assert (first.library.code, first.location.name) == (
            "HB",
            "Plan 2 – vid vuxeninformationen",
        )
        assert first.purchase_price == Decimal("1234.50")
        assert first.warranty_end == date(2028, 3, 1)
        assert first.it_reference == "PO-7781"
        assert "Bytt disk" in first.notes and "Atea" in first.notes and "11DT" in first.notes
        assert Asset.objects.get(tag="SN-0008").status == AssetStatus.IN_USE
        # Importing it again changes nothing, the composed notes included.
        again = run(
            content, register, name="snipeit.csv", mapping="snipeit", library="HB", commit=True
        )
        assert again.summary() == "0 new, 0 updated, 2 unchanged, 0 errors"

    def test_archived_equipment_is_registered_as_retired(self, register):
        rows = [
            ["Asset Tag", "Category", "Location", "Status"],
            ["SN-1", "Public workstation", "", "Archived"],
        ]
        outcome = run(
            csv_bytes(rows, delimiter=","), register, mapping="snipeit", library="HB", commit=True
        )
        assert outcome.committed, errors_of(outcome)
        assert Asset.objects.get(tag="SN-1").status == AssetStatus.RETIRED


class TestColumns:
    def test_every_column_name_in_both_languages_matches_its_column(self):
        for language in ("sv", "en"):
            with translation.override(language):
                headers = [column_label(key) for key in ASSET_COLUMNS]
            match = match_columns(headers)
            assert list(match.columns.values()) == list(ASSET_COLUMNS), language

    def test_matching_ignores_case_spacing_punctuation_and_units(self):
        assert compact("Inköpspris (kr exkl. moms)") == compact("inkopspris") == "inkopspris"
        match = match_columns(
            ["INVENTARIE-NUMMER", "Serie nummer", "Garantin går ut (datum)", "Färg"]
        )
        assert list(match.columns.values()) == ["tag", "serial_number", "warranty_end"]
        assert match.ignored == ["Färg"] and match.unmatched == [3]

    def test_columns_mapped_by_hand(self, register):
        content = csv_bytes([["Nummer", "Typ av sak", "Enhet"], ["HB-1", "Publik dator", "HB"]])
        outcome = run(content, register)
        assert outcome.problems  # nothing known, no tag
        outcome = run(content, register, columns={0: "tag", 1: "category", 2: "library"})
        assert outcome.counts[NEW] == 1, errors_of(outcome)

    def test_a_file_without_a_tag_column_is_refused_as_a_whole(self, register):
        content = csv_bytes([["Kategori", "Bibliotek"], ["Publik dator", "HB"]])
        outcome = run(content, register, commit=True)
        assert outcome.problems and not outcome.rows and not Asset.objects.exists()

    def test_extra_columns_can_be_chosen_by_hand(self):
        assert set(EXTRA_COLUMNS) <= {key for key, _label in column_choices()}


class TestFiles:
    def test_limits_and_unreadable_files(self, register, monkeypatch):
        good = csv_bytes([SV_HEADERS, sv_row("HB-1"), sv_row("HB-2"), sv_row("HB-3")])
        cases = [
            (b"", "a.csv", _("The file is empty.")),
            (b"\xef\xbb\xbf\r\n  \r\n", "a.csv", _("The file is empty.")),
            (
                csv_bytes([SV_HEADERS]),
                "a.csv",
                _("The file has a header row but no rows of assets under it."),
            ),
            (b"%PDF-1.7 ...", "a.pdf", _("Only CSV and XLSX files can be imported.")),
            (b"\xd0\xcf\x11\xe0 old excel", "a.xls", ".xls"),
            (b"not a zip", "a.xlsx", "XLSX"),
            (b"PK\x03\x04 broken zip", "a.xlsx", "XLSX"),
            (
                b"Inventarienummer\x00;Kategori\r\n",
                "a.csv",
                _("Only CSV and XLSX files can be imported."),
            ),
        ]
        for content, name, message in cases:
            with pytest.raises(ImportFileError, match=message.replace(".", r"\.")):
                run(content, register, name=name, commit=True)

        monkeypatch.setattr(reading, "MAX_ROWS", 2)
        with pytest.raises(ImportFileError, match="2"):
            run(good, register, commit=True)
        monkeypatch.setattr(reading, "MAX_ROWS", 50_000)
        monkeypatch.setattr(reading, "MAX_BYTES", len(good) - 1)
        with pytest.raises(ImportFileError):
            run(good, register, commit=True)
        assert not Asset.objects.exists()

    def test_a_file_with_no_header_row_is_refused(self, register):
        content = csv_bytes([sv_row("HB-1"), sv_row("HB-2")])
        outcome = run(content, register, commit=True)
        assert outcome.problems and "HB-1" in outcome.problems[0]
        assert not outcome.rows and not Asset.objects.exists()

    def test_encodings_and_delimiters(self, register):
        rows = [["Inventarienummer", "Anteckningar"], ["HB-1", "Skärm på väg"]]
        assert read_table(csv_bytes(rows, encoding="cp1252"), "a.csv").encoding == "cp1252"
        assert read_table(csv_bytes(rows, encoding="utf-8"), "a.csv").encoding == "utf-8-sig"
        utf16 = read_table(csv_bytes(rows, delimiter="\t", encoding="utf-16"), "a.txt")
        assert (utf16.delimiter, utf16.rows[0][1]) == ("\t", ["HB-1", "Skärm på väg"])
        comma = read_table(csv_bytes(rows, delimiter=","), "a.csv")
        assert comma.delimiter == ","
        with pytest.raises(ImportFileError, match="utf-8"):
            read_table(csv_bytes(rows, encoding="cp1252"), "a.csv", encoding="utf-8")
        with pytest.raises(ImportFileError):
            read_table(csv_bytes(rows), "a.csv", encoding="klingon")
        # Blank lines are skipped, and row numbers stay the file's.
        table = read_table(b"Inventarienummer\r\n\r\nHB-1\r\n", "a.csv")
        assert table.rows == [(3, ["HB-1"])]

    def test_cells_protected_against_formulas_are_read_back_as_written(self, register):
        rows = [
            ["Inventarienummer", "Kategori", "Bibliotek", "Anteckningar"],
            ["HB-1", "Publik dator", "HB", "'=SUMMA(A1)"],
        ]
        run(csv_bytes(rows), register, commit=True)
        assert Asset.objects.get().notes == "=SUMMA(A1)"


class TestSameRulesAsTheDefaultPath:
    """The bulk path checks in memory what the library's default path asks the database
    row by row; both must judge every row alike."""

    def test_both_paths_give_the_same_outcome(self, register, hb_floor2, workstation):
        lenovo = Manufacturer.objects.get(name="Lenovo")
        AssetFactory(tag="HB-OLD", manufacturer=lenovo, serial_number="DUP", category=workstation)
        rows = [
            SV_HEADERS,
            sv_row("HB-OLD", price="1 000", serial="DUP"),
            sv_row("HB-1"),
            sv_row("HB-2", serial="DUP"),
            sv_row("HB-3", price="-1"),
            sv_row("HB-4", bought="2026-13-01"),
            sv_row("HB-5", status="on_loan"),
            sv_row("HB-6", location="Publika datorer"),
            sv_row("HB-7", category=""),
        ]
        outcomes = {}
        for resource_class in (AssetResource, PerRowAssetResource):
            outcome = run(csv_bytes(rows), register, resource_class=resource_class)
            outcomes[resource_class] = [
                (row.number, row.kind, sorted({e.column for e in row.errors}), row.changes)
                for row in outcome.rows
            ]
        fast, per_row = outcomes[AssetResource], outcomes[PerRowAssetResource]
        assert [(n, kind, changes) for n, kind, _c, changes in fast] == [
            (n, kind, changes) for n, kind, _c, changes in per_row
        ]
        # Row 4's serial number: the database's constraint names no column; we do.
        fast_columns = [columns for _n, _k, columns, _ch in fast]
        per_row_columns = [columns for _n, _k, columns, _ch in per_row]
        assert fast_columns.pop(2) == ["Serienummer"]
        per_row_columns.pop(2)
        assert fast_columns == per_row_columns
        assert [kind for _n, kind, _c, _ch in outcomes[AssetResource]] == [
            UPDATE,
            NEW,
            ERROR,
            ERROR,
            ERROR,
            ERROR,
            ERROR,
            ERROR,
        ]

    def test_both_paths_write_the_same(self, register):
        rows = [SV_HEADERS, sv_row("HB-1", features="Hörlurar")]
        run(csv_bytes(rows), register, commit=True, resource_class=PerRowAssetResource)
        rows = [SV_HEADERS, sv_row("HB-1", features="Skärmläsare", price="1,00")]
        run(csv_bytes(rows), register, commit=True, resource_class=PerRowAssetResource)
        per_row = [r.changes for r in ChangeRecord.objects.order_by("pk")]
        Asset.objects.all().delete()
        ChangeRecord.objects.all().delete()
        run(csv_bytes([SV_HEADERS, sv_row("HB-1", features="Hörlurar")]), register, commit=True)
        run(csv_bytes(rows), register, commit=True)
        assert [r.changes for r in ChangeRecord.objects.order_by("pk")] == per_row
        assert per_row[1] == {
            "purchase_price": ["8495.50", "1.00"],
            "features": [["Hörlurar"], ["Skärmläsare"]],
        }
        assert [f.code for f in Asset.objects.get().features.all()] == ["screen_reader"]

    def test_the_resources_snapshot_is_the_historys(self, register, hb_floor2, vr_kit):
        kit = AssetFactory(tag="HB-KIT", category=vr_kit, library=hb_floor2.library)
        asset = AssetFactory(
            tag="HB-X", parent=kit, purchase_date=date(2026, 1, 2), notes="n", hostname="h"
        )
        asset.features.add(*Feature.objects.all())
        asset = Asset.objects.get(pk=asset.pk)
        resource = AssetResource()
        names = sorted(str(f) for f in asset.features.all())
        assert resource._snapshot(asset, names) == history.snapshot(asset, TRACKED_FIELDS)


def test_xlsx_row_numbers_are_the_sheets(register):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"], sheet["C3"] = "Inventarienummer", "Kategori", "Bibliotek"
    sheet["A5"], sheet["B5"], sheet["C5"] = "HB-1", "Publik dator", "HB"
    sheet["A8"], sheet["B8"], sheet["C8"] = "HB-2", "Rymdskepp", "HB"
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = run(buffer.getvalue(), register, name="lista.xlsx")
    assert [(row.number, row.kind) for row in outcome.rows] == [(5, NEW), (8, ERROR)]


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ("8 495,50", "8495.50"),
        ("8\xa0495,50", "8495.50"),
        ("8\u202f495", "8495.00"),
        ("8495.5", "8495.50"),
        ("8 495 kr", "8495.00"),
        ("8 495:-", "8495.00"),
        ("SEK 8,495.00", "8495.00"),
        (8495.1, "8495.10"),
        (12000, "12000.00"),
    ],
)
def test_amounts_as_people_and_spreadsheets_write_them(cell, amount):
    assert AmountWidget().clean(cell) == Decimal(amount)


@pytest.mark.parametrize("cell", ["åtta", "8,4,9", "1e400000", "kr"])
def test_what_is_not_an_amount(cell):
    widget = AmountWidget()
    if cell == "kr":
        assert widget.clean(cell) is None
        return
    with pytest.raises(ValueError, match=_("Enter an amount in kronor, for example 8 495,50.")):
        widget.clean(cell)
