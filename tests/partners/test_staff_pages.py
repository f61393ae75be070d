"""The staff area's partners (/suivi/partenaires/): territory staff list, create and edit partners,
see their staff and invite more; a partner's own staff read its page, never another partner's."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sohosolo.accounts.models import Role
from sohosolo.partners.models import Partner
from tests.accounts.staff_factories import member
from tests.territories.factories import CommuneFactory

from .factories import OfferFactory, partner_in, partner_staff

pytestmark = pytest.mark.django_db

LIST = "/fr/suivi/partenaires/"
CREATE = "/fr/suivi/partenaires/nouveau/"
LANDES = {"HTTP_HOST": "landes.localhost"}


def detail_url(partner) -> str:
    return f"/fr/suivi/partenaires/{partner.pk}/"


def edit_url(partner) -> str:
    return f"/fr/suivi/partenaires/{partner.pk}/modifier/"


def partner_post(**overrides) -> dict:
    data = {
        "name": "Étude de Maître Lafitte",
        "kind": "notary",
        "description_fr": "Achat d'une maison, création de société.",
        "description_en": "Buying a house, setting up a company.",
        "address": "3 rue Gambetta",
        "commune": "",
        "lat": "",
        "lon": "",
        "website": "notaire-lafitte.fr",
        "phone": "05 62 00 00 00",
        "email": "etude@notaire-lafitte.fr",
        "is_published": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def png_upload(size=(800, 400), name="logo.png", mode="RGBA") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, size, (31, 92, 61, 200) if mode == "RGBA" else (31, 92, 61)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def admin(gers):
    return member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")


@pytest.fixture
def auch(gers):
    return CommuneFactory(
        territory=gers, name="Auch", code="32013", lat=43.646, lon=0.5857, with_boundary=True
    )


# --- Who may enter ----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login(client, gers):
    partner = partner_in(gers)
    for url in (LIST, CREATE, detail_url(partner), edit_url(partner)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/fr/compte/connexion/?next={url}")


@pytest.mark.parametrize("role", [Role.PROSPECT, Role.COMMITTEE, Role.MEMBER])
def test_a_person_of_the_territory_without_a_staff_role_is_refused(client, gers, role):
    partner = partner_in(gers)
    client.force_login(member(gers, role))

    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, partner_post()).status_code == 403
    assert client.get(detail_url(partner)).status_code == 403
    assert client.get(edit_url(partner)).status_code == 403
    assert Partner.objects.count() == 1


def test_the_staff_of_another_territory_gets_not_found(client, gers, landes):
    partner = partner_in(gers)
    client.force_login(member(landes, Role.TERRITORY_ADMIN))

    assert client.get(LIST).status_code == 404
    assert client.get(detail_url(partner)).status_code == 404
    assert client.post(edit_url(partner), partner_post()).status_code == 404
    # On their own territory's host, another territory's partner does not exist either.
    assert client.get(detail_url(partner), **LANDES).status_code == 404


def test_a_partners_staff_reads_its_page_but_not_another_partners(client, gers):
    mine, other = partner_in(gers, name="Notaire"), partner_in(gers, name="Banque")
    OfferFactory(partner=mine, title_fr="Première consultation gratuite")
    client.force_login(partner_staff(mine))

    page = client.get(detail_url(mine))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Première consultation gratuite" in body
    assert "Équipe du partenaire" not in body and "Modifier la fiche" not in body
    assert client.get(detail_url(other)).status_code == 404
    assert client.get(edit_url(other)).status_code == 404
    # Their own partner's profile is the territory's to edit.
    assert client.get(edit_url(mine)).status_code == 403
    assert client.post(edit_url(mine), partner_post(name="Renommé")).status_code == 403
    assert client.get(LIST).status_code == 403
    mine.refresh_from_db()
    assert mine.name == "Notaire"


# --- List, create, edit -----------------------------------------------------------------------------


def test_the_list_shows_every_partner_of_the_territory_with_offers_and_staff(client, gers, landes, advisor):
    notary = partner_in(gers, name="Étude de Condom", is_sample=True)
    OfferFactory(partner=notary)
    OfferFactory(partner=notary, is_active=False)
    partner_staff(notary)
    partner_in(gers, name="Banque cachée", is_published=False)
    partner_in(landes, name="Notaire des Landes")
    client.force_login(advisor)

    response = client.get(LIST)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Étude de Condom" in body and "Banque cachée" in body and "Non publié" in body
    assert "Notaire des Landes" not in body
    assert "<td>1</td>" in body  # one active offer
    assert "1 personne" in body
    assert "Donnée d'exemple" in body
    assert "INVALID_TEMPLATE_VARIABLE" not in body


def test_an_advisor_creates_a_partner_placed_at_its_communes_centre(client, gers, advisor, auch):
    client.force_login(advisor)

    form = client.get(CREATE)
    assert form.status_code == 200
    assert "data-point-picker" in form.content.decode()
    response = client.post(CREATE, partner_post(commune=auch.pk))

    partner = Partner.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(partner)
    assert partner.territory == gers and partner.slug == "etude-de-maitre-lafitte"
    assert partner.description_fr == "Achat d'une maison, création de société."
    assert partner.description_en == "Buying a house, setting up a company."
    assert (partner.lat, partner.lon) == (auch.lat, auch.lon)
    assert partner.website == "https://notaire-lafitte.fr"
    assert partner.is_published and not partner.is_sample


def test_two_partners_of_the_same_name_get_distinct_addresses(client, gers, admin):
    client.force_login(admin)
    client.post(CREATE, partner_post())
    client.post(CREATE, partner_post())

    assert sorted(Partner.objects.values_list("slug", flat=True)) == [
        "etude-de-maitre-lafitte",
        "etude-de-maitre-lafitte-2",
    ]


def test_a_point_inside_the_commune_is_kept_and_one_outside_is_refused(client, gers, advisor, auch):
    client.force_login(advisor)

    outside = client.post(CREATE, partner_post(commune=auch.pk, lat="43,9", lon="0,2"))
    assert outside.status_code == 400
    assert "Ce point n&#x27;est pas dans la commune de Auch" in outside.content.decode()
    assert not Partner.objects.exists()

    inside = client.post(CREATE, partner_post(commune=auch.pk, lat="43,648", lon="0,587"))
    assert inside.status_code == 302
    partner = Partner.objects.get()
    assert (partner.lat, partner.lon) == (43.648, 0.587)


def test_a_point_without_commune_finds_its_commune(client, gers, advisor, auch):
    client.force_login(advisor)

    client.post(CREATE, partner_post(lat="43.647", lon="0.586"))

    assert Partner.objects.get().commune == auch


def test_half_a_position_and_a_missing_name_are_explained_and_kept(client, gers, advisor):
    client.force_login(advisor)

    response = client.post(CREATE, partner_post(name="", lat="43.6"))

    body = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez la latitude et la longitude, ou laissez les deux vides." in body
    assert 'href="#id_name"' in body
    assert 'value="43.6"' in body  # nothing typed is lost
    assert "Achat d&#x27;une maison" in body
    assert not Partner.objects.exists()


def test_a_commune_of_another_territory_cannot_be_chosen(client, gers, landes, advisor):
    dax = CommuneFactory(territory=landes, name="Dax", code="40088")
    client.force_login(advisor)

    response = client.post(CREATE, partner_post(commune=dax.pk))

    assert response.status_code == 400
    assert not Partner.objects.exists()


def test_the_logo_is_re_encoded_and_bounded(client, gers, advisor):
    client.force_login(advisor)

    client.post(CREATE, {**partner_post(), "logo": png_upload((1200, 300))})

    partner = Partner.objects.get()
    assert partner.logo.name.startswith("partners/logos/etude-de-maitre-lafitte-")
    assert partner.logo.name.endswith(".jpg")
    with partner.logo.open("rb") as stored:
        image = Image.open(stored)
        assert image.format == "JPEG" and max(image.size) <= 600


def test_a_file_that_is_not_an_image_is_refused_with_a_message(client, gers, advisor):
    client.force_login(advisor)
    fake = SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png")

    response = client.post(CREATE, {**partner_post(), "logo": fake})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Ce fichier n&#x27;est pas une image reconnue" in body
    assert "choisissez le logo à nouveau" in body
    assert not Partner.objects.exists()


def test_editing_keeps_the_address_and_may_remove_the_logo(client, gers, advisor):
    client.force_login(advisor)
    client.post(CREATE, {**partner_post(), "logo": png_upload()})
    partner = Partner.objects.get()

    form = client.get(edit_url(partner)).content.decode()
    assert 'value="Étude de Maître Lafitte"' in form and "Retirer le logo actuel" in form
    assert "INVALID_TEMPLATE_VARIABLE" not in form
    response = client.post(
        edit_url(partner), partner_post(name="Étude Lafitte et associés", is_published=None, remove_logo="on")
    )

    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "Étude Lafitte et associés"
    assert partner.slug == "etude-de-maitre-lafitte"
    assert not partner.is_published and not partner.logo


def test_the_partner_page_lists_its_staff_and_links_to_a_prefilled_invitation(client, gers, admin):
    partner = partner_in(gers, name="Banque du Gers")
    partner_staff(partner, email="guichet@banque.fr")
    partner_staff(partner_in(gers), email="autre@partenaire.fr")
    client.force_login(admin)

    body = client.get(detail_url(partner)).content.decode()

    assert "guichet@banque.fr" in body and "autre@partenaire.fr" not in body
    assert "INVALID_TEMPLATE_VARIABLE" not in body
    invite = f"/fr/suivi/equipe/inviter/?role=partner&amp;scope=partner:{partner.pk}"
    assert invite in body
    form = client.get(f"/fr/suivi/equipe/inviter/?role=partner&scope=partner:{partner.pk}").content.decode()
    assert f'<option value="partner:{partner.pk}" selected>' in form


def test_an_advisor_sees_the_staff_but_invitations_stay_with_administrators(client, gers, advisor):
    partner = partner_in(gers)
    client.force_login(advisor)
    body = client.get(detail_url(partner)).content.decode()

    assert "Équipe du partenaire" in body
    assert "/fr/suivi/equipe/inviter/" not in body
    assert "Les invitations sont envoyées par un administrateur du territoire." in body
