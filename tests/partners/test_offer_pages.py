"""« Mon partenaire » (/suivi/partenaires/mes-offres/): a partner's staff manage their own partner's
offers only; another partner's offer or partner answers 404, even in the same territory."""

import datetime

import pytest
import time_machine

from sohosolo.accounts.models import Role
from sohosolo.partners.models import Offer
from tests.accounts.staff_factories import member

from .factories import OfferFactory, partner_in, partner_staff

pytestmark = pytest.mark.django_db

MINE = "/fr/suivi/partenaires/mes-offres/"
TODAY = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)


def create_url(partner) -> str:
    return f"/fr/suivi/partenaires/{partner.pk}/offres/ajouter/"


def edit_url(offer) -> str:
    return f"/fr/suivi/partenaires/offres/{offer.pk}/modifier/"


def active_url(offer) -> str:
    return f"/fr/suivi/partenaires/offres/{offer.pk}/activation/"


def offer_post(**overrides) -> dict:
    data = {
        "title_fr": "Première consultation gratuite",
        "description_fr": "Une heure pour faire le point sur votre projet.",
        "conditions_fr": "Sur rendez-vous.",
        "title_en": "First consultation free of charge",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "uses_per_passport": "1",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def notary(gers):
    return partner_in(gers, name="Étude notariale de Condom")


@pytest.fixture
def bank(gers):
    return partner_in(gers, name="Banque de Lectoure")


@pytest.fixture
def notary_staff(notary):
    return partner_staff(notary, email="clerc@notaire.fr")


# --- Who may enter ----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login(client, gers, notary):
    offer = OfferFactory(partner=notary)
    for url in (MINE, create_url(notary), edit_url(offer)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"/fr/compte/connexion/?next={url}")
    assert client.post(active_url(offer), {"active": "0"}).status_code == 302
    offer.refresh_from_db()
    assert offer.is_active


def test_a_partners_staff_sees_and_edits_only_their_partners_offers(client, notary, bank, notary_staff):
    mine = OfferFactory(partner=notary, title_fr="Première consultation gratuite")
    theirs = OfferFactory(partner=bank, title_fr="Compte sans frais")
    client.force_login(notary_staff)

    page = client.get(MINE)
    body = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Mon partenaire</h1>" in body
    assert "Première consultation gratuite" in body and "Compte sans frais" not in body
    assert "INVALID_TEMPLATE_VARIABLE" not in body

    edit = client.get(edit_url(mine))
    assert edit.status_code == 200 and "INVALID_TEMPLATE_VARIABLE" not in edit.content.decode()
    assert client.get(create_url(notary)).status_code == 200
    # Another partner of the same territory: as if it did not exist.
    assert client.get(edit_url(theirs)).status_code == 404
    assert client.post(edit_url(theirs), offer_post(title_fr="Piraté")).status_code == 404
    assert client.post(active_url(theirs), {"active": "0"}).status_code == 404
    assert client.get(create_url(bank)).status_code == 404
    assert client.post(create_url(bank), offer_post()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title_fr == "Compte sans frais" and theirs.is_active
    assert not bank.offers.exclude(pk=theirs.pk).exists()


def test_a_partners_staff_creates_an_offer_with_its_translation(client, notary, notary_staff):
    client.force_login(notary_staff)

    response = client.post(create_url(notary), offer_post(uses_per_passport="3"))

    assert response.status_code == 302 and response["Location"] == MINE
    offer = Offer.objects.get()
    assert offer.partner == notary
    assert offer.title_fr == "Première consultation gratuite"
    assert offer.title_en == "First consultation free of charge"
    assert offer.conditions_fr == "Sur rendez-vous."
    assert offer.valid_from == datetime.date(2026, 1, 1) and offer.valid_until == datetime.date(2026, 12, 31)
    assert offer.uses_per_passport == 3 and offer.is_active
    assert "Offre « Première consultation gratuite » ajoutée." in client.get(MINE).content.decode()


def test_an_offer_saved_from_an_english_page_keeps_its_french_title(client, notary, notary_staff):
    offer = OfferFactory(partner=notary, title_fr="Première consultation gratuite")
    client.force_login(notary_staff)

    client.post(f"/en{edit_url(offer)[3:]}", offer_post(title_en="Free first meeting"))

    offer.refresh_from_db()
    assert offer.title_fr == "Première consultation gratuite"
    assert offer.title_en == "Free first meeting"


def test_a_partners_staff_deactivates_and_reactivates_an_offer(client, notary, notary_staff):
    offer = OfferFactory(partner=notary, title_fr="Première consultation gratuite")
    client.force_login(notary_staff)

    response = client.post(active_url(offer), {"active": "0"})

    assert response.status_code == 302 and response["Location"] == MINE
    offer.refresh_from_db()
    assert not offer.is_active
    body = client.get(MINE).content.decode()
    assert "elle n&#x27;est plus proposée aux titulaires du passeport" in body
    assert "Désactivée" in body and "Réactiver" in body
    client.post(active_url(offer), {"active": "1"})
    offer.refresh_from_db()
    assert offer.is_active
    assert client.get(active_url(offer)).status_code == 405  # only a POST changes it


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PROSPECT, Role.MEMBER])
def test_other_people_of_the_territory_are_refused(client, gers, notary, role):
    offer = OfferFactory(partner=notary)
    client.force_login(member(gers, role))

    assert client.get(MINE).status_code == 403
    assert client.get(edit_url(offer)).status_code == 403
    assert client.post(create_url(notary), offer_post()).status_code == 403
    assert client.post(active_url(offer), {"active": "0"}).status_code == 403
    assert Offer.objects.count() == 1


