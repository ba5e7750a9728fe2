"""The asset form and the case forms, posted random and hostile values.

Whatever is posted: no 500 and no other exception; a refused form writes nothing; any
markup that was posted and is shown back (on the form, or on the saved record's page) is
escaped; a saved asset's text leaves the export as text, never as a formula. Each example
is rolled back, so the examples do not see each other's records.
"""

import csv
import io

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.imports.cells import FORMULA_START
from inventory.models import Asset, ChangeRecord, MaintenanceEntry
from procurement.models import CaseLine, ProcurementCase, StageChange
from tests.factories import AssetFactory, FeatureFactory, ManufacturerFactory, ProductModelFactory
from tests.fuzz.strategies import FORM_EXAMPLES, assert_escaped, hostile_text

pytestmark = pytest.mark.django_db

WRITTEN = (Asset, ChangeRecord, MaintenanceEntry, ProcurementCase, CaseLine, StageChange)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def either(valid, *, many=False):
    """The valid value, or something hostile in its place (a list of them for a field
    that takes several)."""
    hostile = st.lists(hostile_text, max_size=3) if many else hostile_text
    return st.one_of(st.just(valid), hostile, st.just(""))


def posted(response_or_payload) -> list:
    return list(response_or_payload.values())


# --- the asset form ------------------------------------------------------------------------


@pytest.fixture
def register(it_user, client_for, hb_floor2, workstation, vr_kit):
    """What a valid asset is made of, and IT's client."""
    model = ProductModelFactory(manufacturer=ManufacturerFactory())
    kit = AssetFactory(
        tag="HB-VR-01", library=hb_floor2.library, location=hb_floor2, category=vr_kit
    )
    valid = {
        "tag": "HB-PC-99",
        "category": workstation.pk,
        "manufacturer": model.manufacturer_id,
        "model": model.pk,
        "serial_number": "PF3ABC",
        "library": hb_floor2.library_id,
        "location": hb_floor2.pk,
        "usage": "public",
        "hostname": "hb-pc-99",
        "it_reference": "INC-1",
        "features": [FeatureFactory().pk],
        "parent": kit.pk,
        "ownership": "owned",
        "lease_end": "",
        "trial_return_by": "",
        "purchase_date": "2026-01-15",
        "purchase_price": "8 495,00",
        "warranty_end": "2029-01-15",
        "replacement_due": "",
        "notes": "Vid informationsdisken.",
        "status": "in_use",
    }
    return client_for(it_user), valid


