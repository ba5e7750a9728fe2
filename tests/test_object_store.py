"""Uploads in an S3-compatible object store (docs/deployment.md): the case documents and
the background import go through Django's storage API, so they work with the bucket as
with the local folder, and nothing is written to a local disk."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from inventory.choices import ImportState
from inventory.imports.jobs import import_job_claim, import_job_run, progress_of
from inventory.models import Asset, AssetImport
from procurement import services as procurement_services
from procurement.models import CaseDocument
from reports.backup import BackupError, backup_create
from tests.factories import ManufacturerFactory, ProductModelFactory
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row
from tests.object_store import object_store  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%i ett objektlager\n"


@pytest.fixture
def in_store(settings, object_store, tmp_path):  # noqa: F811 - the fixture above
    settings.STORAGES = object_store.storages(settings.STORAGES)
    settings.MEDIA_ROOT = tmp_path / "never-used"
    return object_store


def _local_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_case_document_is_kept_in_the_bucket_and_served_by_the_app(
    in_store, settings, chef, strateg, hb, workstation, client_for
):
    case = procurement_services.case_create(
        actor=chef,
        library=hb,
        title="Nya skannrar",
        need="Fyra platser behöver skanner.",
        category=workstation,
        estimated_value=Decimal("40000"),
    )
    response = client_for(chef).post(
        f"{case.get_absolute_url()}documents/add/",
        {"kind": "quote", "file": SimpleUploadedFile("offert.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert in_store.keys() == [document.file.name]
    body = in_store.client().get_object(Bucket=in_store.bucket, Key=document.file.name)
    assert body["Body"].read() == PDF
    # Streamed by the app to a reader it lets in, never a link into the bucket.
    response = client_for(strateg).get(f"{case.get_absolute_url()}documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert _local_files(settings) == []


def test_a_background_import_runs_from_the_bucket(
    in_store, settings, it_user, hb_floor2, workstation, client_for
):
    settings.INVENTERA_BACKGROUND_IMPORT_ROWS = 3
    ProductModelFactory(manufacturer=ManufacturerFactory(name="Lenovo"), name="ThinkCentre M70q")
    rows = [SV_HEADERS, *(sv_row(f"HB-{n}") for n in range(5))]
    client = client_for(it_user)
    client.post(
        "/inventory/import/",
        {"file": SimpleUploadedFile("stor.csv", csv_bytes(rows))},
    )
    upload = AssetImport.objects.get()
    assert in_store.keys() == [upload.file.name]
    client.post(f"/inventory/import/{upload.pk}/confirm/")
    claimed = import_job_claim()
    assert claimed is not None and progress_of(claimed) == {}
    import_job_run(claimed)
    claimed.refresh_from_db()
    assert claimed.state == ImportState.DONE, claimed.result["problems"]
    assert Asset.objects.filter(tag__startswith="HB-").count() == 5
    # The upload and its progress file are gone from the bucket once the rows are in.
    assert in_store.keys() == []
    assert _local_files(settings) == []


def test_the_backup_command_says_it_cannot_back_up_a_bucket(in_store, tmp_path):
    with pytest.raises(BackupError, match="MEDIA_ROOT"):
        backup_create(output=tmp_path / "backup.tar.gz")
    assert not (tmp_path / "backup.tar.gz").exists()


def test_seed_demo_writes_its_documents_to_the_bucket(in_store, settings):
    call_command("seed_demo", allow_production=True, verbosity=0)
    names = set(CaseDocument.objects.values_list("file", flat=True))
    assert names and names <= set(in_store.keys())
    assert _local_files(settings) == []
