from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inventory.history import records_for
from inventory.models import Asset, MaintenanceEntry
from tests.factories import AssetFactory, FeatureFactory

pytestmark = pytest.mark.django_db
NB = "\xa0"


def asset_form_data(asset=None, **overrides):
    data = {
        "tag": "HB-PC-20",
        "category": "",
        "library": "",
        "location": "",
        "usage": "public",
        "ownership": "owned",
        "status": "in_use",
        "purchase_price": "8 495,00",
        "purchase_date": "2026-01-15",
        "notes": "",
    }
    if asset is not None:
        data.update(
            tag=asset.tag,
            category=asset.category_id,
            library=asset.library_id,
            location=asset.location_id or "",
            version=asset.version,
        )
        data.pop("status")
    data.update(overrides)
    return data


class TestCreate:
    def test_it_creates_an_asset_with_swedish_amount(
        self, client_for, it_user, hb_floor2, workstation
    ):
        response = client_for(it_user).post(
            "/inventory/assets/add/",
            asset_form_data(
                category=workstation.pk,
                library=hb_floor2.library_id,
                location=hb_floor2.pk,
                features=[FeatureFactory().pk],
            ),
        )
        assert response.status_code == 302
        assert response["Location"] == "/inventory/assets/HB-PC-20/"
        asset = Asset.objects.get(tag="HB-PC-20")
        assert asset.purchase_price == Decimal("8495.00")
        assert asset.replacement_due == date(2030, 1, 15)
        assert [f.code for f in asset.features.all()] == ["screen_reader"]
        assert records_for(asset).get().actor == it_user

    def test_refused_form_keeps_what_was_typed_and_names_the_fields(
        self, client_for, it_user, hb_floor2, no_public, workstation
    ):
        response = client_for(it_user).post(
            "/inventory/assets/add/",
            asset_form_data(
                category=workstation.pk,
                library=hb_floor2.library_id,
                location=no_public.pk,
                purchase_price="-5",
                hostname="hb-pub-20",
                notes="Vid fönstret",
            ),
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert "location" in form.errors
        assert "purchase_price" in form.errors
        html = response.content.decode()
        assert 'value="hb-pub-20"' in html
        assert "Vid fönstret" in html
        assert 'class="error-summary"' in html
        assert 'href="#id_purchase_price"' in html
        assert not Asset.objects.exists()

    def test_duplicate_tag_is_an_error_on_the_tag(self, client_for, it_user, hb_asset):
        response = client_for(it_user).post(
            "/inventory/assets/add/",
            asset_form_data(
                tag="HB-PC-01",
                category=hb_asset.category_id,
                library=hb_asset.library_id,
                location=hb_asset.location_id,
            ),
        )
        assert response.status_code == 200
        assert "tag" in response.context["form"].errors

    def test_unparseable_amount(self, client_for, it_user, hb_floor2, workstation):
        response = client_for(it_user).post(
            "/inventory/assets/add/",
            asset_form_data(
                category=workstation.pk, library=hb_floor2.library_id, purchase_price="åtta tusen"
            ),
        )
        assert "8 495,50" in response.context["form"].errors["purchase_price"][0]


class TestEdit:
    def test_edit_records_history_shown_on_the_asset_page(
        self, client_for, it_user, hb_asset, hb_store
    ):
        client = client_for(it_user)
        page = client.get(f"/inventory/assets/{hb_asset.tag}/edit/")
        assert 'value="8495,00"' in page.content.decode()
        response = client.post(
            f"/inventory/assets/{hb_asset.tag}/edit/",
            asset_form_data(
                hb_asset, location=hb_store.pk, purchase_price="8495,00", hostname="HB-PUB-01"
            ),
        )
        assert response.status_code == 302
        detail = client.get(f"/inventory/assets/{hb_asset.tag}/").content.decode()
        assert "Förråd IT" in detail
        assert "hb-pub-01" in detail
        entry = records_for(hb_asset).get()
        assert set(entry.changes) == {"location", "hostname", "purchase_date", "replacement_due"}

    def test_second_save_is_refused_and_keeps_the_users_input(
        self, client_for, it_user, hb_asset, hb_store
    ):
        other_it = type(it_user).objects.create_user("it2", first_name="Per", last_name="Ås")
        other_it.groups.set(it_user.groups.all())
        first, second = client_for(it_user), client_for(other_it)
        loaded = asset_form_data(hb_asset)
        assert (
            first.post(
                f"/inventory/assets/{hb_asset.tag}/edit/", {**loaded, "notes": "Första ändringen"}
            ).status_code
            == 302
        )
        response = second.post(
            f"/inventory/assets/{hb_asset.tag}/edit/", {**loaded, "notes": "Andra ändringen"}
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "Test It" in html  # who saved first
        assert "Andra ändringen" in html  # nothing the second user typed is lost
        hb_asset.refresh_from_db()
        assert hb_asset.notes == "Första ändringen"
        assert hb_asset.version == 2
        # Saving again after reading the message is a deliberate choice and goes through.
        again = second.post(
            f"/inventory/assets/{hb_asset.tag}/edit/",
            {**loaded, "version": 2, "notes": "Andra ändringen"},
        )
        assert again.status_code == 302
        hb_asset.refresh_from_db()
        assert hb_asset.notes == "Andra ändringen"


class TestStatusAndMaintenance:
    def test_status_change_form_offers_only_allowed_moves(self, client_for, it_user, hb_asset):
        page = client_for(it_user).get(f"/inventory/assets/{hb_asset.tag}/status/")
        choices = [c for c, _ in page.context["form"].fields["to_status"].choices]
        assert choices == ["in_stock", "in_repair", "on_loan", "retired"]

    def test_refused_move_says_why(self, client_for, it_user, hb_asset):
        response = client_for(it_user).post(
            f"/inventory/assets/{hb_asset.tag}/status/",
            {"to_status": "on_loan", "version": 1, "borrower": ""},
        )
        assert response.status_code == 200
        assert "Ange vem som lånar" in response.content.decode()
        hb_asset.refresh_from_db()
        assert hb_asset.status == "in_use"

    def test_loan(self, client_for, it_user, hb_asset):
        due = timezone.localdate() + timedelta(days=14)
        response = client_for(it_user).post(
            f"/inventory/assets/{hb_asset.tag}/status/",
            {
                "to_status": "on_loan",
                "version": 1,
                "borrower": "Vuxenskolan",
                "loan_due": due.isoformat(),
                "comment": "Kurs i e-legitimation",
            },
        )
        assert response.status_code == 302
        hb_asset.refresh_from_db()
        assert (hb_asset.status, hb_asset.loan_borrower, hb_asset.loan_due) == (
            "on_loan",
            "Vuxenskolan",
            due,
        )
        assert records_for(hb_asset).get().comment == "Kurs i e-legitimation"

    def test_maintenance_is_logged_and_shown(self, client_for, it_user, hb_asset):
        client = client_for(it_user)
        response = client.post(
            f"/inventory/assets/{hb_asset.tag}/maintenance/add/",
            {
                "date": "2026-11-02",
                "kind": "repair",
                "description": "Bytt nätaggregat",
                "cost": "1 290,00",
                "performed_by": "Atea",
            },
        )
        assert response.status_code == 302
        entry = MaintenanceEntry.objects.get()
        assert (entry.cost, entry.created_by) == (Decimal("1290.00"), it_user)
        html = client.get(f"/inventory/assets/{hb_asset.tag}/").content.decode()
        assert "Bytt nätaggregat" in html
        assert f"1{NB}290,00{NB}kr" in html

    def test_future_maintenance_date_refused(self, client_for, it_user, hb_asset):
        tomorrow = timezone.localdate() + timedelta(days=1)
        response = client_for(it_user).post(
            f"/inventory/assets/{hb_asset.tag}/maintenance/add/",
            {"date": tomorrow.isoformat(), "kind": "repair", "description": "x"},
        )
        assert "date" in response.context["form"].errors


class TestBulkView:
    def test_bulk_move_from_the_list(self, client_for, it_user, hb_floor2, hb_store, workstation):
        a = AssetFactory(
            tag="A-1", library=hb_floor2.library, location=hb_floor2, category=workstation
        )
        b = AssetFactory(
            tag="A-2", library=hb_floor2.library, location=hb_floor2, category=workstation
        )
        response = client_for(it_user).post(
            reverse("inventory:asset_bulk"),
            {
                "assets": ["A-1", "A-2"],
                "action": "move",
                "location": hb_store.pk,
                "next": "/inventory/assets/?q=A-",
            },
        )
        assert response.status_code == 302
        assert response["Location"] == "/inventory/assets/?q=A-"
        assert {x.location for x in Asset.objects.filter(pk__in=[a.pk, b.pk])} == {hb_store}

    def test_bulk_refusal_changes_nothing_and_says_which(
        self, client_for, it_user, hb_floor2, workstation
    ):
        AssetFactory(
            tag="A-1",
            library=hb_floor2.library,
            location=hb_floor2,
            category=workstation,
            status="in_use",
        )
        AssetFactory(
            tag="A-2",
            library=hb_floor2.library,
            location=hb_floor2,
            category=workstation,
            status="ordered",
        )
        client = client_for(it_user)
        response = client.post(
            reverse("inventory:asset_bulk"),
            {"assets": ["A-1", "A-2"], "action": "status", "to_status": "in_repair"},
            follow=True,
        )
        messages = [str(m) for m in response.context["messages"]]
        assert any("A-2" in m for m in messages)
        assert set(Asset.objects.values_list("status", flat=True)) == {"in_use", "ordered"}

    def test_bulk_ignores_next_to_another_host(self, client_for, it_user, hb_asset, hb_store):
        response = client_for(it_user).post(
            reverse("inventory:asset_bulk"),
            {
                "assets": [hb_asset.tag],
                "action": "move",
                "location": hb_store.pk,
                "next": "https://evil.example/",
            },
        )
        assert response["Location"] == "/inventory/assets/"

    def test_bulk_cannot_reach_invisible_assets(self, client_for, it_user, chef, hb_asset):
        # IT has the permission; an unknown tag is an error and nothing changes.
        response = client_for(it_user).post(
            reverse("inventory:asset_bulk"),
            {"assets": ["HB-PC-01", "NOPE"], "action": "status", "to_status": "in_repair"},
            follow=True,
        )
        assert response.status_code == 200
        hb_asset.refresh_from_db()
        assert hb_asset.status == "in_use"


class TestList:
    def test_constant_queries_whatever_the_page_size(
        self, client_for, it_user, hb_floor2, workstation, django_assert_num_queries
    ):
        features = [
            FeatureFactory(),
            FeatureFactory(code="headphones", name_sv="Hörlurar", name_en="Headphones"),
        ]
        for n in range(120):
            asset = AssetFactory(
                tag=f"A-{n:03}", library=hb_floor2.library, location=hb_floor2, category=workstation
            )
            asset.features.set(features)
        client = client_for(it_user)
        client.get("/inventory/assets/?per_page=25")  # warm caches (content types, session)

        def count(url):
            from django.core.cache import cache
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            cache.clear()  # each page counted cold: the cached figures would hide the reads
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            return len(ctx)

        assert count("/inventory/assets/?per_page=25") == count("/inventory/assets/?per_page=200")
        filters = "q=A-&status=in_use&feature=headphones&category=workstation&library=HB"
        assert count(f"/inventory/assets/?per_page=25&{filters}") == count(
            f"/inventory/assets/?per_page=200&{filters}"
        )
        # Cold: session, user, permissions, the data version, the filters' options, count,
        # the page's keys, its rows, their features.
        assert count("/inventory/assets/?per_page=200") <= 14

    def test_sorting_and_pagination(self, client_for, it_user, hb_floor2, workstation):
        for n, warranty in enumerate([date(2027, 1, 1), date(2026, 1, 1), date(2028, 1, 1)]):
            AssetFactory(
                tag=f"A-{n}",
                library=hb_floor2.library,
                location=hb_floor2,
                category=workstation,
                warranty_end=warranty,
            )
        client = client_for(it_user)
        response = client.get("/inventory/assets/?ordering=-warranty_end")
        assert [a.tag for a in response.context["assets"]] == ["A-2", "A-0", "A-1"]
        assert 'aria-sort="descending"' in response.content.decode()
        page2 = client.get("/inventory/assets/?ordering=tag&per_page=25&page=2")
        assert page2.status_code == 404  # only one page
        bad = client.get("/inventory/assets/?per_page=7")
        assert bad.context["paginator"].per_page == 50

    def test_english_ui(self, it_user, hb_asset):
        client = Client()
        client.force_login(it_user)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        html = client.get("/inventory/assets/").content.decode()
        assert '<html lang="en">' in html
        assert "Equipment" in html
        it_user.profile.refresh_from_db()
        assert it_user.profile.language == "en"

    def test_swedish_is_default_whatever_the_browser_says(self, client_for, it_user, hb_asset):
        html = (
            client_for(it_user)
            .get("/inventory/assets/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
            .content.decode()
        )
        assert '<html lang="sv">' in html
        assert "Utrustning" in html
