"""Bringing a library's existing register in: real sheets as people keep them, and
nothing already stored lost on the way. Each test writes a real file and asserts, row by
row, what was stored and what the history says."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from inventory.choices import AssetStatus, ChangeAction, ChangeSource
from inventory.history import records_for
from inventory.imports.columns import match_columns
from inventory.imports.options import OptionsError, options_from_dict, parse_map_value
from inventory.imports.reading import ImportFileError, read_table
from inventory.imports.rejected import rejected_rows_file
from inventory.imports.service import ERROR, NEW, UPDATE, assets_import, header_scorer
from inventory.models import Asset, Location
from tests.factories import AssetFactory, CategoryFactory, LocationFactory
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row

pytestmark = pytest.mark.django_db


def run(content, actor, name="utrustning.csv", **options):
    return assets_import(content=content, file_name=name, actor=actor, **options)


def errors_of(outcome):
    return {row.number: [(e.column, e.message) for e in row.errors] for row in outcome.error_rows}


def titled_xlsx(header, rows, *, title="Utrustning Stadsbiblioteket 2026") -> bytes:
    """A sheet kept for printing: a title, an empty row, then the header; dates as real
    date cells and prices as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class TestExistingEquipment:
    @pytest.mark.parametrize(
        "label, status",
        [
            ("På service", AssetStatus.IN_REPAIR),
            ("Avvecklad", AssetStatus.RETIRED),
            ("Kasserad", AssetStatus.DISPOSED),
            ("Beställd", AssetStatus.ORDERED),
            ("I lager", AssetStatus.IN_STOCK),
            ("I drift", AssetStatus.IN_USE),
        ],
    )
    def test_a_new_row_is_registered_with_the_status_it_has_today(self, register, label, status):
        outcome = run(csv_bytes([SV_HEADERS, sv_row("HB-1", status=label)]), register, commit=True)
        assert outcome.committed, errors_of(outcome)
        asset = Asset.objects.get(tag="HB-1")
        assert asset.status == status
        (record,) = records_for(asset)
        assert (record.action, record.source, record.source_detail) == (
            ChangeAction.CREATED,
            ChangeSource.IMPORT,
            "utrustning.csv",
        )
        assert record.changes["status"] == [None, status]
        assert record.actor == register

    def test_a_loan_cannot_be_registered_by_import(self, register):
        outcome = run(csv_bytes([SV_HEADERS, sv_row("HB-1", status="on_loan")]), register)
        loan = _(
            "A loan needs a borrower and a due date: import the asset as in stock or in use, "
            "and lend it on its page."
        )
        assert errors_of(outcome)[2] == [("Status", loan)]

    def test_an_existing_asset_still_moves_only_as_the_rules_allow(self, register, hb_floor2):
        AssetFactory(tag="HB-1", library=hb_floor2.library, status=AssetStatus.IN_USE)
        outcome = run(csv_bytes([SV_HEADERS, sv_row("HB-1", status="Kasserad")]), register)
        assert errors_of(outcome)[2][0][0] == "Status"


