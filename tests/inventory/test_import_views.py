"""The import pages: who may use them, upload -> preview -> confirm, and the kept file."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from inventory.choices import ChangeSource
from inventory.history import records_for
from inventory.models import Asset, AssetImport, ChangeRecord, ImportMapping
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


class TestMigrationOnThePreview:
    ROWS = [
        ["Inventarienummer", "Kategori", "Plats", "Status", "Serienummer"],
        ["X-1", "Desktop", "Rum 12", "Aktiv", "S1"],
        ["X-2", "Desktop", "Förråd IT", "Aktiv", "S2"],
        ["X-3", "Publik dator", "Förråd IT", "Trasig", "S3"],
    ]

    def value_fields(self, form) -> dict[str, str]:
        """{unknown value: its choice's field name}"""
        return {
            form[hidden].value(): name
            for _key, names in form.value_groups
            for name, hidden in names
        }

    def test_unknown_values_are_mapped_once_then_confirmed(self, it_client, hb_store):
        upload(it_client, csv_bytes(self.ROWS), library="HB")
        record = AssetImport.objects.get()
        url = f"/inventory/import/{record.pk}/"
        response = it_client.get(url)
        assert response.context["outcome"].unknown == {
            "category": ["Desktop"],
            "location": ["Rum 12"],
            "status": ["Aktiv", "Trasig"],
        }
        form = response.context["options_form"]
        fields = self.value_fields(form)
        page = response.content.decode()
        assert 'id="values-heading"' in page and "Desktop" in page
        # Only locations can be created; a category must exist.
        assert ("+create", "Skapa ”Rum 12”") in [
            (str(v), str(label)) for v, label in form.fields[fields["Rum 12"]].choices
        ]
        assert "+create" not in [v for v, _l in form.fields[fields["Desktop"]].choices]

        data = {"library": "HB", **{f"{name}_from": value for value, name in fields.items()}}
        data.update(
            {
                fields["Desktop"]: "workstation",
                fields["Rum 12"]: "+create",
                fields["Aktiv"]: "in_use",
                fields["Trasig"]: "in_repair",
            }
        )
        assert it_client.post(url, data).status_code == 302
        record.refresh_from_db()
        assert record.values == {
            "category": {"Desktop": "workstation"},
            "status": {"Aktiv": "in_use", "Trasig": "in_repair"},
        }
        assert record.create == {"location": ["Rum 12"]}
        response = it_client.get(url)
        assert response.context["counts"]["new"] == 3, response.context["outcome"].problems
        it_client.post(f"/inventory/import/{record.pk}/confirm/")
        stored = {a.tag: (a.category.code, a.location.name, a.status) for a in Asset.objects.all()}
        assert stored == {
            "X-1": ("workstation", "Rum 12", "in_use"),
            "X-2": ("workstation", "Förråd IT", "in_use"),
            "X-3": ("workstation", "Förråd IT", "in_repair"),
        }

    def test_a_category_cannot_be_created_by_a_forged_choice(self, it_client, hb_store):
        upload(it_client, csv_bytes(self.ROWS), library="HB")
        record = AssetImport.objects.get()
        url = f"/inventory/import/{record.pk}/"
        fields = self.value_fields(it_client.get(url).context["options_form"])
        data = {f"{name}_from": value for value, name in fields.items()}
        data[fields["Desktop"]] = "+create"
        assert it_client.post(url, data).status_code == 400
        record.refresh_from_db()
        assert record.values == {} and record.create == {}

    def test_the_rejected_rows_download_and_leaving_them_out(self, it_client, hb_store):
        upload(it_client, csv_bytes(self.ROWS), library="HB")
        record = AssetImport.objects.get()
        url = f"/inventory/import/{record.pk}/"
        it_client.post(url, {"library": "HB", **self._category_only(it_client, url)})
        page = it_client.get(url)
        assert page.context["valid"] == 1 and page.context["counts"]["error"] == 2
        assert 'id="leave-out-form"' in page.content.decode()

        response = it_client.get(f"/inventory/import/{record.pk}/rejected/")
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="lista-avvisade.csv"'
        lines = response.content.decode("utf-8-sig").splitlines()
        assert [line.split(";")[0] for line in lines] == ["Inventarienummer", "X-1", "X-3"]

        # Without the explicit tick, nothing is written.
        assert it_client.post(f"/inventory/import/{record.pk}/confirm/").status_code == 409
        assert not Asset.objects.exists()
        response = it_client.post(
            f"/inventory/import/{record.pk}/confirm/", {"leave_out_errors": "yes"}, follow=True
        )
        assert list(Asset.objects.values_list("tag", flat=True)) == ["X-2"]
        assert "2, 4" in response.content.decode()
        entry = records_for(Asset.objects.get()).get()
        assert entry.source_detail == "lista.csv (rader 2, 4 utelämnade)"

    def _category_only(self, client, url):
        fields = self.value_fields(client.get(url).context["options_form"])
        data = {f"{name}_from": value for value, name in fields.items()}
        data[fields["Desktop"]] = "workstation"
        data[fields["Aktiv"]] = "in_use"
        return data

    def test_blank_cells_clear_only_when_ticked_and_the_page_lists_them(self, it_client):
        upload(it_client, csv_bytes([SV_HEADERS, sv_row("HB-1", notes="Bytt disk")]))
        it_client.post(f"/inventory/import/{AssetImport.objects.get().pk}/confirm/")
        upload(it_client, csv_bytes([SV_HEADERS, sv_row("HB-1", notes="", serial="")]))
        record = AssetImport.objects.get()
        url = f"/inventory/import/{record.pk}/"
        page = it_client.get(url)
        assert page.context["counts"]["unchanged"] == 1
        assert 'id="note-blanks-kept"' in page.content.decode()
        it_client.post(url, {"blank_clears": "on"})
        page = it_client.get(url)
        assert page.context["cleared_count"] == 2
        html = page.content.decode()
        assert 'id="cleared-table"' in html and "Bytt disk" in html and "SN-HB-1" in html

    def test_the_choices_are_saved_and_reused_for_the_next_file(self, it_client, hb_store):
        upload(it_client, csv_bytes(self.ROWS), library="HB")
        record = AssetImport.objects.get()
        url = f"/inventory/import/{record.pk}/"
        data = {**self._category_only(it_client, url), "library": "HB", "save_as": "GLPI Norr"}
        it_client.post(url, data)
        saved = ImportMapping.objects.get()
        assert (saved.name, saved.options) == (
            "GLPI Norr",
            {
                "library": "HB",
                "values": {"category": {"Desktop": "workstation"}, "status": {"Aktiv": "in_use"}},
            },
        )
        it_client.post(f"/inventory/import/{record.pk}/cancel/")
        upload(it_client, csv_bytes(self.ROWS), saved=str(saved.pk))
        again = AssetImport.objects.get()
        assert (again.library, again.values["category"]) == ("HB", {"Desktop": "workstation"})
        assert (
            "Desktop"
            not in it_client.get(f"/inventory/import/{again.pk}/").context["outcome"].unknown
        )

    def test_the_encoding_can_be_chosen_and_a_wrong_one_says_so(self, it_client):
        content = csv_bytes([SV_HEADERS, sv_row("HB-1")], encoding="cp1252")
        response = upload(it_client, content, encoding="utf-8-sig")
        assert response.status_code == 200
        assert "Windows-1252" in response.content.decode()
        assert not AssetImport.objects.exists()
        upload(it_client, content, encoding="cp1252")
        record = AssetImport.objects.get()
        page = it_client.get(f"/inventory/import/{record.pk}/")
        assert page.context["counts"]["new"] == 1

    def test_the_library_choice_lists_the_libraries_the_user_sees(self, it_client):
        form = it_client.get("/inventory/import/").context["form"]
        codes = [code for code, _l in form.fields["library"].choices if code]
        assert codes == ["HB", "NO"]


def test_the_preview_warns_of_assets_that_would_change_library(it_client, no_public):
    upload(it_client, csv_bytes([SV_HEADERS, sv_row("HB-1")]))
    it_client.post(f"/inventory/import/{AssetImport.objects.get().pk}/confirm/")
    upload(
        it_client, csv_bytes([SV_HEADERS, sv_row("HB-1", library="NO", location="Publika datorer")])
    )
    page = it_client.get(f"/inventory/import/{AssetImport.objects.get().pk}/")
    assert page.context["library_moves"] == 1
    assert 'id="note-library-moves"' in page.content.decode()
