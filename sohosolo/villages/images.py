"""Photos sent by committees: checked by content (not by name), then re-encoded without metadata.

Phones send HEIC and large JPEGs with GPS tags: the stored file is a JPEG (or PNG/WebP as sent),
turned the right way up, at most MAX_SIDE pixels wide or high, with no EXIF.
"""

import io
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # Phones' HEIC photos; Pillow reads them only with pillow-heif.
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a pinned dependency
    pass

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE = 2400
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "jpg", "HEIC": "jpg"}
# Also capped so a small file cannot expand into a huge bitmap ("decompression bomb").
MAX_PIXELS = 60_000_000
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"


def validate_photo(upload) -> None:
    """Raise ValidationError with a message for the committee unless the upload is a usable photo."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Ce fichier pèse %(size)s Mo : 10 Mo au plus. Réduisez la photo puis envoyez-la à nouveau."),
            code="too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ",")},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("Ce fichier n'est pas une photo lisible. Formats acceptés : JPEG, PNG, WebP ou HEIC."),
            code="not_an_image",
        ) from None
    finally:
        upload.seek(0)
    if fmt not in ACCEPTED_FORMATS:
        raise ValidationError(
            _(
                "Ce format d'image (%(format)s) n'est pas accepté. Formats acceptés : JPEG, PNG, WebP ou HEIC."
            ),
            code="bad_format",
            params={"format": fmt},
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("Cette image est trop grande (%(width)s × %(height)s pixels)."),
            code="too_many_pixels",
            params={"width": width, "height": height},
        )


def normalised_photo(upload, *, stem: str) -> ContentFile:
    """Re-encode a validated upload: upright, at most MAX_SIDE px, no metadata; named after `stem`."""
    upload.seek(0)
    with Image.open(upload) as image:
        fmt = image.format
        image = ImageOps.exif_transpose(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE))
        extension = ACCEPTED_FORMATS[fmt]
        out = io.BytesIO()
        if extension == "jpg":
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
        elif extension == "png":
            image.save(out, "PNG", optimize=True)
        else:
            image.save(out, "WEBP", quality=85)
    name = f"{slugify(stem) or 'photo'}-{slugify(Path(upload.name or '').stem)[:40] or 'photo'}.{extension}"
    return ContentFile(out.getvalue(), name=name)
