"""Photos sent with a fault report: checked by content, then re-encoded.

A phone's photo carries EXIF data, GPS position included; what is stored is a new file
drawn from the pixels alone (turned upright first, as the EXIF orientation says), so
nothing but the picture is kept. Only JPEG, PNG and WebP are accepted, read by their
content, not by their name; a file larger than `MAX_PHOTO_BYTES` or with more pixels
than `MAX_PHOTO_PIXELS` (a decompression bomb: a small file that opens into gigabytes)
is refused before its pixels are decoded.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
# A 48-megapixel phone camera is the largest in common use.
MAX_PHOTO_PIXELS = 50_000_000
# What is kept: enough to see the fault, a fraction of the original's size.
STORED_SIDE = 2560

# Magic numbers of the accepted types, and Pillow's name of each.
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)
_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}


@dataclass(frozen=True)
class CleanPhoto:
    content: "ContentFile[bytes]"
    content_type: str


def _refuse() -> ValidationError:
    return ValidationError({"photo": _("Only photos (JPEG, PNG or WebP) can be attached.")})


def _too_large() -> ValidationError:
    return ValidationError({"photo": _("The photo has too many pixels to be read safely.")})


def _sniff(head: bytes) -> str | None:
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def photo_clean(upload: UploadedFile) -> CleanPhoto:
    """The upload as a new image file without metadata; ValidationError naming the
    problem when it is not a photo this accepts."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"photo": _("The file is empty.")})
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "photo": _("The photo is %(size)s; the limit is %(limit)s.")
                % {
                    "size": f"{number_format(size / 1_000_000, 1)} MB",
                    "limit": f"{number_format(MAX_PHOTO_BYTES / 1_000_000, 1)} MB",
                }
            }
        )
    upload.seek(0)
    kind = _sniff(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise _refuse()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_PHOTO_PIXELS:
                    raise _too_large()
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large() from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise _refuse() from None
    finally:
        upload.seek(0)
    if upright.mode not in {"RGB", "RGBA", "L", "LA"}:
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    if kind == "JPEG" and upright.mode != "RGB":
        upright = upright.convert("RGB")
    upright.thumbnail((STORED_SIDE, STORED_SIDE))
    # A new image of the pixels alone: no EXIF, XMP, ICC or comment can travel along.
    bare = Image.new(upright.mode, upright.size)
    bare.paste(upright)
    out = io.BytesIO()
    options = {"quality": 85} if kind in {"JPEG", "WEBP"} else {}
    bare.save(out, format=kind, **options)
    content_type, suffix = _FORMATS[kind]
    return CleanPhoto(ContentFile(out.getvalue(), name=f"photo{suffix}"), content_type)
