"""Large web imports run in the background: the confirmation queues the file, the
worker (`manage.py run_imports`) imports it all or nothing, and the page says how far it
has come and then what it did."""

import html
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils.translation import npgettext

from inventory.choices import ChangeSource, ImportState
from inventory.history import records_for
from inventory.imports.jobs import import_job_claim, import_job_run
from inventory.models import Asset, AssetImport, Manufacturer
from tests.factories import AssetFactory
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_background(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.INVENTERA_BACKGROUND_IMPORT_ROWS = 3


@pytest.fixture
def it_client(client_for, register):
    return client_for(register)


def upload(client, rows) -> AssetImport:
    client.post("/inventory/import/", {"file": SimpleUploadedFile("stor.csv", csv_bytes(rows))})
    return AssetImport.objects.get()


def run_worker() -> str:
    out = io.StringIO()
    call_command("run_imports", stdout=out)
    return out.getvalue()


def test_a_large_file_is_queued_then_imported_by_the_worker(it_client, register):
    record = upload(it_client, [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(5))])
    url = f"/inventory/import/{record.pk}/"
    response = it_client.post(f"/inventory/import/{record.pk}/confirm/")
    assert response.status_code == 302 and response["Location"] == url
    record.refresh_from_db()
    assert record.state == ImportState.QUEUED and not Asset.objects.exists()
    page = it_client.get(url)
    assert page.templates[0].name == "inventory/import_job.html"
    assert 'id="import-progress"' in page.content.decode()
    assert it_client.get(url, {"format": "json"}).json() == {"state": "queued"}

    assert f"{record.pk} stor.csv: done" in run_worker()
    record.refresh_from_db()
    assert record.state == ImportState.DONE and not record.file
    assert record.result["new"] == 5
    assert Asset.objects.count() == 5
    entry = records_for(Asset.objects.get(tag="HB-0")).get()
    assert (entry.actor, entry.source, entry.source_detail) == (
        register,
        ChangeSource.IMPORT,
        "stor.csv",
    )
    page = it_client.get(url).content.decode()
    assert 'id="import-result"' in page and "5" in page
    # Nothing waits now.
    assert run_worker() == ""


def test_the_worker_keeps_all_or_nothing(it_client):
    record = upload(it_client, [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(5))])
    it_client.post(f"/inventory/import/{record.pk}/confirm/")
    # Before the worker comes, another asset gets one of the rows' serial numbers.
    AssetFactory(
        tag="HB-ANNAN",
        serial_number="SN-HB-3",
        manufacturer=Manufacturer.objects.get(name="Lenovo"),
    )
    run_worker()
    record.refresh_from_db()
    assert record.state == ImportState.FAILED and record.result["errors"] == 1
    assert Asset.objects.count() == 1
    # The page says so and previews the file again.
    response = it_client.get(f"/inventory/import/{record.pk}/")
    assert response.templates[0].name == "inventory/import_preview.html"
    record.refresh_from_db()
    assert record.state == ImportState.PREVIEW


def test_leaving_out_rows_in_the_background(it_client):
    rows = [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(4)), sv_row("HB-X", price="-1")]
    record = upload(it_client, rows)
    it_client.post(f"/inventory/import/{record.pk}/confirm/", {"leave_out_errors": "yes"})
    run_worker()
    record.refresh_from_db()
    assert record.state == ImportState.DONE and record.result["left_out"] == [6]
    assert Asset.objects.count() == 4


def test_a_small_file_is_imported_at_once(it_client):
    record = upload(it_client, [SV_HEADERS, sv_row("HB-1"), sv_row("HB-2")])
    it_client.post(f"/inventory/import/{record.pk}/confirm/")
    assert Asset.objects.count() == 2 and not AssetImport.objects.exists()


def test_a_job_is_claimed_once(it_client):
    record = upload(it_client, [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(5))])
    it_client.post(f"/inventory/import/{record.pk}/confirm/")
    claimed = import_job_claim()
    assert claimed.pk == record.pk and import_job_claim() is None
    import_job_run(claimed)
    assert Asset.objects.count() == 5


