"""Moving assets to another library: only IT and administrators, and in bulk only after
the user has confirmed which assets change library. Every move is in the history."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from inventory import services
from inventory.choices import ChangeAction, ChangeSource
from inventory.forms import AssetForm, BulkActionForm
from inventory.history import records_for
from inventory.models import Asset, ChangeRecord
from tests.factories import AssetFactory, LocationFactory

pytestmark = pytest.mark.django_db

BULK = reverse("inventory:asset_bulk")


@pytest.fixture
def two_hb_assets(hb_floor2, workstation):
    return [
        AssetFactory(tag=tag, library=hb_floor2.library, location=hb_floor2, category=workstation)
        for tag in ("HB-PC-11", "HB-PC-12")
    ]


@pytest.fixture
def chef_of_two(chef, no):
    """A library manager of HB and NO who has been given IT's editing permissions: the
    rule must hold even then."""
    chef.profile.libraries.add(no)
    chef.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="inventory",
            codename__in=["change_asset", "change_asset_status", "bulk_change_asset"],
        )
    )
    return User.objects.get(pk=chef.pk)  # without the cached permissions and libraries


def state(tags):
    """(tag, library code, location name, version) of each asset, from the database."""
    return [
        (a.tag, a.library.code, a.location.name if a.location else None, a.version)
        for a in Asset.objects.filter(tag__in=tags).select_related("library", "location")
    ]


def move_data(tags, location, **extra):
    return {"assets": tags, "action": "move", "location": location.pk, **extra}


class TestBulkMoveService:
    def test_unconfirmed_move_to_another_library_writes_nothing(
        self, it_user, two_hb_assets, no_public
    ):
        no_store = LocationFactory(library=no_public.library, name="Förråd")
        AssetFactory(tag="NO-PC-11", library=no_public.library, location=no_store)
        tags = ["HB-PC-11", "HB-PC-12", "NO-PC-11"]
        before = state(tags)
        with pytest.raises(services.LibraryChangeNotConfirmed) as refused:
            services.assets_bulk_move(
                assets=Asset.objects.filter(tag__in=tags), location=no_public, actor=it_user
            )
        # The asset already in NO's library changes only its place: not listed.
        assert [(c.tag, c.from_library.code, c.to_library.code) for c in refused.value.changes] == [
            ("HB-PC-11", "HB", "NO"),
            ("HB-PC-12", "HB", "NO"),
        ]
        assert state(tags) == before
        assert not ChangeRecord.objects.exists()

    def test_a_confirmation_must_cover_every_asset_that_changes_library(
        self, it_user, two_hb_assets, no_public
    ):
        before = state(["HB-PC-11", "HB-PC-12"])
        with pytest.raises(services.LibraryChangeNotConfirmed):
            services.assets_bulk_move(
                assets=Asset.objects.filter(tag__in=["HB-PC-11", "HB-PC-12"]),
                location=no_public,
                actor=it_user,
                confirmed_library_changes=["HB-PC-11"],
            )
        assert state(["HB-PC-11", "HB-PC-12"]) == before
        assert not ChangeRecord.objects.exists()

    def test_confirmed_move_changes_library_and_location_with_history(
        self, it_user, two_hb_assets, no_public
    ):
        count = services.assets_bulk_move(
            assets=Asset.objects.filter(tag__in=["HB-PC-11", "HB-PC-12"]),
            location=no_public,
            actor=it_user,
            confirmed_library_changes=["HB-PC-11", "HB-PC-12"],
        )
        assert count == 2
        assert state(["HB-PC-11", "HB-PC-12"]) == [
            ("HB-PC-11", "NO", "Publika datorer", 2),
            ("HB-PC-12", "NO", "Publika datorer", 2),
        ]
        for asset in Asset.objects.filter(tag__in=["HB-PC-11", "HB-PC-12"]):
            [entry] = records_for(asset)
            assert (entry.actor, entry.action, entry.source) == (
                it_user,
                ChangeAction.CHANGED,
                ChangeSource.BULK,
            )
            assert entry.changes == {
                "library": ["Stadsbiblioteket", "Norrbiblioteket"],
                "location": ["Plan 2 – vid vuxeninformationen", "Publika datorer"],
            }

    def test_a_move_within_the_library_needs_no_confirmation(
        self, it_user, two_hb_assets, hb_store
    ):
        count = services.assets_bulk_move(
            assets=Asset.objects.filter(tag__in=["HB-PC-11", "HB-PC-12"]),
            location=hb_store,
            actor=it_user,
        )
        assert count == 2
        assert {row[1:] for row in state(["HB-PC-11", "HB-PC-12"])} == {("HB", "Förråd IT", 2)}
        assert {tuple(e.changes) for e in ChangeRecord.objects.all()} == {("location",)}

    def test_a_library_manager_never_moves_assets_to_another_library(
        self, chef_of_two, two_hb_assets, no_public
    ):
        before = state(["HB-PC-11", "HB-PC-12"])
        with pytest.raises(ValidationError) as refused:
            services.assets_bulk_move(
                assets=Asset.objects.filter(tag__in=["HB-PC-11", "HB-PC-12"]),
                location=no_public,
                actor=chef_of_two,
                # Even with a confirmation.
                confirmed_library_changes=["HB-PC-11", "HB-PC-12"],
            )
        assert list(refused.value.message_dict) == ["location"]
        assert state(["HB-PC-11", "HB-PC-12"]) == before
        assert not ChangeRecord.objects.exists()

    def test_a_library_manager_may_still_move_within_the_library(
        self, chef_of_two, two_hb_assets, hb_store
    ):
        services.assets_bulk_move(
            assets=Asset.objects.filter(tag__in=["HB-PC-11"]), location=hb_store, actor=chef_of_two
        )
        assert state(["HB-PC-11"]) == [("HB-PC-11", "HB", "Förråd IT", 2)]


class TestAssetUpdateLibrary:
    def test_a_library_manager_cannot_change_the_library(self, chef_of_two, hb_asset, no_public):
        with pytest.raises(ValidationError) as refused:
            services.asset_update(
                asset=hb_asset,
                actor=chef_of_two,
                expected_version=1,
                data={"library": no_public.library, "location": no_public},
            )
        assert list(refused.value.message_dict) == ["library"]
        assert state(["HB-PC-01"]) == [("HB-PC-01", "HB", "Plan 2 – vid vuxeninformationen", 1)]
        assert not ChangeRecord.objects.exists()

    def test_a_library_manager_edits_other_fields(self, chef_of_two, hb_asset, hb_store):
        services.asset_update(
            asset=hb_asset,
            actor=chef_of_two,
            expected_version=1,
            data={"library": hb_asset.library, "location": hb_store, "notes": "Förrådet"},
        )
        assert state(["HB-PC-01"]) == [("HB-PC-01", "HB", "Förråd IT", 2)]

    def test_it_changes_the_library_and_the_history_says_so(self, it_user, hb_asset, no_public):
        services.asset_update(
            asset=hb_asset,
            actor=it_user,
            expected_version=1,
            data={"library": no_public.library, "location": no_public},
        )
        assert state(["HB-PC-01"]) == [("HB-PC-01", "NO", "Publika datorer", 2)]
        entry = records_for(hb_asset).get()
        assert entry.changes == {
            "library": ["Stadsbiblioteket", "Norrbiblioteket"],
            "location": ["Plan 2 – vid vuxeninformationen", "Publika datorer"],
        }


class TestBulkMovePages:
    def test_it_is_asked_to_confirm_and_nothing_changes_yet(
        self, client_for, it_user, two_hb_assets, hb_store, no_public
    ):
        AssetFactory(tag="NO-PC-11", library=no_public.library, location=no_public)
        tags = ["HB-PC-11", "HB-PC-12", "NO-PC-11"]
        before = state(tags)
        response = client_for(it_user).post(
            BULK, move_data(tags, no_public, next="/inventory/assets/?q=PC")
        )
        assert response.status_code == 200
        assert response.templates[0].name == "inventory/asset_bulk_confirm.html"
        html = response.content.decode()
        table = html[html.index('id="library-changes"') : html.index("</table>")]
        rows = [
            (c.tag, str(c.from_library), str(c.to_library)) for c in response.context["changes"]
        ]
        assert rows == [
            ("HB-PC-11", "Stadsbiblioteket", "Norrbiblioteket"),
            ("HB-PC-12", "Stadsbiblioteket", "Norrbiblioteket"),
        ]
        for tag in ("HB-PC-11", "HB-PC-12"):
            assert f'<th scope="row"><a href="/inventory/assets/{tag}/">{tag}</a></th>' in table
            assert f'<input type="hidden" name="confirmed" value="{tag}">' in html
        assert table.count("<td>Stadsbiblioteket</td>") == 2
        assert table.count("<td>Norrbiblioteket</td>") == 2
        assert "NO-PC-11" not in table  # stays in its library
        for tag in tags:  # the whole selection is posted again
            assert f'<input type="hidden" name="assets" value="{tag}">' in html
        assert 'name="confirm_library_change"' in html
        assert 'href="/inventory/assets/?q=PC"' in html  # cancel goes back to the list
        assert state(tags) == before
        assert not ChangeRecord.objects.exists()

    def test_the_confirmation_must_be_ticked(self, client_for, it_user, two_hb_assets, no_public):
        tags = ["HB-PC-11", "HB-PC-12"]
        before = state(tags)
        response = client_for(it_user).post(BULK, move_data(tags, no_public, confirmed=tags))
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["confirm_library_change"]
        html = response.content.decode()
        assert 'id="error-summary"' in html
        assert 'href="#id_confirm_library_change"' in html
        assert state(tags) == before
        assert not ChangeRecord.objects.exists()

    def test_confirmed_move_is_written_with_history(
        self, client_for, it_user, two_hb_assets, no_public
    ):
        tags = ["HB-PC-11", "HB-PC-12"]
        response = client_for(it_user).post(
            BULK,
            move_data(
                tags,
                no_public,
                confirmed=tags,
                confirm_library_change="on",
                next="/inventory/assets/?q=PC",
            ),
        )
        assert response.status_code == 302
        assert response["Location"] == "/inventory/assets/?q=PC"
        assert state(tags) == [
            ("HB-PC-11", "NO", "Publika datorer", 2),
            ("HB-PC-12", "NO", "Publika datorer", 2),
        ]
        records = ChangeRecord.objects.filter(source=ChangeSource.BULK, actor=it_user)
        assert [r.changes["library"] for r in records] == [
            ["Stadsbiblioteket", "Norrbiblioteket"]
        ] * 2
        # The asset page shows the library change in its history.
        page = client_for(it_user).get("/inventory/assets/HB-PC-11/").content.decode()
        history = page[page.index('id="history-heading"') :]
        assert "<td>Stadsbiblioteket</td><td>Norrbiblioteket</td>" in history

    def test_a_confirmation_for_another_list_is_asked_again(
        self, client_for, it_user, two_hb_assets, no_public
    ):
        tags = ["HB-PC-11", "HB-PC-12"]
        before = state(tags)
        response = client_for(it_user).post(
            BULK,
            move_data(tags, no_public, confirmed=["HB-PC-11"], confirm_library_change="on"),
        )
        assert response.status_code == 200
        assert [c.tag for c in response.context["changes"]] == tags
        assert response.context["form"].non_field_errors()
        # The box is not ticked for the new list.
        assert (
            '<input type="checkbox" name="confirm_library_change" id="id_confirm_library_change">'
            in (response.content.decode())
        )
        assert state(tags) == before

    def test_a_move_within_the_library_is_applied_at_once(
        self, client_for, it_user, two_hb_assets, hb_store
    ):
        tags = ["HB-PC-11", "HB-PC-12"]
        response = client_for(it_user).post(BULK, move_data(tags, hb_store))
        assert response.status_code == 302
        assert state(tags) == [
            ("HB-PC-11", "HB", "Förråd IT", 2),
            ("HB-PC-12", "HB", "Förråd IT", 2),
        ]

    def test_a_library_manager_without_the_permission_gets_403(
        self, client_for, chef, hb_asset, hb_store
    ):
        response = client_for(chef).post(BULK, move_data([hb_asset.tag], hb_store))
        assert response.status_code == 403
        assert state([hb_asset.tag])[0][3] == 1

    def test_a_library_manager_is_refused_with_the_field_named(
        self, client_for, chef_of_two, two_hb_assets, no_public
    ):
        tags = ["HB-PC-11", "HB-PC-12"]
        before = state(tags)
        client = client_for(chef_of_two)
        for data in (
            move_data(tags, no_public),
            move_data(tags, no_public, confirmed=tags, confirm_library_change="on"),
        ):
            response = client.post(BULK, data, follow=True)
            assert response.status_code == 200
            assert response.redirect_chain == [("/inventory/assets/", 302)]
            errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
            label = str(BulkActionForm.base_fields["location"].label)
            assert any(m.startswith(f"{label}: ") and "Norrbiblioteket" in m for m in errors), (
                errors
            )
        assert state(tags) == before
        assert not ChangeRecord.objects.exists()


class TestEditPage:
    def test_a_library_manager_cannot_change_the_library_on_the_edit_form(
        self, client_for, chef_of_two, hb_asset, no_public
    ):
        client = client_for(chef_of_two)
        page = client.get(f"/inventory/assets/{hb_asset.tag}/edit/")
        assert page.status_code == 200
        message = _("Only IT staff and administrators can move an asset to another library.")
        assert message in page.content.decode()  # said beside the field before trying
        response = client.post(
            f"/inventory/assets/{hb_asset.tag}/edit/",
            {
                "tag": hb_asset.tag,
                "category": hb_asset.category_id,
                "library": no_public.library_id,
                "location": no_public.pk,
                "usage": "public",
                "ownership": "owned",
                "version": 1,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["library"] == [message]
        html = response.content.decode()
        assert 'href="#id_library"' in html
        label = AssetForm(libraries=None).fields["library"].label
        assert f"{label}: {message}" in html
        assert state([hb_asset.tag]) == [(hb_asset.tag, "HB", "Plan 2 – vid vuxeninformationen", 1)]
        assert not ChangeRecord.objects.exists()

    def test_it_changes_the_library_on_the_edit_form(
        self, client_for, it_user, hb_asset, no_public
    ):
        response = client_for(it_user).post(
            f"/inventory/assets/{hb_asset.tag}/edit/",
            {
                "tag": hb_asset.tag,
                "category": hb_asset.category_id,
                "library": no_public.library_id,
                "location": no_public.pk,
                "usage": "public",
                "ownership": "owned",
                "purchase_price": "8 495,00",
                "version": 1,
            },
        )
        assert response.status_code == 302
        assert state([hb_asset.tag]) == [(hb_asset.tag, "NO", "Publika datorer", 2)]
        assert records_for(hb_asset).get().changes["library"] == [
            "Stadsbiblioteket",
            "Norrbiblioteket",
        ]


def test_a_command_without_a_user_may_move_an_asset_to_another_library(two_hb_assets, no_public):
    """No actor is the municipality itself (a command); the library rule is a user's."""
    asset = two_hb_assets[0]
    moved = services.asset_update(
        asset=asset,
        actor=None,
        expected_version=asset.version,
        data={"library": no_public.library, "location": no_public},
    )
    assert state([moved.tag]) == [(moved.tag, "NO", no_public.name, asset.version + 1)]
    assert records_for(moved).first().actor is None
