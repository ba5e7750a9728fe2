from datetime import date, timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from inventory.filters import AssetFilterSet
from inventory.selectors import asset_list
from tests.factories import AssetFactory, CategoryFactory, FeatureFactory, ProductModelFactory

pytestmark = pytest.mark.django_db


def tags(user, query: str) -> list[str]:
    request = RequestFactory().get("/inventory/assets/?" + query)
    request.user = user
    filterset = AssetFilterSet(request.GET, queryset=asset_list(user), request=request)
    assert filterset.is_valid(), filterset.errors
    return [asset.tag for asset in filterset.qs]


@pytest.fixture
def register(hb_floor2, hb_store, no_public, workstation):
    scanner = CategoryFactory(code="scanner", name_sv="Skanner", name_en="Scanner")
    reader = FeatureFactory()
    scanner_attached = FeatureFactory(
        code="scanner", name_sv="Skanner ansluten", name_en="Scanner attached"
    )
    today = timezone.localdate()
    rows = [
        {
            "tag": "HB-PC-01",
            "location": hb_floor2,
            "category": workstation,
            "hostname": "hb-pub-01",
            "warranty_end": today,
            "features": [reader, scanner_attached],
        },
        {
            "tag": "HB-PC-02",
            "location": hb_floor2,
            "category": workstation,
            "usage": "staff",
            "warranty_end": today + timedelta(days=30),
            "features": [reader],
        },
        {
            "tag": "HB-SC-01",
            "location": hb_store,
            "category": scanner,
            "serial_number": "X4-77",
            "status": "in_repair",
            "warranty_end": today + timedelta(days=31),
            "replacement_due": date(2027, 1, 1),
        },
        {
            "tag": "NO-PC-01",
            "location": no_public,
            "category": workstation,
            "model": ProductModelFactory(name="ThinkCentre M70q"),
            "warranty_end": today - timedelta(days=1),
            "replacement_due": date(2026, 12, 31),
        },
    ]
    for row in rows:
        features = row.pop("features", [])
        asset = AssetFactory(library=row["location"].library, **row)
        asset.features.set(features)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["HB-PC-01", "HB-PC-02", "HB-SC-01", "NO-PC-01"]),
        ("q=pc-0", ["HB-PC-01", "HB-PC-02", "NO-PC-01"]),
        ("q=hb-pub", ["HB-PC-01"]),
        ("q=x4-7", ["HB-SC-01"]),
        ("q=m70q", ["NO-PC-01"]),
        ("q=%20%20", ["HB-PC-01", "HB-PC-02", "HB-SC-01", "NO-PC-01"]),
        ("library=NO", ["NO-PC-01"]),
        ("library=HB&library=NO&category=scanner", ["HB-SC-01"]),
        ("status=in_repair", ["HB-SC-01"]),
        ("status=in_use&usage=staff", ["HB-PC-02"]),
        ("feature=screen_reader", ["HB-PC-01", "HB-PC-02"]),
        ("feature=screen_reader&feature=scanner", ["HB-PC-01"]),
        # Warranty within N days: today and today + N count; yesterday does not.
        ("warranty_within=0", ["HB-PC-01"]),
        ("warranty_within=30", ["HB-PC-01", "HB-PC-02"]),
        ("warranty_within=31", ["HB-PC-01", "HB-PC-02", "HB-SC-01"]),
        # Replacement due before a date: the date itself is not before it.
        ("replacement_before=2027-01-01", ["NO-PC-01"]),
        ("replacement_before=2027-01-02", ["HB-SC-01", "NO-PC-01"]),
        ("ordering=-tag", ["NO-PC-01", "HB-SC-01", "HB-PC-02", "HB-PC-01"]),
        ("ordering=warranty_end", ["NO-PC-01", "HB-PC-01", "HB-PC-02", "HB-SC-01"]),
    ],
)
def test_filters(register, it_user, query, expected):
    assert tags(it_user, query) == expected


def test_location_filter_offers_only_visible_places(register, chef, hb_store, no_public):
    request = RequestFactory().get("/")
    request.user = chef
    filterset = AssetFilterSet({}, queryset=asset_list(chef), request=request)
    offered = set(filterset.form.fields["location"].queryset)
    assert hb_store in offered and no_public not in offered
    assert [lib.code for lib in filterset.form.fields["library"].queryset] == ["HB"]


def test_chef_filter_never_widens_the_scope(register, chef):
    assert tags(chef, "") == ["HB-PC-01", "HB-PC-02", "HB-SC-01"]
    assert tags(chef, "q=NO-PC") == []


@pytest.mark.parametrize(
    "query",
    ["warranty_within=-1", "warranty_within=abc", "replacement_before=2026-02-30", "status=broken"],
)
def test_bad_filter_values_are_form_errors(register, it_user, query):
    request = RequestFactory().get("/?" + query)
    request.user = it_user
    filterset = AssetFilterSet(request.GET, queryset=asset_list(it_user), request=request)
    assert not filterset.is_valid()


def test_bad_filter_is_shown_not_a_500(register, it_user, client_for):
    response = client_for(it_user).get("/inventory/assets/?replacement_before=2026-02-30")
    assert response.status_code == 200
    assert "Några filter kunde inte användas" in response.content.decode()
