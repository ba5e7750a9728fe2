"""The export: the filtered list as CSV or XLSX, formulas shown as text, and the round trip
back through the import."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl.utils import get_column_letter

from inventory import services
from inventory.choices import AssetStatus, Ownership
from inventory.imports.columns import ASSET_COLUMNS, column_label
from inventory.imports.export import MAX_WIDTH, MIN_WIDTH, assets_export
from inventory.imports.service import UNCHANGED, assets_import
from inventory.models import Asset, ChangeRecord, Feature, ProductModel
from tests.factories import AssetFactory, ProductModelFactory
from tests.inventory.import_files import read_csv, read_xlsx

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+2", "+46 8 123", "-5 kr", "@SUM(A1)", "\tTAB", "\rCR"]
# What a form or an import can store: they trim, as forms do, so no value starts with a
# tab or a carriage return; those are exported safely all the same (see FORMULAS).
TYPED = ["=1+2", "+46 8 123", "-5 kr", "@SUM(A1)", "Rad\tmed tab"]


@pytest.fixture
def assets(register, hb_floor2, hb_store, no_public, workstation, vr_kit):
    """A register with what makes a round trip hard: features, a kit and its part, a
    lease, a replacement date set by hand, amounts, statuses moved by the services."""
    model = ProductModel.objects.get(name="ThinkCentre M70q")
    kit = services.asset_create(
        actor=register,
        tag="HB-VR-01",
        category=vr_kit,
        library=hb_floor2.library,
        location=hb_floor2,
        purchase_price=Decimal("24990.00"),
        purchase_date=date(2025, 5, 2),
    )
    services.asset_create(
        actor=register,
        tag="HB-VR-02",
        category=workstation,
        library=hb_floor2.library,
        parent=kit,
        notes="Del av VR-kitet",
    )
    pc = services.asset_create(
        actor=register,
        tag="HB-PC-01",
        category=workstation,
        library=hb_floor2.library,
        location=hb_floor2,
        model=model,
        serial_number="PF3A",
        hostname="hb-pub-01",
        it_reference="INC0001",
        purchase_price=Decimal("8495.50"),
        purchase_date=date(2026, 1, 15),
        warranty_end=date(2029, 1, 15),
        replacement_due=date(2031, 6, 1),
        notes="Rad ett\nRad två",
        status=AssetStatus.IN_USE,
        features=Feature.objects.all(),
    )
    services.asset_change_status(asset=pc, to_status=AssetStatus.IN_REPAIR, actor=register)
    services.asset_create(
        actor=register,
        tag="HB-PC-02",
        category=workstation,
        library=hb_store.library,
        location=hb_store,
        ownership=Ownership.LEASED,
        lease_end=date(2027, 12, 31),
        status=AssetStatus.ORDERED,
    )
    for n, text in enumerate(TYPED):
        services.asset_create(
            actor=register,
            tag=f"HB-T-{n}",
            category=workstation,
            library=hb_store.library,
            notes=text,
            hostname=text.lower(),
            serial_number=text,
        )
    services.asset_create(
        actor=register,
        tag="NO-PC-01",
        category=workstation,
        library=no_public.library,
        location=no_public,
        purchase_price=Decimal("7000"),
    )
    return Asset.objects.all()


@pytest.fixture
def formulas(assets, hb_store, workstation):
    """Values that start with each character a spreadsheet runs, written past the forms."""
    for n, text in enumerate(FORMULAS):
        AssetFactory(
            tag=f"HB-F-{n}",
            category=workstation,
            library=hb_store.library,
            location=hb_store,
            notes=text,
            serial_number=text,
        )
    return Asset.objects.all()


def by_tag(rows, headers):
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}


def column_widths(sheet) -> dict[str, float]:
    """Each column's width by key; one <col> element of the file may cover several."""
    widths = {}
    for dimension in sheet.column_dimensions.values():
        for index in range(dimension.min, dimension.max + 1):
            widths[ASSET_COLUMNS[index - 1]] = dimension.width
    return widths