class TestBlankCells:
    def _stored(self, register):
        run(
            csv_bytes([SV_HEADERS, sv_row("HB-1", notes="Bytt disk", features="Hörlurar")]),
            register,
            commit=True,
        )
        return Asset.objects.get(tag="HB-1")

    def test_a_blank_cell_leaves_the_stored_value_alone(self, register):
        before = self._stored(register)
        blank = sv_row(
            "HB-1", serial="", price="", bought="", notes="", features="", manufacturer="", model=""
        )
        outcome = run(csv_bytes([SV_HEADERS, blank]), register, commit=True)
        assert outcome.committed and outcome.summary().startswith("0 new, 0 updated, 1 unchanged")
        # serial, price, date, notes, features, manufacturer and model were stored
        assert outcome.blanks_kept == 7
        after = Asset.objects.get(tag="HB-1")
        assert (after.serial_number, after.purchase_price, after.purchase_date) == (
            before.serial_number,
            Decimal("8495.50"),
            date(2026, 1, 15),
        )
        assert after.notes == "Bytt disk" and after.manufacturer.name == "Lenovo"
        assert [f.code for f in after.features.all()] == ["headphones"]
        assert after.version == before.version
        assert len(records_for(after)) == 1

    def test_blank_cells_clear_only_when_chosen_and_the_preview_lists_each(self, register):
        self._stored(register)
        blank = sv_row("HB-1", serial="", price="", notes="")
        preview = run(csv_bytes([SV_HEADERS, blank]), register, blank_clears=True)
        # The features' cell is blank too.
        assert sorted(name for _row, name in preview.cleared) == [
            "features",
            "notes",
            "purchase_price",
            "serial_number",
        ]
        assert {row.number for row, _name in preview.cleared} == {2}
        run(csv_bytes([SV_HEADERS, blank]), register, blank_clears=True, commit=True)
        asset = Asset.objects.get(tag="HB-1")
        assert (asset.serial_number, asset.purchase_price, asset.notes) == ("", None, "")
        record = records_for(asset)[0]
        assert record.changes["serial_number"] == ["SN-HB-1", ""]

    def test_a_blank_cell_of_a_new_row_stays_empty(self, register):
        run(csv_bytes([SV_HEADERS, sv_row("HB-2", serial="", price="")]), register, commit=True)
        asset = Asset.objects.get(tag="HB-2")
        assert (asset.serial_number, asset.purchase_price) == ("", None)


class TestHeaders:
    @pytest.mark.parametrize(
        "header, key",
        [
            ("Kategorier", "category"),
            ("KATEGORI", "category"),
            ("  Inköps  pris (SEK) ", "purchase_price"),
            ("Inköpspriser", "purchase_price"),
            ("Platser", "location"),
            ("Placeringen", "location"),
            ("Anteckning", "notes"),
            ("Funktion", "features"),
            ("Serienummer (S/N)", "serial_number"),
            ("Modeller", "model"),
            ("Tillverkaren", "manufacturer"),
            ("Categories", "category"),
            ("Serial numbers", "serial_number"),
            ("Locations", "location"),
            ("Libraries", "library"),
            ("Inkopsdatum", "purchase_date"),
            ("Garanti t.o.m.", "warranty_end"),
        ],
    )
    def test_other_forms_of_a_header_match(self, header, key):
        assert match_columns(["Inventarienummer", header]).columns == {0: "tag", 1: key}

    def test_the_column_that_names_the_field_exactly_wins(self):
        # Snipe-IT: "State" is the address's state, "Status" the status.
        match = match_columns(["Asset Tag", "State", "Status"], mapping="snipeit")
        assert match.columns == {0: "tag", 2: "status"}
        assert match.ignored == ["State"] and not match.ambiguous
        match = match_columns(["Inventarienummer", "Tillstånd", "Status"])
        assert match.columns == {0: "tag", 2: "status"}

    def test_two_columns_naming_a_field_equally_are_a_choice_for_the_user(self, register):
        rows = [
            ["Inventarienummer", "Kategori", "Bibliotek", "Pris", "Kostnad"],
            ["HB-1", "Publik dator", "HB", "100", "200"],
        ]
        outcome = run(csv_bytes(rows), register)
        assert outcome.columns.ambiguous == {"purchase_price": [3, 4]}
        (problem,) = outcome.problems
        assert "“Pris”" in problem and "“Kostnad”" in problem and "Inköpspris" in problem
        assert outcome.rows == [] and not Asset.objects.exists()
        # The user chooses: "Kostnad" is the price, "Pris" is not imported.
        chosen = run(csv_bytes(rows), register, columns={4: "purchase_price", 3: ""}, commit=True)
        assert chosen.committed
        assert Asset.objects.get().purchase_price == Decimal("200.00")

    def test_a_title_row_and_empty_rows_above_the_header_are_skipped(self, register):
        rows = [
            ["HB-1", "Publik dator", "HB", datetime(2024, 8, 19), 8495.5, None],
            ["HB-2", "Publik dator", "HB", None, 12000, "Vid disken"],
        ]
        header = ["Inventarienummer", "Kategori", "Bibliotek", "Inköpsdatum", "Pris", "Kommentar"]
        outcome = run(titled_xlsx(header, rows), register, name="lista.xlsx", commit=True)
        assert outcome.committed, (outcome.problems, errors_of(outcome))
        assert outcome.table.header_row == 3
        assert [row.number for row in outcome.rows] == [4, 5]
        one, two = Asset.objects.order_by("tag")
        assert (one.purchase_date, one.purchase_price) == (date(2024, 8, 19), Decimal("8495.50"))
        assert (two.purchase_date, two.purchase_price, two.notes) == (
            None,
            Decimal("12000.00"),
            "Vid disken",
        )

    def test_an_excel_day_number_in_a_date_column_is_a_date(self, register):
        rows = [
            ["Inventarienummer", "Kategori", "Bibliotek", "Inköpsdatum"],
            ["HB-1", "Publik dator", "HB", 45310],
        ]
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        run(buffer.getvalue(), register, name="lista.xlsx", commit=True)
        assert Asset.objects.get().purchase_date == date(2024, 1, 19)

    def test_the_header_search_takes_the_row_that_names_the_most_columns(self):
        content = csv_bytes(
            [
                ["Inventarielista", "Stadsbiblioteket"],
                ["Inventarienummer", "Kategori"],
                ["HB-1", "Publik dator"],
            ]
        )
        table = read_table(content, "a.csv", header_score=header_scorer(""))
        assert (table.header_row, table.headers, table.rows) == (
            2,
            ["Inventarienummer", "Kategori"],
            [(3, ["HB-1", "Publik dator"])],
        )