def test_a_running_import_cannot_be_cancelled_or_changed(it_client):
    record = upload(it_client, [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(5))])
    it_client.post(f"/inventory/import/{record.pk}/confirm/")
    import_job_claim()
    it_client.post(f"/inventory/import/{record.pk}/cancel/")
    it_client.post(f"/inventory/import/{record.pk}/", {"blank_clears": "on"})
    record.refresh_from_db()
    assert record.state == ImportState.RUNNING and not record.blank_clears


def test_a_queued_import_can_be_cancelled(it_client):
    record = upload(it_client, [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(5))])
    it_client.post(f"/inventory/import/{record.pk}/confirm/")
    it_client.post(f"/inventory/import/{record.pk}/cancel/")
    assert not AssetImport.objects.exists()
    assert run_worker() == "" and not Asset.objects.exists()


def test_imports_are_in_the_security_log(it_client, caplog):
    caplog.set_level("INFO", logger="inventera.security")
    small = upload(it_client, [SV_HEADERS, sv_row("HB-1")])
    it_client.post(f"/inventory/import/{small.pk}/confirm/")
    large = upload(it_client, [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(2, 7))])
    it_client.post(f"/inventory/import/{large.pk}/confirm/")
    run_worker()
    lines = [r.getMessage() for r in caplog.records if r.name == "inventera.security"]
    imports = [line for line in lines if "event=import " in line or line.endswith("event=import")]
    assert len(imports) == 2, lines
    assert "new=1" in imports[0] and "username=it" in imports[0]
    assert "new=5" in imports[1] and "background=yes" in imports[1]
    assert any("event=import_queued" in line for line in lines)


def test_the_result_counts_each_word_by_its_number(it_client):
    """ "1 ny, 2 ändrade": each count with its own singular or plural (npgettext)."""
    record = upload(it_client, [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(5))])
    it_client.post(f"/inventory/import/{record.pk}/confirm/")
    run_worker()
    record.refresh_from_db()
    record.result = {**record.result, "new": 1, "updated": 2, "unchanged": 1}
    record.save()
    page = html.unescape(it_client.get(f"/inventory/import/{record.pk}/").content.decode())
    counts = (("%(counter)s new", 1), ("%(counter)s updated", 2), ("%(counter)s unchanged", 1))
    expected = ", ".join(
        npgettext("assets in an import", text, text, number) % {"counter": number}
        for text, number in counts
    )
    assert f"<p>{expected}.</p>" in page


def test_the_job_and_its_progress_go_through_the_storage_api(it_client, settings, monkeypatch):
    """No local path: with an in-memory storage (as with an object store shared by several
    app servers) the upload, the progress the page polls and the import all work."""
    from django.core.files.storage import default_storage

    from inventory.imports import resource
    from inventory.imports.jobs import progress_of

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    monkeypatch.setattr(resource, "PROGRESS_EVERY", 1)  # a progress file for every row
    record = upload(it_client, [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(5))])
    assert default_storage.exists(record.file.name)
    it_client.post(f"/inventory/import/{record.pk}/confirm/")
    claimed = import_job_claim()
    assert claimed.pk == record.pk
    # What a worker on another machine has written, read by this one's page.
    default_storage.save(
        claimed.file.name.rsplit(".", 1)[0] + ".progress",
        io.BytesIO(b'{"phase": "writing", "done": 2, "rows": 5}'),
    )
    assert progress_of(claimed) == {"phase": "writing", "done": 2, "rows": 5}
    assert it_client.get(f"/inventory/import/{record.pk}/", {"format": "json"}).json() == {
        "state": "running",
        "phase": "writing",
        "done": 2,
        "rows": 5,
    }
    import_job_run(claimed)
    claimed.refresh_from_db()
    assert claimed.state == ImportState.DONE and Asset.objects.count() == 5
    # The upload and its progress file are gone from the storage, and nothing was ever
    # written to a local folder.
    folders, files = default_storage.listdir("imports")
    assert files == [] and folders == []
    assert [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()] == []
