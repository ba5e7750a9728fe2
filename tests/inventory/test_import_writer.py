"""The import's hand-written INSERT and UPDATE write every field of an asset.

The writer builds its statements from the model's fields; these tests give every concrete
field of Asset a value other than its default, write it, read the row back and compare.
A field the statements miss, or a type they pass to the database unprepared, fails here.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import models

from inventory.choices import AssetStatus, DisposalMethod, Ownership, Usage
from inventory.imports.writer import insert_rows, update_rows
from inventory.models import Asset
from tests.factories import (
    AssetFactory,
    LocationFactory,
    ManufacturerFactory,
    ProductModelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def _values(hb_floor2, workstation, it_user, *, tag: str, day: int) -> dict:
    """A value for every concrete field but the id and the timestamps the writer sets."""
    maker = ManufacturerFactory(name=f"Maker {tag}")
    parent = AssetFactory(tag=f"KIT-{tag}", category=workstation, library=hb_floor2.library)
    return {
        "tag": tag,
        "serial_number": f"SN-{tag}",
        "category": workstation,
        "manufacturer": maker,
        "model": ProductModelFactory(manufacturer=maker, name=f"Model {tag}"),
        "library": hb_floor2.library,
        "location": hb_floor2,
        "status": AssetStatus.RETIRED,
        "status_changed_at": MOMENT,
        "usage": Usage.STAFF,
        "ownership": Ownership.LEASED,
        "lease_end": date(2027, 1, day),
        "trial_return_by": date(2027, 2, day),
        "purchase_date": date(2024, 3, day),
        "purchase_price": Decimal("8495.50") + day,
        "warranty_end": date(2027, 4, day),
        "replacement_due": date(2029, 5, day),
        "replacement_due_manual": True,
        "hostname": f"host-{tag}".lower(),
        "it_reference": f"INC-{day}",
        "parent": parent,
        "notes": f"Notes of {tag}\nsecond line",
        "loan_borrower": f"Borrower {day}",
        "loan_due": date(2026, 12, day),
        "status_before_loan": AssetStatus.IN_USE,
        "disposed_on": date(2028, 6, day),
        "disposal_method": DisposalMethod.values[-1],
        "wipe_certificate": f"WIPE-{day}",
        "lendable": True,
        "last_seen_on": date(2026, 7, day),
        "last_seen_by": it_user,
        "created_by": it_user,
        "updated_by": UserFactory(username=f"u-{tag}"),
        "version": 7 + day,
    }


def _stored(asset: Asset) -> dict:
    row = Asset.objects.filter(pk=asset.pk).values().get()
    return {f.attname: row[f.attname] for f in Asset._meta.concrete_fields}


def _expected(values: dict) -> dict:
    out = {}
    for name, value in values.items():
        field = Asset._meta.get_field(name)
        out[field.attname] = value.pk if isinstance(value, models.Model) else value
    return out


def _given_fields() -> set[str]:
    written_by_writer = {"id", "created_at", "updated_at"}
    return {f.name for f in Asset._meta.concrete_fields} - written_by_writer


def test_every_field_has_a_value_in_this_test(hb_floor2, workstation, it_user):
    """When Asset gains a field, this test asks for a value for it: add one above."""
    values = _values(hb_floor2, workstation, it_user, tag="HB-9000", day=1)
    assert set(values) == _given_fields()
    defaults = {f.name: f.get_default() for f in Asset._meta.concrete_fields}
    assert [name for name, value in values.items() if value == defaults[name]] == []


def test_insert_writes_every_field(hb_floor2, workstation, it_user):
    values = _values(hb_floor2, workstation, it_user, tag="HB-9001", day=2)
    asset = Asset(**values)
    insert_rows([asset])
    assert asset.pk is not None
    stored = _stored(asset)
    for attname, value in _expected(values).items():
        assert stored[attname] == value, attname
    assert stored["created_at"] is not None and stored["updated_at"] is not None


def test_update_writes_every_field(hb_floor2, workstation, it_user):
    asset = Asset(**_values(hb_floor2, workstation, it_user, tag="HB-9002", day=3))
    insert_rows([asset])
    values = _values(hb_floor2, workstation, it_user, tag="HB-9003", day=4)
    for name, value in values.items():
        setattr(asset, name, value)
    update_rows([asset], sorted(values))
    stored = _stored(asset)
    for attname, value in _expected(values).items():
        assert stored[attname] == value, attname


def test_insert_of_many_rows_gives_each_its_own_id(hb_floor2, workstation, it_user):
    other = LocationFactory(library=hb_floor2.library, name="Magasinet")
    assets = [
        Asset(tag=f"HB-{n:04}", category=workstation, library=hb_floor2.library, location=other)
        for n in range(1200)
    ]
    insert_rows(assets)
    stored = dict(Asset.objects.filter(tag__startswith="HB-").values_list("tag", "pk"))
    assert {a.tag: a.pk for a in assets} == stored