def _assert_saved_asset_is_safe(client, tag: str, payload: dict) -> None:
    page = client.get(f"/inventory/assets/{tag}/")
    assert page.status_code == 200
    assert_escaped(page.content.decode(), posted(payload))
    listed = client.get("/inventory/assets/", {"q": tag})
    assert listed.status_code == 200
    assert_escaped(listed.content.decode(), posted(payload))
    export = client.get("/inventory/assets/export/", {"q": tag, "format": "csv"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), f"a formula in the export: {cell!r}"


@settings(max_examples=FORM_EXAMPLES)
@given(data=st.data())
def test_the_asset_form_takes_anything(register, data):
    client, valid = register
    payload = data.draw(
        st.fixed_dictionaries(
            {name: either(value, many=name == "features") for name, value in valid.items()},
            optional={"version": hostile_text, "unexpected": hostile_text},
        ),
        label="posted",
    )
    editing = data.draw(st.booleans(), label="editing HB-VR-01")
    url = "/inventory/assets/HB-VR-01/edit/" if editing else "/inventory/assets/add/"
    with transaction.atomic():
        before = counts()
        response = client.post(url, payload)
        if response.status_code == 302:
            tag = response["Location"].rstrip("/").rsplit("/", 1)[-1]
            _assert_saved_asset_is_safe(client, tag, payload)
        else:
            assert response.status_code in (200, 409), response.status_code
            assert counts() == before, "a refused form wrote something"
            assert_escaped(response.content.decode(), posted(payload))
        transaction.set_rollback(True)


@settings(max_examples=FORM_EXAMPLES)
@given(
    tag=st.from_regex(r"[A-Z]{2}-[A-Z0-9]{1,10}", fullmatch=True),
    text=st.fixed_dictionaries(
        {
            "serial_number": hostile_text,
            "hostname": hostile_text,
            "it_reference": hostile_text,
            "notes": hostile_text,
        }
    ),
)
def test_hostile_text_in_a_valid_asset_is_kept_as_text(register, tag, text):
    client, valid = register
    payload = {**valid, "tag": tag, **text}
    with transaction.atomic():
        before = counts()
        response = client.post("/inventory/assets/add/", payload)
        if response.status_code == 302:
            _assert_saved_asset_is_safe(client, tag, payload)
        else:
            assert response.status_code == 200
            assert counts() == before
            assert_escaped(response.content.decode(), posted(payload))
        transaction.set_rollback(True)


# --- the case forms ------------------------------------------------------------------------


def _lines(category_pk) -> dict:
    data = {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-category": category_pk,
        "lines-0-description": "Publik dator",
        "lines-0-quantity": "8",
        "lines-0-estimated_unit_price": "9 995,50",
    }
    for index in (1, 2):
        for name in ("category", "description", "quantity", "estimated_unit_price"):
            data[f"lines-{index}-{name}"] = ""
    return data


@pytest.fixture
def opening(chef, client_for, ruleset, hb, workstation):
    valid = {
        "library": hb.pk,
        "title": "Nya publika datorer",
        "need": "Datorerna vid informationsdisken är för gamla.",
        "analysis": "Åtta platser.",
        "category": workstation.pk,
        "estimated_value": "80 000",
        "funding": "operating",
        "grant_name": "",
        "grant_spend_by": "",
        "expected_delivery": "2026-09-01",
        **_lines(workstation.pk),
    }
    return client_for(chef), valid


@settings(max_examples=FORM_EXAMPLES)
@given(data=st.data())
def test_the_case_form_takes_anything(opening, data):
    client, valid = opening
    payload = data.draw(
        st.fixed_dictionaries({name: either(value) for name, value in valid.items()}),
        label="posted",
    )
    with transaction.atomic():
        before = counts()
        response = client.post("/procurement/cases/add/", payload)
        if response.status_code == 302:
            page = client.get(response["Location"])
            assert page.status_code == 200
            assert_escaped(page.content.decode(), posted(payload))
        else:
            assert response.status_code == 400, response.status_code
            assert counts() == before, "a refused form wrote something"
            assert_escaped(response.content.decode(), posted(payload))
        transaction.set_rollback(True)


@pytest.fixture
def handled(it_user, chef, client_for, make_case, hb, suppliers, framework):
    case = make_case(chef, hb)
    page = client_for(it_user).get(f"/procurement/cases/{case.url_reference}/edit/")
    form = page.context["form"]
    valid = {name: form[name].value() for name in form.fields}
    valid = {name: "" if value is None else value for name, value in valid.items()}
    valid["suppliers_asked"] = [suppliers[0].pk]
    valid["handler"] = it_user.pk
    valid["framework_agreement"] = framework.pk
    return client_for(it_user), case, valid


@settings(max_examples=FORM_EXAMPLES)
@given(data=st.data())
def test_the_case_edit_form_takes_anything(handled, data):
    client, case, valid = handled
    payload = data.draw(
        st.fixed_dictionaries(
            {name: either(value, many=name == "suppliers_asked") for name, value in valid.items()}
        ),
        label="posted",
    )
    url = f"/procurement/cases/{case.url_reference}/edit/"
    with transaction.atomic():
        before = counts()
        response = client.post(url, payload)
        if response.status_code == 302:
            page = client.get(case.get_absolute_url())
            assert page.status_code == 200
            assert_escaped(page.content.decode(), posted(payload))
            for path in ("status-sheet.pdf", "direct-award.pdf"):
                sheet = client.get(f"/reports/cases/{case.url_reference}/{path}")
                assert sheet.status_code in (200, 404)
        else:
            assert response.status_code in (400, 409), response.status_code
            assert counts() == before, "a refused form wrote something"
            assert ProcurementCase.objects.get(pk=case.pk).version == case.version
            assert_escaped(response.content.decode(), posted(payload))
        transaction.set_rollback(True)
