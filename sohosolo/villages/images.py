"""Committees' photos go through the same pipeline as housing photos (sohosolo.core.images)."""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import slugify

from sohosolo.core.images import ACCEPT_ATTRIBUTE, MAX_UPLOAD_BYTES, ImageRejected, process_upload

__all__ = ["ACCEPT_ATTRIBUTE", "MAX_UPLOAD_BYTES", "normalised_photo", "validate_photo"]

# Village pages show photos wider than housing cards.
MAX_SIDE = 2400


def validate_photo(upload) -> None:
    """Raise ValidationError with a message for the committee unless the upload is a usable photo."""
    try:
        process_upload(upload, max_side=MAX_SIDE)
    except ImageRejected as exc:
        raise ValidationError(exc.message, code="invalid_photo") from None
    finally:
        upload.seek(0)


def normalised_photo(upload, *, stem: str) -> ContentFile:
    """Re-encode a validated upload: upright, at most MAX_SIDE px, no metadata; named after `stem`."""
    processed = process_upload(upload, max_side=MAX_SIDE)
    return ContentFile(processed.image.read(), name=f"{slugify(stem) or 'photo'}-{uuid.uuid4().hex[:8]}.jpg")