class TestCsv:
    def test_semicolons_bom_swedish_headers_and_swedish_amounts(self, assets):
        rows = read_csv(assets_export(assets=assets, file_format="csv"))
        assert rows[0] == [column_label(key) for key in ASSET_COLUMNS]
        assert rows[0][:3] == ["Inventarienummer", "Kategori", "Tillverkare"]
        table = by_tag(rows, ASSET_COLUMNS)
        assert len(table) == Asset.objects.count()
        pc = table["HB-PC-01"]
        assert pc["purchase_price"] == "8495,50"
        assert pc["purchase_date"] == "2026-01-15"
        assert pc["status"] == "På service"
        assert pc["library"] == "HB"
        assert pc["features"] == "Hörlurar, Skärmläsare"
        assert pc["notes"] == "Rad ett\nRad två"
        assert table["HB-VR-02"]["parent"] == "HB-VR-01"

    def test_english_headers_in_english(self, assets):
        with translation.override("en"):
            rows = read_csv(assets_export(assets=assets, file_format="csv"))
        assert rows[0][:3] == ["Asset tag", "Category", "Manufacturer"]
        assert by_tag(rows, ASSET_COLUMNS)["HB-PC-01"]["status"] == "In repair"

    @pytest.mark.parametrize("text", FORMULAS)
    def test_a_formula_is_written_as_text(self, formulas, text):
        rows = read_csv(assets_export(assets=formulas, file_format="csv"))
        row = by_tag(rows, ASSET_COLUMNS)[f"HB-F-{FORMULAS.index(text)}"]
        assert row["notes"] == "'" + text
        assert row["serial_number"] == "'" + text
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


class TestXlsx:
    def test_numbers_stay_numbers_and_dates_dates(self, assets):
        sheet = read_xlsx(assets_export(assets=assets, file_format="xlsx"))
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert rows[0] == [column_label(key) for key in ASSET_COLUMNS]
        pc = by_tag(rows, ASSET_COLUMNS)["HB-PC-01"]
        assert pc["purchase_price"] == 8495.5
        assert pc["purchase_date"].date() == date(2026, 1, 15)
        assert pc["location"] == "Plan 2 – vid vuxeninformationen"

    @pytest.mark.parametrize("text", FORMULAS)
    def test_a_formula_is_a_text_cell_with_the_quote_prefix(self, formulas, text):
        sheet = read_xlsx(assets_export(assets=formulas, file_format="xlsx"))
        notes_column = ASSET_COLUMNS.index("notes")
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == f"HB-F-{FORMULAS.index(text)}":
                cell = row[notes_column]
                # XML turns a carriage return into a line feed; the text is the same.
                assert cell.value == text.replace("\r", "\n")
                assert cell.data_type == "s"
                assert cell.quotePrefix
                break
        else:
            pytest.fail("row not exported")
        # No cell anywhere holds a formula.
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


class TestXlsxLayout:
    LONG_MODEL = "ThinkCentre M70q Gen 5 Tiny med VESA-fäste"

    def test_a_bold_frozen_header_and_an_autofilter_over_every_row(self, assets):
        sheet = read_xlsx(assets_export(assets=assets, file_format="xlsx"))
        last_column = get_column_letter(len(ASSET_COLUMNS))
        assert sheet.auto_filter.ref == f"A1:{last_column}{Asset.objects.count() + 1}"
        assert sheet.max_row == Asset.objects.count() + 1
        assert sheet.freeze_panes == "A2"
        assert [cell.font.b for cell in sheet[1]] == [True] * len(ASSET_COLUMNS)
        assert not any(cell.font.b for row in sheet.iter_rows(min_row=2) for cell in row)

    def test_an_empty_export_filters_the_header(self):
        sheet = read_xlsx(assets_export(assets=Asset.objects.none(), file_format="xlsx"))
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(ASSET_COLUMNS))}1"
        assert sheet.freeze_panes == "A2"
        assert set(column_widths(sheet)) == set(ASSET_COLUMNS)

    def test_each_column_as_wide_as_its_content_within_bounds(self, assets, hb_store, workstation):
        model = ProductModelFactory(
            manufacturer=ProductModel.objects.get(name="ThinkCentre M70q").manufacturer,
            name=self.LONG_MODEL,
        )
        AssetFactory(
            tag="HB-LONG",
            category=workstation,
            library=hb_store.library,
            location=hb_store,
            model=model,
            notes="Lång anteckning " * 20 + "\nkort rad",
        )
        sheet = read_xlsx(assets_export(assets=Asset.objects.all(), file_format="xlsx"))
        widths = column_widths(sheet)
        assert set(widths) == set(ASSET_COLUMNS)
        # Excel's width counts characters; the file adds a few pixels of cell padding.
        assert all(MIN_WIDTH <= width < MAX_WIDTH + 1 for width in widths.values()), widths
        assert widths["model"] >= len(self.LONG_MODEL)
        assert widths["model"] > widths["library"] + 20
        # The 320 characters of notes are capped, the widest column of all.
        assert widths["notes"] == max(widths.values()) >= MAX_WIDTH
        # A column of short values is as wide as its header.
        price = column_label("purchase_price")
        assert len(price) > 20 and widths["purchase_price"] >= len(price)
        assert widths["library"] < len(column_label("library")) + 6