class TestLibraryOfTheFile:
    def test_rows_without_a_library_go_to_the_chosen_one_and_places_are_created_there(
        self, register, hb_floor2, no
    ):
        rows = [
            ["Inventarienummer", "Kategori", "Plats", "Bibliotek"],
            ["X-1", "Publik dator", "Rum 12", ""],
            ["X-2", "Publik dator", "Plan 2 – vid vuxeninformationen", ""],
            ["X-3", "Publik dator", "", "NO"],
        ]
        outcome = run(csv_bytes(rows), register, library="HB", create_missing=True, commit=True)
        assert outcome.committed, errors_of(outcome)
        stored = {
            a.tag: (a.library.code, a.location and a.location.name) for a in Asset.objects.all()
        }
        assert stored == {
            "X-1": ("HB", "Rum 12"),
            "X-2": ("HB", "Plan 2 – vid vuxeninformationen"),
            "X-3": ("NO", None),
        }
        assert Location.objects.filter(library__code="HB", name="Rum 12").exists()

    def test_the_chosen_library_never_moves_an_existing_asset(self, register, no_public):
        asset = AssetFactory(tag="X-1", library=no_public.library, location=no_public)
        rows = [["Inventarienummer", "Anteckningar"], ["X-1", "Ny anteckning"]]
        run(csv_bytes(rows), register, library="HB", commit=True)
        asset.refresh_from_db()
        assert (asset.library.code, asset.notes) == ("NO", "Ny anteckning")

    def test_an_unknown_library_code_is_a_problem_of_the_file(self, register):
        outcome = run(csv_bytes([SV_HEADERS, sv_row("HB-1")]), register, library="ZZ")
        assert outcome.problems == [_("No library has the code “%(code)s”.") % {"code": "ZZ"}]


