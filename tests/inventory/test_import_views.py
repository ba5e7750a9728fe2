"""The import pages: who may use them, upload -> preview -> confirm, and the kept file."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from inventory.choices import ChangeSource
from inventory.history import records_for
from inventory.models import Asset, AssetImport, ChangeRecord
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, content, name="lista.csv", **data):
    return client.post("/inventory/import/", {"file": SimpleUploadedFile(name, content), **data})


def stored_files(media):
    folder = media / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def it_client(client_for, register):
    return client_for(register)


@pytest.fixture
def pending(it_client, media):
    """An uploaded file with one bad row, waiting in its preview."""
    content = csv_bytes([SV_HEADERS, sv_row("HB-PC-20"), sv_row("HB-PC-21", price="-5")])
    response = upload(it_client, content)
    assert response.status_code == 302
    return AssetImport.objects.get()


class TestAccess:
    @pytest.mark.parametrize("role", ["chef", "strateg"])
    def test_roles_without_the_it_permissions_get_403(self, users, client_for, role, media):
        client = client_for(users[role])
        assert client.get("/inventory/import/").status_code == 403
        response = upload(client, csv_bytes([SV_HEADERS, sv_row("HB-1")]))
        assert response.status_code == 403
        assert not AssetImport.objects.exists() and not stored_files(media)

    @pytest.mark.parametrize("role", ["chef", "strateg"])
    def test_nor_can_they_see_or_confirm_an_upload(self, users, client_for, pending, role):
        client = client_for(users[role])
        for url in (f"/inventory/import/{pending.pk}/", f"/inventory/import/{pending.pk}/confirm/"):
            assert client.get(url).status_code == 403
            assert client.post(url).status_code == 403
        assert not Asset.objects.exists()

    def test_it_and_admin_see_the_page(self, users, client_for):
        for role in ("it", "admin"):
            assert client_for(users[role]).get("/inventory/import/").status_code == 200

    def test_anonymous_goes_to_login(self, client):
        response = client.get("/inventory/import/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    def test_someone_elses_upload_is_not_found(self, pending, users, client_for):
        other = client_for(users["admin"])
        assert other.get(f"/inventory/import/{pending.pk}/").status_code == 404
        assert other.post(f"/inventory/import/{pending.pk}/confirm/").status_code == 404


class TestFlow:
    def test_the_preview_shows_each_row_and_the_bad_rows_error(self, it_client, pending, media):
        # The file is kept where every web worker reads it, under its own random name.
        [path] = stored_files(media)
        assert path.suffix == ".csv" and "lista" not in path.name
        response = it_client.get(f"/inventory/import/{pending.pk}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "HB-PC-20" in page and "HB-PC-21" in page
        errors = response.context["errors"]
        assert [(row.number, row.errors[0].column) for row in errors] == [
            (3, "Inköpspris (kr exkl. moms)")
        ]
        assert errors[0].errors[0].message in page
        assert response.context["counts"] == {"new": 1, "update": 0, "unchanged": 0, "error": 1}
        assert not response.context["can_confirm"]
        assert "confirm-form" not in page

    def test_confirming_with_errors_writes_nothing(self, it_client, pending, media):
        response = it_client.post(f"/inventory/import/{pending.pk}/confirm/")
        assert response.status_code == 409
        assert not Asset.objects.exists() and not ChangeRecord.objects.exists()
        assert stored_files(media)

    def test_upload_preview_confirm(self, it_client, register, media):
        content = csv_bytes([SV_HEADERS, sv_row("HB-PC-20"), sv_row("HB-PC-21")])
        response = upload(it_client, content, create_missing="on")
        record = AssetImport.objects.get()
        assert record.create_missing
        assert response["Location"] == f"/inventory/import/{record.pk}/"
        preview = it_client.get(response["Location"])
        assert preview.context["can_confirm"]
        assert 'id="confirm-form"' in preview.content.decode()

        response = it_client.post(f"/inventory/import/{record.pk}/confirm/", follow=True)

        assert response.redirect_chain[-1][0] == "/inventory/assets/"
        assert set(Asset.objects.values_list("tag", flat=True)) == {"HB-PC-20", "HB-PC-21"}
        entry = records_for(Asset.objects.get(tag="HB-PC-20")).get()
        assert (entry.actor, entry.source, entry.source_detail) == (
            register,
            ChangeSource.IMPORT,
            "lista.csv",
        )
        # The kept file is removed once the import is done.
        assert not AssetImport.objects.exists() and not stored_files(media)
        assert "lista.csv" in response.content.decode()

    def test_an_update_is_shown_old_to_new(self, it_client):
        upload(it_client, csv_bytes([SV_HEADERS, sv_row("HB-PC-20")]))
        it_client.post(f"/inventory/import/{AssetImport.objects.get().pk}/confirm/")
        upload(it_client, csv_bytes([SV_HEADERS, sv_row("HB-PC-20", location="Förråd IT")]))
        response = it_client.get(f"/inventory/import/{AssetImport.objects.get().pk}/")
        [(row, changes)] = response.context["rows"]
        assert row.kind == "update"
        assert [(c.label, c.old, c.new) for c in changes] == [
            ("Plats", "Plan 2 – vid vuxeninformationen", "Förråd IT")
        ]
        assert "Förråd IT" in response.content.decode()

    def test_a_file_that_cannot_be_read_is_refused_at_upload(self, it_client, media):
        response = upload(it_client, b"%PDF-1.7", name="faktura.pdf")
        assert response.status_code == 200
        assert _("Only CSV and XLSX files can be imported.") in response.content.decode()
        response = upload(it_client, b"", name="tom.csv")
        assert response.status_code == 200
        assert not AssetImport.objects.exists() and not stored_files(media)

    def test_unmatched_columns_can_be_mapped_by_hand(self, it_client):
        content = csv_bytes(
            [["Nummer", "Kategori", "Bibliotek", "Färg"], ["HB-9", "Publik dator", "HB", "Röd"]]
        )
        upload(it_client, content)
        record = AssetImport.objects.get()
        url = f"/inventory/import/{record.pk}/"
        response = it_client.get(url)
        assert response.context["outcome"].problems
        assert set(response.context["options_form"].column_names) == {"column_0", "column_3"}

        response = it_client.post(url, {"column_0": "tag", "column_3": ""})
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.columns == {"0": "tag"}
        response = it_client.get(url)
        assert response.context["counts"]["new"] == 1
        assert response.context["outcome"].columns.ignored == ["Färg"]

    def test_cancel_removes_the_file(self, it_client, pending, media):
        response = it_client.post(f"/inventory/import/{pending.pk}/cancel/")
        assert response.status_code == 302
        assert not AssetImport.objects.exists() and not stored_files(media)


def test_uploads_nobody_confirmed_are_swept_away(it_client, pending, media):
    AssetImport.objects.filter(pk=pending.pk).update(
        uploaded_at=pending.uploaded_at - timedelta(days=2)
    )
    upload(it_client, csv_bytes([SV_HEADERS, sv_row("HB-PC-30")]))
    assert list(AssetImport.objects.values_list("file_name", flat=True)) == ["lista.csv"]
    assert AssetImport.objects.get().pk != pending.pk
    assert len(stored_files(media)) == 1


def test_the_preset_and_create_missing_can_be_changed_on_the_preview(it_client, register):
    content = csv_bytes(
        [
            ["Asset Tag", "Category", "Location", "Status", "Manufacturer"],
            ["S-1", "Public workstation", "Rum 12", "Deployed", "Framework"],
        ],
        delimiter=",",
    )
    upload(it_client, content, name="snipeit.csv")
    record = AssetImport.objects.get()
    url = f"/inventory/import/{record.pk}/"
    assert it_client.get(url).context["counts"]["error"] == 1

    response = it_client.post(url, {"mapping": "snipeit", "create_missing": "on", "library": "HB"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.mapping, record.create_missing, record.library) == ("snipeit", True, "HB")
    response = it_client.get(url)
    assert response.context["counts"] == {"new": 1, "update": 0, "unchanged": 0, "error": 0}
    assert response.context["outcome"].created == {
        "manufacturer": ["Framework"],
        "location": ["HB Rum 12"],
    }
    assert it_client.post(url, {"mapping": "nope"}).status_code == 400