class TestRoundTrip:
    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    @pytest.mark.parametrize("language", ["sv", "en"])
    def test_an_export_imports_back_unchanged(self, assets, register, file_format, language):
        versions = dict(Asset.objects.values_list("tag", "version"))
        history = ChangeRecord.objects.count()
        with translation.override(language):
            content = assets_export(assets=assets, file_format=file_format)
            outcome = assets_import(
                content=content, file_name=f"export.{file_format}", actor=register, commit=True
            )
        assert not outcome.has_errors, [(r.number, r.errors) for r in outcome.error_rows]
        assert {row.kind for row in outcome.rows} == {UNCHANGED}, [
            (r.tag, r.changes) for r in outcome.rows if r.changes
        ]
        assert len(outcome.rows) == Asset.objects.count()
        assert outcome.columns.ignored == []
        assert ChangeRecord.objects.count() == history
        assert dict(Asset.objects.values_list("tag", "version")) == versions

    def test_an_edited_export_updates_only_what_was_edited(self, assets, register):
        rows = read_csv(assets_export(assets=assets, file_format="csv"))
        price = ASSET_COLUMNS.index("purchase_price")
        for row in rows:
            if row[0] == "HB-PC-01":
                row[price] = "7 990,00"
        content = "\r\n".join(";".join(f'"{v}"' for v in row) for row in rows)
        outcome = assets_import(
            content=content.encode("utf-8-sig"), file_name="ändrad.csv", actor=register, commit=True
        )
        assert outcome.summary() == f"0 new, 1 updated, {len(rows) - 2} unchanged, 0 errors"
        assert Asset.objects.get(tag="HB-PC-01").purchase_price == Decimal("7990.00")


class TestExportView:
    def test_exports_exactly_the_filtered_list(self, assets, client_for, it_user):
        response = client_for(it_user).get(
            "/inventory/assets/export/?format=csv&status=in_repair&status=ordered&ordering=-tag"
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
        rows = read_csv(response.content)
        assert [row[0] for row in rows[1:]] == ["HB-PC-02", "HB-PC-01"]

    def test_xlsx_of_a_search(self, assets, client_for, strateg):
        response = client_for(strateg).get("/inventory/assets/export/?format=xlsx&q=HB-VR")
        sheet = read_xlsx(response.content)
        assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["HB-VR-01", "HB-VR-02"]

    def test_a_library_manager_exports_only_own_libraries(self, assets, client_for, chef):
        client = client_for(chef)
        rows = read_csv(client.get("/inventory/assets/export/?format=csv").content)
        tags = {row[0] for row in rows[1:]}
        assert "NO-PC-01" not in tags and "HB-PC-01" in tags
        assert tags == set(Asset.objects.filter(library__code="HB").values_list("tag", flat=True))
        # Asking for another library is a filter error: no rows, as on the list page.
        rows = read_csv(client.get("/inventory/assets/export/?format=csv&library=NO").content)
        assert rows[1:] == []

    def test_links_on_the_list_carry_the_filters(self, assets, client_for, it_user, chef):
        page = client_for(it_user).get("/inventory/assets/?status=in_use&page=1").content.decode()
        assert 'href="/inventory/assets/export/?status=in_use&amp;format=csv"' in page
        assert 'href="/inventory/assets/export/?status=in_use&amp;format=xlsx"' in page
        assert 'href="/inventory/import/"' in page
        # The library manager may export but not import.
        page = client_for(chef).get("/inventory/assets/").content.decode()
        assert "/inventory/assets/export/" in page and "/inventory/import/" not in page

    def test_anonymous_and_unknown_format(self, assets, client, client_for, it_user):
        response = client.get("/inventory/assets/export/?format=csv")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client_for(it_user).get("/inventory/assets/export/?format=pdf").status_code == 404


class TestExportCommand:
    def test_writes_a_library_and_status_to_a_file(self, assets, tmp_path):
        output = tmp_path / "hb.xlsx"
        out = io.StringIO()
        call_command(
            "export_assets",
            "--format",
            "xlsx",
            "--output",
            str(output),
            "--library",
            "HB",
            "--status",
            "in_repair",
            "--status",
            "ordered",
            stdout=out,
        )
        sheet = read_xlsx(output.read_bytes())
        assert sorted(row[0].value for row in sheet.iter_rows(min_row=2)) == [
            "HB-PC-01",
            "HB-PC-02",
        ]
        assert "2" in out.getvalue()

    def test_csv_of_everything_and_an_unknown_library(self, assets, tmp_path):
        output = tmp_path / "alla.csv"
        call_command("export_assets", "--output", str(output), stdout=io.StringIO())
        assert len(read_csv(output.read_bytes())) == Asset.objects.count() + 1
        with pytest.raises(CommandError, match="XX"):
            call_command("export_assets", "--output", str(output), "--library", "XX")