class TestValueMapping:
    ROWS = [
        ["Inventarienummer", "Kategori", "Bibliotek", "Plats", "Status"],
        ["HB-1", "Desktop", "Huvudbiblioteket", "Rum 12", "Aktiv"],
        ["HB-2", "Desktop", "Huvudbiblioteket", "Plan 2 – vid vuxeninformationen", "Aktiv"],
    ]

    def test_unknown_values_are_collected_for_the_user(self, register):
        outcome = run(csv_bytes(self.ROWS), register)
        assert outcome.unknown == {
            "category": ["Desktop"],
            "library": ["Huvudbiblioteket"],
            "status": ["Aktiv"],
        }
        # With the library known, the places are looked up in it.
        outcome = run(
            csv_bytes(self.ROWS), register, values={"library": {"Huvudbiblioteket": "HB"}}
        )
        assert outcome.unknown["location"] == ["Rum 12"]

    def test_each_value_is_mapped_once_for_the_whole_file(self, register, hb_floor2):
        outcome = run(
            csv_bytes(self.ROWS),
            register,
            values={
                "category": {"desktop": "workstation"},
                "library": {"Huvudbiblioteket": "HB"},
                "status": {"AKTIV": "I drift"},
                "location": {"Rum 12": "Plan 2 – vid vuxeninformationen"},
            },
            commit=True,
        )
        assert outcome.committed, errors_of(outcome)
        assert {
            (a.tag, a.category.code, a.library.code, a.location.name, a.status)
            for a in Asset.objects.all()
        } == {
            ("HB-1", "workstation", "HB", "Plan 2 – vid vuxeninformationen", "in_use"),
            ("HB-2", "workstation", "HB", "Plan 2 – vid vuxeninformationen", "in_use"),
        }

    def test_a_location_can_be_created_by_value(self, register):
        outcome = run(
            csv_bytes(self.ROWS[:2]),
            register,
            values={
                "category": {"Desktop": "workstation"},
                "library": {"Huvudbiblioteket": "HB"},
                "status": {"Aktiv": "in_use"},
            },
            create={"location": ["Rum 12"]},
            commit=True,
        )
        assert outcome.committed, errors_of(outcome)
        assert Asset.objects.get().location.name == "Rum 12"
        assert outcome.created == {"location": ["HB Rum 12"]}

    def test_map_value_and_mapping_file_syntax(self):
        assert parse_map_value("category:Desktop=Publik dator") == (
            "category",
            "Desktop",
            "Publik dator",
        )
        assert parse_map_value("Kategori:Desktop=workstation")[0] == "category"
        assert parse_map_value("Place: Rum 12 = Förråd IT") == ("location", "Rum 12", "Förråd IT")
        for wrong in ("category=Desktop", "category:Desktop", "serial:1=2", ":a=b"):
            with pytest.raises(OptionsError):
                parse_map_value(wrong)
        options = options_from_dict(
            {"mapping": "glpi", "values": {"Typ": {"Desktop": "workstation"}}, "library": "HB"}
        )
        assert (options.mapping, options.library, options.values) == (
            "glpi",
            "HB",
            {"category": {"Desktop": "workstation"}},
        )
        with pytest.raises(OptionsError):
            options_from_dict({"colour": "red"})
        with pytest.raises(OptionsError):
            options_from_dict({"create": {"category": ["Desktop"]}})


