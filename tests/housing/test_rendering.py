"""Every page and email of the app renders without an undefined template variable."""

import pytest

from sohosolo.core.models import OutboxMessage
from sohosolo.housing.models import HousingOffer
from sohosolo.housing.services import (
    housing_contact_send,
    housing_send_expiry_reminders,
    housing_unpublish_by_staff,
)

from .factories import HousingOfferFactory, photo_of

pytestmark = pytest.mark.django_db

UNDEFINED = "INVALID_TEMPLATE_VARIABLE"


@pytest.fixture
def offer(village_a, committee_a):
    offer = HousingOfferFactory(village=village_a, author=committee_a, published=True, is_sample=True)
    photo_of(offer)
    photo_of(offer, alt_text="Deuxième photo")
    return offer


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_committee_and_public_pages_render_cleanly(client, advisor, offer, lang):
    client.force_login(advisor)
    base = f"/{lang}/suivi/logements/"
    pages = [
        base,
        f"{base}nouvelle/",
        f"{base}{offer.pk}/",
        f"{base}{offer.pk}/depublier/",
        f"/{lang}/logements/{offer.pk}/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert UNDEFINED not in response.content.decode(), path

    HousingOffer.objects.filter(pk=offer.pk).update(status="expired")
    gone = client.get(f"/{lang}/logements/{offer.pk}/")
    assert gone.status_code == 410 and UNDEFINED not in gone.content.decode()


def test_the_emails_render_cleanly(offer, advisor):
    from datetime import timedelta

    from django.utils import timezone

    housing_contact_send(offer=offer, name="Léa", email="lea@exemple.fr", message="Bonjour !", language="fr")
    HousingOffer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() + timedelta(days=3))
    housing_send_expiry_reminders()
    housing_unpublish_by_staff(offer=offer, by=advisor, reason="Doublon d'une autre offre.")

    messages = OutboxMessage.objects.all()
    assert {m.kind for m in messages} == {"housing_contact", "housing_expiry_reminder", "housing_unpublished"}
    for message in messages:
        assert UNDEFINED not in message.subject + message.body_text + message.body_html
        assert "&#x27;" not in message.subject + message.body_text
    assert "Doublon d'une autre offre." in messages.get(kind="housing_unpublished").body_text


def test_the_admin_lists_and_opens_offers(client, offer):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory(admin=True))

    assert client.get("/admin/housing/housingoffer/").status_code == 200
    assert client.get(f"/admin/housing/housingoffer/{offer.pk}/change/").status_code == 200
    assert client.get("/admin/housing/housingcontactmessage/").status_code == 200