def test_a_partner_role_without_a_partner_sees_an_explanation(client, gers, notary):
    offer = OfferFactory(partner=notary)
    client.force_login(member(gers, Role.PARTNER))

    body = client.get(MINE).content.decode()

    assert "Vous n'êtes rattaché à aucun partenaire pour le moment." in body
    assert client.get(edit_url(offer)).status_code == 404


def test_the_staff_of_another_territory_gets_not_found(client, gers, landes, notary):
    offer = OfferFactory(partner=notary)
    landes_partner = partner_in(landes)
    client.force_login(partner_staff(landes_partner))

    assert client.get(MINE).status_code == 404
    assert client.get(edit_url(offer)).status_code == 404
    client.force_login(member(landes, Role.TERRITORY_ADMIN))
    assert client.get(edit_url(offer)).status_code == 404
    assert client.post(create_url(notary), offer_post()).status_code == 404


def test_territory_staff_manage_every_partners_offers(client, gers, notary, bank):
    theirs = OfferFactory(partner=bank, title_fr="Compte sans frais")
    client.force_login(member(gers, Role.ADVISOR))

    body = client.get(MINE).content.decode()
    assert "Offres des partenaires" in body and "Compte sans frais" in body and notary.name in body

    response = client.post(edit_url(theirs), offer_post(title_fr="Compte pro sans frais"))
    assert response.status_code == 302 and response["Location"] == f"/fr/suivi/partenaires/{bank.pk}/"
    response = client.post(create_url(notary), offer_post())
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title_fr == "Compte pro sans frais"
    assert notary.offers.count() == 1


# --- Validation -------------------------------------------------------------------------------------


def test_an_end_before_the_start_is_explained_and_nothing_typed_is_lost(client, notary, notary_staff):
    client.force_login(notary_staff)

    response = client.post(create_url(notary), offer_post(valid_from="2026-06-30", valid_until="2026-06-01"))

    body = response.content.decode()
    assert response.status_code == 400
    assert (
        "La date de fin de validité (01/06/2026) est avant la date de début (30/06/2026) : "
        "corrigez l&#x27;une ou l&#x27;autre." in body
    )
    assert 'href="#id_valid_until"' in body
    assert 'aria-invalid="true"' in body
    assert 'value="2026-06-01"' in body and "Première consultation gratuite" in body
    assert not Offer.objects.exists()


def test_the_same_day_for_start_and_end_is_accepted(client, notary, notary_staff):
    client.force_login(notary_staff)

    client.post(create_url(notary), offer_post(valid_from="2026-06-01", valid_until="2026-06-01"))

    assert Offer.objects.get().valid_until == datetime.date(2026, 6, 1)


@pytest.mark.parametrize("uses", ["0", "-2", ""])
def test_an_offer_is_used_at_least_once_per_passport(client, notary, notary_staff, uses):
    client.force_login(notary_staff)

    response = client.post(create_url(notary), offer_post(uses_per_passport=uses))

    assert response.status_code == 400
    assert 'href="#id_uses_per_passport"' in response.content.decode()
    assert not Offer.objects.exists()


def test_a_title_is_required(client, notary, notary_staff):
    client.force_login(notary_staff)

    response = client.post(create_url(notary), offer_post(title_fr="  "))

    assert response.status_code == 400
    assert "Indiquez le titre de l&#x27;offre." in response.content.decode()


def test_the_service_refuses_reversed_dates_and_no_use_too(notary):
    from sohosolo.partners.services import PartnerError, offer_create

    with pytest.raises(PartnerError) as reversed_dates:
        offer_create(
            partner=notary,
            data={
                "title_fr": "Offre",
                "valid_from": datetime.date(2026, 5, 2),
                "valid_until": datetime.date(2026, 5, 1),
                "uses_per_passport": 1,
            },
        )
    assert reversed_dates.value.field == "valid_until"
    with pytest.raises(PartnerError) as no_use:
        offer_create(partner=notary, data={"title_fr": "Offre", "uses_per_passport": 0})
    assert no_use.value.field == "uses_per_passport"
    assert not Offer.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_the_list_tells_current_upcoming_expired_and_inactive_offers_apart(client, notary, notary_staff):
    OfferFactory(partner=notary, title_fr="En cours", valid_until=datetime.date(2026, 3, 10))
    OfferFactory(partner=notary, title_fr="Bientôt", valid_from=datetime.date(2026, 4, 1))
    OfferFactory(partner=notary, title_fr="Finie", valid_until=datetime.date(2026, 3, 9))
    OfferFactory(partner=notary, title_fr="Arrêtée", is_active=False)
    client.force_login(notary_staff)

    body = client.get(MINE).content.decode()

    for title, status in [
        ("En cours", "Proposée"),
        ("Bientôt", "À venir"),
        ("Finie", "Expirée"),
        ("Arrêtée", "Désactivée"),
    ]:
        row = body.split(f'<h3 class="offer-row-title">{title}</h3>', 1)[1].split("</li>", 1)[0]
        assert f">{status}</span>" in row, title
    assert "Jusqu'au 10 mars 2026" in body and "À partir du 1 avril 2026" in body