class TestLeavingOutRows:
    ROWS = [
        SV_HEADERS,
        sv_row("HB-1"),
        sv_row("HB-2", category="Rymdskepp"),
        sv_row("HB-3"),
        sv_row("HB-4", bought="15/1/2026"),
    ]

    def test_all_or_nothing_is_the_default(self, register):
        outcome = run(csv_bytes(self.ROWS), register, commit=True)
        assert not outcome.committed and not Asset.objects.exists()

    def test_the_valid_rows_when_the_user_chooses_so(self, register):
        outcome = run(csv_bytes(self.ROWS), register, commit=True, leave_out_errors=True)
        assert outcome.committed and outcome.left_out == [3, 5]
        assert [(row.number, row.kind) for row in outcome.rows] == [
            (2, NEW),
            (3, ERROR),
            (4, NEW),
            (5, ERROR),
        ]
        assert sorted(Asset.objects.values_list("tag", flat=True)) == ["HB-1", "HB-3"]
        record = records_for(Asset.objects.get(tag="HB-1"))[0]
        assert record.source_detail == "utrustning.csv (rader 3, 5 utelämnade)"

    def test_leaving_out_every_row_writes_nothing_and_says_so(self, register):
        rows = [SV_HEADERS, sv_row("HB-2", category="Rymdskepp")]
        outcome = run(csv_bytes(rows), register, commit=True, leave_out_errors=True)
        assert not outcome.committed and outcome.has_errors and not Asset.objects.exists()

    def test_the_rejected_rows_come_back_as_a_csv_in_the_files_own_form(self, register):
        content = csv_bytes(self.ROWS, encoding="cp1252")
        outcome = run(content, register)
        data, content_type, name = rejected_rows_file(outcome)
        assert (content_type, name) == ("text/csv; charset=cp1252", "utrustning-avvisade.csv")
        rows = [line.split(";") for line in data.decode("cp1252").splitlines()]
        assert rows[0] == [*SV_HEADERS, "Importfel"]
        assert [row[0] for row in rows[1:]] == ["HB-2", "HB-4"]
        assert rows[1][:-1] == [c.replace("\xa0", "\xa0") for c in self.ROWS[2]]
        assert "Kategori" in rows[1][-1] and "Rymdskepp" in rows[1][-1]
        # Corrected, the file imports.
        fixed = (
            data.decode("cp1252")
            .replace("Rymdskepp", "Publik dator")
            .replace("15/1/2026", "2026-01-15")
        )
        again = run(fixed.encode("cp1252"), register, commit=True)
        assert again.committed and again.columns.ignored == ["Importfel"]

    def test_the_rejected_rows_of_a_workbook_are_a_workbook(self, register):
        header = ["Inventarienummer", "Kategori", "Bibliotek", "Inköpsdatum", "Anteckningar"]
        rows = [
            ["HB-1", "Publik dator", "HB", datetime(2024, 8, 19), "Vid disken"],
            ["HB-2", "Okänd", "HB", datetime(2024, 8, 20), "-Ny disk"],
        ]
        outcome = run(titled_xlsx(header, rows), register, name="lista.xlsx")
        data, _type, name = rejected_rows_file(outcome)
        assert name == "lista-avvisade.xlsx"
        sheet = load_workbook(io.BytesIO(data)).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == [*header, "Importfel"]
        # A cell a spreadsheet would run as a formula is written as text.
        assert values[1][:5] == ["HB-2", "Okänd", "HB", datetime(2024, 8, 20), "'-Ny disk"]
        assert len(values) == 2


class TestEncoding:
    def test_a_wrong_encoding_says_how_to_fix_it(self, register):
        content = csv_bytes([SV_HEADERS, sv_row("HB-1")], encoding="cp1252")
        with pytest.raises(ImportFileError) as caught:
            run(content, register, encoding="utf-8-sig")
        assert "UTF-8" in str(caught.value) and "Windows-1252" in str(caught.value)
        outcome = run(content, register, encoding="cp1252", commit=True)
        assert outcome.committed
        assert Asset.objects.get().location.name == "Plan 2 – vid vuxeninformationen"


def test_a_category_named_in_another_case_and_form_is_found(register):
    CategoryFactory(code="scanner", name_sv="Skanner", name_en="Scanner")
    rows = [["Inventarienummer", "Kategori", "Bibliotek"], ["HB-1", "SKANNER", "hb"]]
    outcome = run(csv_bytes(rows), register, commit=True)
    assert outcome.committed and Asset.objects.get().category.code == "scanner"


def test_an_update_is_counted_as_such(register, hb_floor2):
    LocationFactory(library=hb_floor2.library, name="Förråd IT")
    run(csv_bytes([SV_HEADERS, sv_row("HB-1")]), register, commit=True)
    outcome = run(csv_bytes([SV_HEADERS, sv_row("HB-1", location="Förråd IT")]), register)
    assert [row.kind for row in outcome.rows] == [UPDATE]
