"""The photo pipeline: type judged by content, size bounded, upright, resized, metadata stripped."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import ExifTags, Image

from sohosolo.core.images import MAX_UPLOAD_BYTES, ImageRejected, process_upload, register_heif_opener

from .factories import image_bytes, jpeg_with_gps


def opened(content: ContentFile) -> Image.Image:
    content.seek(0)
    return Image.open(io.BytesIO(content.read()))


def test_a_phone_photo_loses_its_exif_and_gps_position_but_stays_upright():
    source = Image.open(io.BytesIO(jpeg_with_gps()))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo must carry a GPS position"

    processed = process_upload(ContentFile(jpeg_with_gps(), name="IMG_0001.jpg"))

    image = opened(processed.image)
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "comment" not in image.info and "xmp" not in image.info
    processed.image.seek(0)
    raw = processed.image.read()
    assert b"Apple" not in raw and b"chemin des Vignes" not in raw
    # 2000x1500 with orientation 6 stands up as 1500x2000, then fits in 1600 px.
    assert image.size == (1200, 1600)
    red, _green, blue = image.convert("RGB").getpixel((600, 100))
    assert red > 150 and blue < 100, "the left (red) half must be on top once turned upright"


def test_the_thumbnail_is_400_px_at_most_and_has_no_metadata_either():
    processed = process_upload(ContentFile(jpeg_with_gps(), name="x.jpg"))

    thumb = opened(processed.thumbnail)

    assert max(thumb.size) == 400
    assert len(thumb.getexif()) == 0


def test_the_stored_file_name_says_nothing_of_the_original_name():
    processed = process_upload(ContentFile(image_bytes(), name="maison-de-jean-dupont-auch.jpg"))

    assert "dupont" not in processed.image.name
    assert processed.image.name.endswith(".jpg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted(fmt):
    processed = process_upload(ContentFile(image_bytes(fmt), name="photo.bin"))

    assert opened(processed.image).format == "JPEG"


def test_a_transparent_png_is_flattened_on_white():
    data = image_bytes("PNG", colour=(0, 0, 0, 0), transparent=True)

    processed = process_upload(ContentFile(data, name="logo.png"))

    assert opened(processed.image).convert("RGB").getpixel((1, 1)) == (255, 255, 255)


def test_a_heic_photo_from_a_phone_is_accepted():
    assert register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 80, 40)).save(out, format="HEIF", quality=80)

    processed = process_upload(ContentFile(out.getvalue(), name="IMG_4242.HEIC"))

    assert opened(processed.image).size == (320, 240)


def test_a_text_file_named_like_a_photo_is_refused():
    with pytest.raises(ImageRejected) as error:
        process_upload(ContentFile(b"Ceci n'est pas une image.", name="photo.jpg"))

    assert str(error.value) == "Ce fichier n'est pas une image reconnue (JPEG, PNG, WebP ou HEIC)."


def test_an_image_of_another_format_is_refused_by_its_content():
    with pytest.raises(ImageRejected):
        process_upload(ContentFile(image_bytes("GIF"), name="photo.jpg"))


def test_a_truncated_jpeg_is_refused():
    data = image_bytes("JPEG", size=(400, 300))

    with pytest.raises(ImageRejected):
        process_upload(ContentFile(data[: len(data) // 3], name="photo.jpg"))


def test_a_file_over_10_mb_is_refused_before_being_decoded():
    with pytest.raises(ImageRejected) as error:
        process_upload(ContentFile(b"\xff\xd8" + b"0" * MAX_UPLOAD_BYTES, name="big.jpg"))

    assert str(error.value) == "La photo dépasse 10 Mo."


def test_an_image_of_more_than_60_million_pixels_is_refused_without_being_decoded():
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 Mpx, a few kilobytes

    with pytest.raises(ImageRejected) as error:
        process_upload(ContentFile(out.getvalue(), name="plan.png"))

    assert "60 millions de pixels" in str(error.value)
