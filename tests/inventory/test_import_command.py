"""`manage.py import_assets`: dry run, commit, row lines, the summary line, exit status."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import ngettext

from inventory.choices import ChangeSource
from inventory.history import records_for
from inventory.models import Asset, ChangeRecord, ImportMapping, Manufacturer
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def import_assets(path, *args):
    """Run the command; (exit status, printed lines)."""
    out = io.StringIO()
    try:
        call_command("import_assets", str(path), *args, stdout=out, stderr=io.StringIO())
        status = 0
    except CommandError as exc:
        status = exc.returncode
    return status, out.getvalue().splitlines()


@pytest.fixture
def good_file(tmp_path, register):
    path = tmp_path / "inventering.csv"
    path.write_bytes(csv_bytes([SV_HEADERS, sv_row("HB-1"), sv_row("HB-2")], encoding="cp1252"))
    return path


def test_without_commit_it_is_a_dry_run(good_file):
    status, lines = import_assets(good_file)
    assert status == 0
    assert lines[-1] == "2 new, 0 updated, 0 unchanged, 0 errors"
    assert not Asset.objects.exists()


def test_commit_writes_and_records_the_user(good_file, it_user):
    status, lines = import_assets(good_file, "--commit", "--user", "it")
    assert (status, lines[-1]) == (0, "2 new, 0 updated, 0 unchanged, 0 errors")
    record = records_for(Asset.objects.get(tag="HB-1")).get()
    assert (record.actor, record.source, record.source_detail) == (
        it_user,
        ChangeSource.IMPORT,
        "inventering.csv",
    )
    # A scheduled sync of the same file changes nothing.
    status, lines = import_assets(good_file, "--commit", "--user", "it")
    assert (status, lines[-1]) == (0, "0 new, 0 updated, 2 unchanged, 0 errors")
    assert ChangeRecord.objects.count() == 2


def test_row_errors_print_a_line_each_and_exit_1(tmp_path, register):
    path = tmp_path / "fel.csv"
    path.write_bytes(
        csv_bytes([SV_HEADERS, sv_row("HB-1"), sv_row("HB-2", price="-1"), sv_row("")])
    )
    status, lines = import_assets(path, "--commit")
    assert status == 1
    assert lines[-1] == "1 new, 0 updated, 0 unchanged, 2 errors"
    errors = [line for line in lines if "Inköpspris" in line or "Inventarienummer" in line]
    assert len(errors) == 2
    assert errors[0].startswith(("Row 3", "Rad 3")) and "Inköpspris (kr exkl. moms)" in errors[0]
    assert errors[1].startswith(("Row 4", "Rad 4"))
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tom.csv", b""),
        ("bild.png", b"\x89PNG\r\n"),
        ("bara-rubriker.csv", csv_bytes([SV_HEADERS])),
        ("utan-rubriker.csv", csv_bytes([sv_row("HB-1")])),
    ],
)
def test_a_file_it_cannot_read_exits_2(tmp_path, register, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    status, _lines = import_assets(path, "--commit")
    assert status == 2
    assert not Asset.objects.exists()


def test_a_missing_file_or_user_exits_2(tmp_path, good_file):
    assert import_assets(tmp_path / "finns-inte.csv")[0] == 2
    assert import_assets(good_file, "--user", "nobody")[0] == 2


def test_options_mapping_encoding_delimiter_and_create_missing(tmp_path, register):
    snipe = tmp_path / "snipe.csv"
    snipe.write_bytes(
        csv_bytes(
            [
                ["Asset Tag", "Category", "Location", "Status", "Manufacturer", "Model Name"],
                ["S-1", "Public workstation", "", "Deployed", "Framework", "Laptop 13"],
            ],
            delimiter=",",
            encoding="cp1252",
        )
    )
    status, lines = import_assets(snipe, "--mapping", "snipeit", "--commit")
    assert status == 1 and not Asset.objects.exists()
    status, lines = import_assets(
        snipe,
        "--mapping",
        "snipeit",
        "--encoding",
        "cp1252",
        "--delimiter",
        ",",
        "--create-missing",
        "--library",
        "HB",
        "--commit",
    )
    assert (status, lines[-1]) == (0, "1 new, 0 updated, 0 unchanged, 0 errors")
    assert Manufacturer.objects.filter(name="Framework").exists()
    assert Asset.objects.get(tag="S-1").status == "in_use"


def test_xlsx(tmp_path, register):
    path = tmp_path / "lista.xlsx"
    path.write_bytes(xlsx_bytes([SV_HEADERS, sv_row("HB-1", price=100)]))
    status, lines = import_assets(path, "--commit")
    assert (status, lines[-1]) == (0, "1 new, 0 updated, 0 unchanged, 0 errors")


class TestMigrationOptions:
    ROWS = [
        ["Inventarienummer", "Kategori", "Plats", "Status", "Serienummer"],
        ["X-1", "Desktop", "Rum 12", "Aktiv", "S1"],
        ["X-2", "Desktop", "Förråd IT", "", "S2"],
    ]

    def test_map_value_library_and_create_missing(self, tmp_path, register, hb_store):
        path = tmp_path / "glpi.csv"
        path.write_bytes(csv_bytes(self.ROWS))
        status, lines = import_assets(path, "--commit")
        assert status == 1 and not Asset.objects.exists()
        assert any("Desktop" in line and "--map-value" in line for line in lines)
        status, lines = import_assets(
            path,
            "--commit",
            "--library",
            "HB",
            "--create-missing",
            "--map-value",
            "Kategori:Desktop=Publik dator",
            "--map-value",
            "status:aktiv=I drift",
        )
        assert (status, lines[-1]) == (0, "2 new, 0 updated, 0 unchanged, 0 errors"), lines
        stored = {
            a.tag: (a.category.code, a.library.code, a.location.name, a.status)
            for a in Asset.objects.all()
        }
        assert stored == {
            "X-1": ("workstation", "HB", "Rum 12", "in_use"),
            "X-2": ("workstation", "HB", "Förråd IT", "in_stock"),
        }

    def test_a_mapping_file_and_a_saved_mapping(self, tmp_path, register, hb_store):
        path = tmp_path / "glpi.csv"
        path.write_bytes(csv_bytes(self.ROWS))
        mapping = tmp_path / "map.yaml"
        mapping.write_text(
            "library: HB\n"
            "create_missing: true\n"
            "values:\n"
            "  category: {Desktop: workstation}\n"
            "  status: {Aktiv: in_use}\n",
            encoding="utf-8",
        )
        status, lines = import_assets(path, "--mapping-file", str(mapping))
        assert (status, lines[-1]) == (0, "2 new, 0 updated, 0 unchanged, 0 errors"), lines
        ImportMapping.objects.create(
            name="GLPI Norr",
            options={
                "library": "HB",
                "create_missing": True,
                "values": {"category": {"Desktop": "workstation"}, "status": {"Aktiv": "in_use"}},
            },
        )
        status, lines = import_assets(path, "--saved-mapping", "GLPI Norr", "--commit")
        assert (status, lines[-1]) == (0, "2 new, 0 updated, 0 unchanged, 0 errors"), lines
        assert Asset.objects.count() == 2

    @pytest.mark.parametrize(
        "args",
        [
            ("--map-value", "category=Desktop"),
            ("--map-value", "serienummer:1=2"),
            ("--saved-mapping", "Finns inte"),
            ("--mapping-file", "/nonexistent/map.yaml"),
        ],
    )
    def test_options_that_cannot_be_used_exit_2(self, tmp_path, register, args):
        path = tmp_path / "a.csv"
        path.write_bytes(csv_bytes(self.ROWS))
        status, _lines = import_assets(path, *args)
        assert status == 2 and not Asset.objects.exists()

    def test_a_mapping_file_that_is_not_yaml(self, tmp_path, register):
        path = tmp_path / "a.csv"
        path.write_bytes(csv_bytes(self.ROWS))
        mapping = tmp_path / "map.yaml"
        mapping.write_text("values: [unclosed\n", encoding="utf-8")
        assert import_assets(path, "--mapping-file", str(mapping))[0] == 2

    def test_blank_clears_and_leave_out_errors(self, tmp_path, register):
        path = tmp_path / "a.csv"
        path.write_bytes(csv_bytes([SV_HEADERS, sv_row("HB-1"), sv_row("HB-2")]))
        assert import_assets(path, "--commit")[0] == 0
        path.write_bytes(
            csv_bytes([SV_HEADERS, sv_row("HB-1", serial=""), sv_row("HB-2", price="-1")])
        )
        status, lines = import_assets(path, "--commit", "--leave-out-errors")
        # one row (the file's row 3) is left out, said in the singular
        left_out = ngettext("Row left out: %(rows)s", "Rows left out: %(rows)s", 1) % {"rows": "3"}
        assert status == 0 and left_out in lines
        assert Asset.objects.get(tag="HB-1").serial_number == "SN-HB-1"
        status, lines = import_assets(path, "--commit", "--leave-out-errors", "--blank-clears")
        assert status == 0
        assert Asset.objects.get(tag="HB-1").serial_number == ""
        assert Asset.objects.get(tag="HB-2").purchase_price == Decimal("8495.50")
