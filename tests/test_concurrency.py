"""Races between real threads on PostgreSQL, each starting from a state where the race
can happen: two users saving the same asset, moving the same case, numbering cases when
the year's counter already exists, and an import racing an edit. Nothing is lost
silently: one side wins, the other is told.

SQLite's in-memory test database cannot be shared by threads; CI runs these on
PostgreSQL.
"""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from inventory import roles
from inventory import services as inventory_services
from inventory.choices import ChangeAction
from inventory.imports.service import assets_import
from inventory.models import Asset, ChangeRecord
from procurement import services as procurement_services
from procurement.choices import Stage
from procurement.models import ProcurementCase
from tests.factories import AssetFactory, LibraryFactory, LocationFactory, make_role_user
from tests.inventory.import_files import csv_bytes

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(migration_data):
    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory test database cannot be shared by threads; CI runs this on PostgreSQL"
        )


def race(*actions):
    """Run the actions at the same moment, each in its own thread and connection; the
    result or the exception of each, in order."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def hb_asset(workstation):
    hb = LibraryFactory(code="HB", name="Stadsbiblioteket")
    place = LocationFactory(library=hb, name="Plan 2")
    return AssetFactory(tag="HB-PC-01", library=hb, location=place, category=workstation)


def test_two_users_saving_the_same_asset(hb_asset):
    it = make_role_user(roles.IT_STAFF, "it")
    other = make_role_user(roles.IT_STAFF, "it2")

    def save(actor, notes):
        return lambda: inventory_services.asset_update(
            asset=hb_asset, actor=actor, expected_version=hb_asset.version, data={"notes": notes}
        )

    outcomes = race(save(it, "Jonas"), save(other, "Lisa"))
    saved = [o for o in outcomes if isinstance(o, Asset)]
    refused = [o for o in outcomes if isinstance(o, inventory_services.ConcurrentEditError)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    stored = Asset.objects.get()
    assert stored.version == hb_asset.version + 1 and stored.notes == saved[0].notes
    changes = ChangeRecord.objects.filter(action=ChangeAction.CHANGED)
    assert [c.changes["notes"][1] for c in changes] == [saved[0].notes]


def test_an_import_racing_an_edit_loses_neither(hb_asset):
    it = make_role_user(roles.IT_STAFF, "it")
    content = csv_bytes([["Inventarienummer", "Serienummer"], ["HB-PC-01", "SN-IMPORT"]])

    def edit():
        return inventory_services.asset_update(
            asset=hb_asset, actor=it, expected_version=hb_asset.version, data={"notes": "Redigerad"}
        )

    def import_file():
        return assets_import(content=content, file_name="lista.csv", actor=it, commit=True)

    edited, imported = race(edit, import_file)
    assert imported.committed
    stored = Asset.objects.get()
    assert stored.serial_number == "SN-IMPORT"
    if isinstance(edited, Asset):
        # The edit came first; the import changed the asset on top of it.
        assert stored.notes == "Redigerad" and stored.version == hb_asset.version + 2
    else:
        # The import came first; the edit, made on the old version, was refused.
        assert isinstance(edited, inventory_services.ConcurrentEditError)
        assert stored.notes == "" and stored.version == hb_asset.version + 1
    changes = ChangeRecord.objects.filter(action=ChangeAction.CHANGED).count()
    assert changes == stored.version - hb_asset.version


def test_two_users_moving_the_same_case(ruleset, workstation):
    hb = LibraryFactory(code="HB", name="Stadsbiblioteket")
    chef = make_role_user(roles.LIBRARY_MANAGER, "chef", [hb])
    admin = make_role_user(roles.ADMINISTRATOR, "admin")
    case = procurement_services.case_create(
        actor=chef,
        library=hb,
        title="Skannrar",
        need="x",
        category=workstation,
        estimated_value=Decimal("20000"),
    )

    def move(actor, to_stage):
        return lambda: procurement_services.case_transition(
            case=case,
            to_stage=to_stage,
            actor=actor,
            expected_version=case.version,
            override_reason="test" if actor is admin else "",
        )

    moves_before = case.timeline.count()
    outcomes = race(move(chef, Stage.ANALYSIS), move(admin, Stage.CANCELLED))
    moved = [o for o in outcomes if isinstance(o, ProcurementCase)]
    assert len(moved) == 1, outcomes
    stored = ProcurementCase.objects.get()
    assert stored.stage == moved[0].stage and stored.version == case.version + 1
    assert stored.timeline.count() == moves_before + 1


def test_case_numbers_in_parallel_when_the_counter_exists(ruleset, workstation):
    hb = LibraryFactory(code="HB", name="Stadsbiblioteket")
    chef = make_role_user(roles.LIBRARY_MANAGER, "chef", [hb])

    def create():
        return procurement_services.case_create(
            actor=chef,
            library=hb,
            title="Samtidigt",
            need="x",
            category=workstation,
            estimated_value=Decimal("1000"),
        )

    create()  # the year's counter row now exists
    outcomes = race(create, create, create)
    assert all(isinstance(o, ProcurementCase) for o in outcomes), outcomes
    assert sorted(ProcurementCase.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
