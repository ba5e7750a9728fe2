"""Checks of uploaded documents: size, and the type read from the content, not the name."""

import zipfile

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from inventory.zipcheck import ZipTooLarge, read_entry

PDF = "application/pdf"
# Magic numbers of the types the SPEC allows: PDF, Office formats, images.
SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # .doc, .xls, .ppt
)
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def format_megabytes(size: int) -> str:
    return f"{number_format(size / 1_000_000, 1)} MB"


# OpenDocument's `mimetype` entry names the type in some 50 bytes; a larger one is not
# an OpenDocument file (and may be a zip bomb).
MIMETYPE_LIMIT = 200


def _zip_type(upload) -> str | None:
    """An Office Open XML or OpenDocument file, told apart by what the zip holds.

    Only the `mimetype` entry is read, and only up to MIMETYPE_LIMIT bytes, whatever the
    entry declares.
    """
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                raw = read_entry(archive, "mimetype", limit=MIMETYPE_LIMIT)
                mimetype = raw.decode("ascii", "replace").strip()
                if mimetype.startswith("application/vnd.oasis.opendocument."):
                    return mimetype
            if "[Content_Types].xml" in names:
                for prefix, content_type in OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, KeyError, ZipTooLarge, EOFError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def check_upload(upload, *, max_bytes: int) -> str:
    """The upload's real content type; ValidationError naming the problem otherwise."""
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > max_bytes:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": format_megabytes(upload.size), "limit": format_megabytes(max_bytes)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head.startswith(b"PK\x03\x04"):
        content_type = _zip_type(upload)
        if content_type:
            return content_type
    raise ValidationError(
        {
            "file": _(
                "Only PDF, Office documents (Word, Excel, PowerPoint, OpenDocument) and "
                "images (PNG, JPEG, GIF) can be uploaded."
            )
        }
    )
