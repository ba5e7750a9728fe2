"""Large web imports in the background: a queue in the AssetImport table, run by
`manage.py run_imports`.

The user confirms; the upload is marked queued and the page shows how far it has come.
A worker claims the oldest queued upload (one worker per upload, however many run),
imports it all or nothing as the preview promised (or leaving out the rows with errors,
if the user chose that), and records the result. How far it has come is kept in a small
file beside the upload, not in the database: on SQLite the import's transaction holds
the only write lock until it ends. Both files go through Django's storage API, so the web
server that shows the progress need not be the machine the worker runs on (the shared
folder or object store of docs/deployment.md).
"""

import json
import logging
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from config.security import log_event

from ..choices import ImportState
from ..models import AssetImport, Profile
from .reading import ImportFileError
from .service import NEW, UNCHANGED, UPDATE, assets_import
from .uploads import upload_options

logger = logging.getLogger(__name__)


def _progress_name(upload: AssetImport) -> str:
    """The progress file's name in the upload's storage, beside the upload."""
    return str(PurePosixPath(upload.file.name).with_suffix(".progress"))


def progress_of(upload: AssetImport) -> dict:
    """{"phase": "checking" | "writing", "done": rows, "rows": rows} so far, or {}."""
    if not upload.file:
        return {}
    try:
        with upload.file.storage.open(_progress_name(upload), "rb") as stored:
            return json.loads(stored.read())
    except (OSError, ValueError):
        return {}


def import_job_enqueue(*, upload: AssetImport, leave_out_errors: bool) -> AssetImport:
    upload.state = ImportState.QUEUED
    upload.leave_out_errors = leave_out_errors
    upload.queued_at = timezone.now()
    upload.result = {}
    upload.save(update_fields=["state", "leave_out_errors", "queued_at", "result"])
    return upload


def import_job_claim() -> AssetImport | None:
    """The oldest queued upload, now running; None if none waits. Two workers never get
    the same upload: the claim is a conditional update."""
    for upload in AssetImport.objects.filter(state=ImportState.QUEUED).order_by("queued_at")[:5]:
        claimed = AssetImport.objects.filter(pk=upload.pk, state=ImportState.QUEUED).update(
            state=ImportState.RUNNING
        )
        if claimed:
            upload.state = ImportState.RUNNING
            return upload
    return None


def import_job_run(upload: AssetImport) -> AssetImport:
    """Import a claimed upload and record what happened; the file is removed when the
    rows are written."""
    storage, name = upload.file.storage, _progress_name(upload)

    def progress(phase: str, done: int, rows: int) -> None:
        # Replaced, not added beside: storages give a taken name another one.
        storage.delete(name)
        storage.save(name, ContentFile(json.dumps({"phase": phase, "done": done, "rows": rows})))

    profile = Profile.objects.filter(user=upload.uploaded_by).first()
    try:
        with upload.file.open("rb") as stored:
            content = stored.read()
        with translation.override(profile.language if profile else None):
            outcome = assets_import(
                content=content,
                file_name=upload.file_name,
                actor=upload.uploaded_by,
                commit=True,
                options=upload_options(upload),
                leave_out_errors=upload.leave_out_errors,
                progress=progress,
            )
    except ImportFileError as exc:
        return _finish(upload, ImportState.FAILED, {"message": str(exc)})
    except Exception:
        logger.exception("background import %s failed", upload.pk)
        return _finish(upload, ImportState.FAILED, {"message": "", "crashed": True})
    finally:
        storage.delete(name)
    counts = outcome.counts
    result = {
        "new": counts[NEW],
        "updated": counts[UPDATE],
        "unchanged": counts[UNCHANGED],
        "left_out": outcome.left_out,
        "errors": len(outcome.error_rows),
        "problems": outcome.problems[:20],
    }
    if not outcome.committed:
        return _finish(upload, ImportState.FAILED, result)
    upload.file.delete(save=False)
    log_event(
        "import",
        user=upload.uploaded_by,
        file_name=upload.file_name,
        new=result["new"],
        updated=result["updated"],
        unchanged=result["unchanged"],
        left_out=len(result["left_out"]),
        background=True,
    )
    return _finish(upload, ImportState.DONE, result)


def _finish(upload: AssetImport, state: str, result: dict) -> AssetImport:
    with transaction.atomic():
        upload.state = state
        upload.result = result
        upload.finished_at = timezone.now()
        upload.save(update_fields=["state", "result", "finished_at", "file"])
    return upload
