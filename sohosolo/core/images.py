"""Uploaded photos made safe to publish: type checked by content, size bounded, metadata stripped.

Phones send JPEG or HEIC with EXIF metadata that often holds the GPS position of the house: a
published photo must never carry it. Every upload is decoded with Pillow (the file's name and the
browser's content type are ignored), turned upright from its EXIF orientation, resized and encoded
again from the pixels alone, so EXIF, GPS, XMP and comments are left behind.

Reusable by any app that takes photos: ``process_upload(file)`` returns the encoded image and its
thumbnail, or raises ``ImageRejected`` with a message for the person who sent it.
"""

import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
THUMB_SIDE = 400
# A 10 MB file can still unpack to a huge bitmap ("decompression bomb"): refuse beyond 60 Mpx.
MAX_PIXELS = 60_000_000
# Format names as Pillow reports them once pillow-heif's opener is registered.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# What the file input proposes; the server never trusts it.
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/heic,image/heif,.jpg,.jpeg,.png,.webp,.heic,.heif"
JPEG_QUALITY = 82

_heif_registered = False


def register_heif_opener() -> bool:
    """Let Pillow open HEIC/HEIF photos (iPhones' default); return False if pillow-heif is missing."""
    global _heif_registered
    if _heif_registered:
        return True
    try:
        from pillow_heif import register_heif_opener as register
    except ImportError:  # pragma: no cover - pillow-heif is a pinned dependency
        return False
    register()
    _heif_registered = True
    return True


class ImageRejected(Exception):
    """The upload is not an acceptable photo; ``message`` tells the person why."""

    NOT_AN_IMAGE = _("Ce fichier n'est pas une image reconnue (JPEG, PNG, WebP ou HEIC).")
    TOO_LARGE = _("La photo dépasse 10 Mo.")
    TOO_MANY_PIXELS = _("Cette image est trop grande (plus de 60 millions de pixels).")

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _open_checked(file) -> Image.Image:
    """Open the upload as an image of an accepted format, judged by its bytes only."""
    register_heif_opener()
    try:
        file.seek(0)
        probe = Image.open(file, formats=ACCEPTED_FORMATS)
        if probe.width * probe.height > MAX_PIXELS:
            raise ImageRejected(ImageRejected.TOO_MANY_PIXELS)
        probe.verify()  # structure check; the image cannot be used afterwards
        file.seek(0)
        image = Image.open(file, formats=ACCEPTED_FORMATS)
        image.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRejected(ImageRejected.NOT_AN_IMAGE) from exc
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency on white and convert to 8-bit RGB, the only thing JPEG stores."""
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    if image.mode.startswith("I"):  # 16-bit greyscale PNG
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _encode(image: Image.Image, icc_profile: bytes | None) -> bytes:
    buffer = io.BytesIO()
    options = {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
    if icc_profile:
        options["icc_profile"] = icc_profile  # colours, not personal data
    image.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def process_upload(file, *, max_side: int = MAX_SIDE, thumb_side: int = THUMB_SIDE) -> ProcessedImage:
    """Check, orient, resize and re-encode an uploaded photo as JPEG, with a thumbnail.

    Raises ImageRejected (with a French message, translated for the reader) when the file is over
    10 MB, is not a JPEG, PNG, WebP or HEIC image by its content, or is unreasonably large.
    """
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if size > MAX_UPLOAD_BYTES:
        raise ImageRejected(ImageRejected.TOO_LARGE)
    source = _open_checked(file)
    icc_profile = source.info.get("icc_profile")
    try:
        upright = ImageOps.exif_transpose(source)
        image = _to_rgb(upright)
    except (OSError, ValueError) as exc:
        raise ImageRejected(ImageRejected.NOT_AN_IMAGE) from exc
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Nothing from the source file's metadata goes further (EXIF, GPS, XMP, comments).
    image.info = {}
    thumbnail = image.copy()
    thumbnail.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    thumbnail.info = {}
    # A random name: the original file name may say who sent it or where.
    stem = uuid.uuid4().hex
    return ProcessedImage(
        image=ContentFile(_encode(image, icc_profile), name=f"{stem}.jpg"),
        thumbnail=ContentFile(_encode(thumbnail, icc_profile), name=f"{stem}.jpg"),
        width=image.width,
        height=image.height,
    )
