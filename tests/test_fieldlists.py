"""One declaration per model of its fields (inventory.fieldlists, procurement.fieldlists).

Every model field is declared or listed as bookkeeping, and every place that lists the
fields takes them from the declaration: a field added to the model and not declared, or
declared and missing from a form's page, fails here.
"""

import re

import pytest
from django.urls import reverse

from inventory import services as inventory_services
from inventory.fieldlists import ASSET_FIELDS, FILE, FORM, FieldList
from inventory.forms import AssetForm
from inventory.imports.columns import ASSET_COLUMNS
from inventory.models import Asset
from procurement import services as procurement_services
from procurement.fieldlists import CASE_FIELDS, NEED
from procurement.forms import FIELDSETS, CaseCreateForm, CaseUpdateForm
from tests.factories import FeatureFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("declared", [ASSET_FIELDS, CASE_FIELDS], ids=["asset", "case"])
def test_every_model_field_is_declared_or_bookkeeping(declared):
    assert declared.problems() == []


def test_a_field_nobody_placed_is_named():
    without_notes = FieldList(
        Asset,
        [(name, ()) for name in ASSET_FIELDS.tracked if name != "notes"],
        stamps=ASSET_FIELDS.stamps,
        writes_with=ASSET_FIELDS.writes_with,
        untracked=ASSET_FIELDS.untracked,
    )
    assert without_notes.problems() == ["Asset.notes is neither declared nor bookkeeping"]


def test_a_name_the_model_lacks_is_named():
    typo = FieldList(Asset, [("nots", ())], untracked=[f.name for f in Asset._meta.fields])
    assert "Asset has no field 'nots'" in typo.problems()


def test_asset_lists_come_from_the_declaration():
    assert ASSET_FIELDS.names(FILE) == ASSET_COLUMNS
    assert ASSET_FIELDS.tracked == inventory_services.TRACKED_FIELDS
    # features are set on their own, beside the fields asset_update takes
    assert set(ASSET_FIELDS.names(FORM)) - {"features"} == inventory_services.EDITABLE_FIELDS
    new = AssetForm()
    assert set(new.fields) == {*ASSET_FIELDS.names(FORM), "status", "version"}
    # status and its details move through their own form, never the edit form
    assert not {"status", "loan_borrower", "disposed_on"} & set(ASSET_FIELDS.names(FORM))


def test_case_lists_come_from_the_declaration():
    assert CASE_FIELDS.tracked == procurement_services.TRACKED_FIELDS
    assert set(CASE_FIELDS.names(FORM)) == procurement_services.EDITABLE_FIELDS
    assert set(CASE_FIELDS.names(FORM, NEED)) == procurement_services.LIBRARY_FIELDS
    assert {"suppliers_asked"} == procurement_services.MANY_TO_MANY_FIELDS
    assert CaseCreateForm._meta.fields == ["library", *CASE_FIELDS.names(FORM, NEED)]
    assert tuple(CaseUpdateForm._meta.fields) == CASE_FIELDS.names(FORM)
    # the case pages show the form by its fieldsets: none may leave a field out
    shown = {name for _legend, names in FIELDSETS for name in names}
    assert {"library", *CASE_FIELDS.names(FORM)} <= shown


def _input_names(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))


def test_the_asset_page_shows_every_form_field(client_for, it_user, hb, workstation):
    FeatureFactory()  # the features' checkboxes show when there are features
    # The asset form's template names its fields one by one.
    page = client_for(it_user).get(reverse("inventory:asset_create"))
    assert page.status_code == 200
    missing = set(ASSET_FIELDS.names(FORM)) - _input_names(page.content.decode())
    assert missing == set()


def test_the_case_page_shows_every_form_field(client_for, chef, it_user, hb, make_case, suppliers):
    # (the suppliers asked show as checkboxes when there are suppliers)
    case = make_case(chef, hb)
    page = client_for(it_user).get(reverse("procurement:case_update", args=[case.url_reference]))
    assert page.status_code == 200
    missing = set(CASE_FIELDS.names(FORM)) - _input_names(page.content.decode())
    assert missing == set()
