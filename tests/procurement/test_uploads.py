"""The type check of uploaded case documents reads only what it must, and never lets a
small file inflate in the worker."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.uploads import check_upload

ODT = "application/vnd.oasis.opendocument.text"


def odt(mimetype: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def test_an_opendocument_file_is_recognised():
    upload = SimpleUploadedFile("anbud.odt", odt(ODT.encode()))
    assert check_upload(upload, max_bytes=10_000_000) == ODT


def test_a_zip_bomb_disguised_as_opendocument_is_refused_without_inflating():
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("mimetype", "w", force_zip64=True) as entry,
    ):
        entry.write(ODT.encode())
        chunk = b" " * 2**20
        for _ in range(256):
            entry.write(chunk)
    content = out.getvalue()
    assert len(content) < 1_000_000
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as refused:
            check_upload(SimpleUploadedFile("anbud.odt", content), max_bytes=10_000_000)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert "file" in refused.value.message_dict
    assert peak < 4 * 2**20, f"the check took {peak / 2**20:.0f} MiB"
