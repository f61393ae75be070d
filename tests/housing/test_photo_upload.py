"""Photos through the committee's forms: clear errors that keep the other fields, metadata stripped,
at most 10, alt text required, order and removal logged."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from PIL import ExifTags, Image

from sohosolo.core.images import MAX_UPLOAD_BYTES
from sohosolo.housing.models import HousingOffer, HousingPhoto

from .factories import HousingOfferFactory, image_bytes, jpeg_with_gps, photo_of, upload
from .test_committee_pages import CREATE, edit_form, edit_url, offer_form

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "Ce fichier n&#x27;est pas une image reconnue (JPEG, PNG, WebP ou HEIC)."
TOO_LARGE = "La photo dépasse 10 Mo."


@pytest.fixture
def offer_a(village_a, committee_a):
    return HousingOfferFactory(village=village_a, author=committee_a)


def stored(field) -> Image.Image:
    with default_storage.open(field.name) as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_a_text_file_named_photo_jpg_is_refused_and_the_other_fields_are_kept(client, committee_a, village_a):
    client.force_login(committee_a)
    fake = upload(b"%PDF-1.4 not a photo at all", name="photo.jpg", content_type="image/jpeg")

    response = client.post(
        CREATE,
        {
            **offer_form(village_a, title_fr="Longère à rénover", description_fr="Grange attenante."),
            "photo": fake,
            "photo_alt": "La longère",
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert NOT_AN_IMAGE in body
    assert 'aria-describedby="id_photo_helptext id_photo_error"' in body
    assert 'value="Longère à rénover"' in body and "Grange attenante." in body
    assert 'value="La longère"' in body and 'value="780"' in body
    assert "choisissez la photo à nouveau" in body
    assert not HousingOffer.objects.exists()


def test_a_photo_over_10_mb_is_refused_with_a_clear_message_and_fields_kept(client, committee_a, offer_a):
    client.force_login(committee_a)
    big = upload(b"\xff\xd8\xff\xe0" + b"\0" * MAX_UPLOAD_BYTES, name="IMG_0002.JPG")

    response = client.post(
        edit_url(offer_a),
        {**edit_form(offer_a, title_fr="Titre modifié"), "photo": big, "photo_alt": "Le salon"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert TOO_LARGE in body
    assert 'value="Titre modifié"' in body
    offer_a.refresh_from_db()
    assert offer_a.title_fr != "Titre modifié" and offer_a.photos.count() == 0


def test_a_photo_needs_its_alt_text(client, committee_a, offer_a):
    client.force_login(committee_a)

    response = client.post(edit_url(offer_a), {**edit_form(offer_a), "photo": upload(image_bytes())})

    assert response.status_code == 400
    assert "texte alternatif" in response.content.decode()
    assert offer_a.photos.count() == 0


def test_an_uploaded_phone_photo_is_stored_without_exif_or_gps(client, committee_a, village_a):
    client.force_login(committee_a)

    response = client.post(
        CREATE,
        {
            **offer_form(village_a, action="publish"),
            "photo": upload(jpeg_with_gps(), name="IMG_0001.JPG"),
            "photo_alt": "La façade et le jardin",
        },
    )

    assert response.status_code == 302
    photo = HousingPhoto.objects.get()
    image, thumbnail = stored(photo.image), stored(photo.thumbnail)
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in image.info and "comment" not in image.info
    assert image.size == (1200, 1600) and max(thumbnail.size) == 400
    assert len(thumbnail.getexif()) == 0
    assert photo.alt_text == "La façade et le jardin"
    assert "IMG_0001" not in photo.image.name
    assert LogEntry.objects.get_for_object(photo).get().actor == committee_a


def test_a_heic_photo_is_accepted_through_the_form(client, committee_a, offer_a):
    client.force_login(committee_a)
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 60)).save(out, format="HEIF", quality=70)

    response = client.post(
        edit_url(offer_a),
        {
            **edit_form(offer_a),
            "photo": upload(out.getvalue(), name="IMG_7.HEIC", content_type="image/heic"),
            "photo_alt": "Vue sur les coteaux",
        },
    )

    assert response.status_code == 302
    assert stored(offer_a.photos.get().image).format == "JPEG"


def test_an_offer_holds_at_most_10_photos(client, committee_a, offer_a):
    for _ in range(10):
        photo_of(offer_a)
    client.force_login(committee_a)

    response = client.post(
        edit_url(offer_a), {**edit_form(offer_a), "photo": upload(image_bytes()), "photo_alt": "Une de trop"}
    )

    assert response.status_code == 400
    assert "au plus 10 photos" in response.content.decode()
    assert offer_a.photos.count() == 10


def test_photos_are_reordered_described_and_removed_with_their_files(
    client, committee_a, offer_a, django_capture_on_commit_callbacks
):
    first, second = photo_of(offer_a, alt_text="Cuisine"), photo_of(offer_a, alt_text="Jardin")
    client.force_login(committee_a)
    base = edit_url(offer_a)

    client.post(f"{base}photos/{second.pk}/deplacer/", {"direction": "up"})
    assert list(offer_a.photos.values_list("alt_text", flat=True)) == ["Jardin", "Cuisine"]

    client.post(f"{base}photos/{first.pk}/", {f"photo-{first.pk}-alt_text": "Cuisine équipée"})
    first.refresh_from_db()
    assert first.alt_text == "Cuisine équipée"

    empty = client.post(f"{base}photos/{first.pk}/", {f"photo-{first.pk}-alt_text": ""})
    assert empty.status_code == 400 and "texte alternatif" in empty.content.decode()

    image_name = second.image.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}photos/{second.pk}/supprimer/")
    assert list(offer_a.photos.values_list("alt_text", flat=True)) == ["Cuisine équipée"]
    assert not default_storage.exists(image_name)
    actions = set(
        LogEntry.objects.filter(content_type__model="housingphoto").values_list("action", flat=True)
    )
    assert actions == {LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE}
