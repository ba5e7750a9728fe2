"""Fault injection: an exception half-way through a user's action leaves nothing
half-written. Each test lets the real code run and breaks one real step in the middle."""

import pytest

from inventory import services
from inventory.imports import resource
from inventory.imports.service import assets_import
from inventory.models import Asset, ChangeRecord, Location, Manufacturer
from tests.factories import AssetFactory, LocationFactory
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row

pytestmark = pytest.mark.django_db


class Broken(RuntimeError):
    pass


def test_an_import_that_fails_while_writing_leaves_nothing(register, monkeypatch):
    real = resource.insert_rows

    def insert_then_fail(assets):
        real(assets)  # the rows are in the table now
        raise Broken("the disk is full")

    monkeypatch.setattr(resource, "insert_rows", insert_then_fail)
    rows = [SV_HEADERS, *(sv_row(f"HB-{n}", manufacturer="Nytt AB", model="X1") for n in range(30))]
    rows.append(sv_row("HB-99", location="Nytt rum"))
    outcome = assets_import(
        content=csv_bytes(rows),
        file_name="lista.csv",
        actor=register,
        commit=True,
        create_missing=True,
    )
    assert not outcome.committed and outcome.problems
    assert "the disk is full" in " ".join(outcome.problems)
    assert not Asset.objects.exists() and not ChangeRecord.objects.exists()
    # What "create missing" added on the way is gone too.
    assert not Manufacturer.objects.filter(name="Nytt AB").exists()
    assert not Location.objects.filter(name="Nytt rum").exists()


def test_an_import_update_that_fails_half_way_changes_no_asset(register, monkeypatch):
    assets_import(
        content=csv_bytes([SV_HEADERS, sv_row("HB-1"), sv_row("HB-2")]),
        file_name="lista.csv",
        actor=register,
        commit=True,
    )
    real = resource.update_rows

    def update_then_fail(assets, names):
        real(assets, names)
        raise Broken("the connection was lost")

    monkeypatch.setattr(resource, "update_rows", update_then_fail)
    outcome = assets_import(
        content=csv_bytes([SV_HEADERS, sv_row("HB-1", notes="ny"), sv_row("HB-2", notes="ny")]),
        file_name="lista.csv",
        actor=register,
        commit=True,
    )
    assert not outcome.committed
    assert set(Asset.objects.values_list("notes", flat=True)) == {""}
    assert set(Asset.objects.values_list("version", flat=True)) == {1}
    assert ChangeRecord.objects.count() == 2


def test_a_bulk_move_that_fails_while_recording_moves_nothing(it_user, hb_floor2, monkeypatch):
    store = LocationFactory(library=hb_floor2.library, name="Förråd IT")
    for n in range(3):
        AssetFactory(tag=f"HB-{n}", library=hb_floor2.library, location=hb_floor2)

    def fail(*args, **kwargs):
        raise Broken("history table locked")

    monkeypatch.setattr(services.ChangeRecord.objects, "bulk_create", fail)
    with pytest.raises(Broken):
        services.assets_bulk_move(assets=Asset.objects.all(), location=store, actor=it_user)
    monkeypatch.undo()
    assert set(Asset.objects.values_list("location__name", flat=True)) == {hb_floor2.name}
    assert set(Asset.objects.values_list("version", flat=True)) == {1}
