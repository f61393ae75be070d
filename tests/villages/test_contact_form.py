"""A visitor writes to a village's welcome committee: the message is stored and emailed to each member."""

import pytest
from django.core import mail

from sohosolo.core.models import OutboxMessage
from sohosolo.villages.models import CommitteeMessage

from .factories import committee_member, village_in

pytestmark = pytest.mark.django_db

MESSAGE = {
    "name": "Léa Martin",
    "email": "lea.martin@exemple.fr",
    "message": "Bonjour, nous cherchons une maison avec un jardin pour la rentrée. L'école a-t-elle une cantine ?",
}


def contact_url(village) -> str:
    return f"/fr/villages/{village.slug}/contact/"


@pytest.fixture
def village(gers):
    return village_in(gers, commune__name="Marciac")


def test_a_message_is_stored_and_emailed_to_each_committee_member_in_their_language(
    client, village, django_capture_on_commit_callbacks
):
    jeanne = committee_member(village, first_name="Jeanne", preferred_language="en")
    paul = committee_member(village, first_name="Paul")  # no preference: the territory's language
    other = committee_member(village_in(village.territory), first_name="Autre")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url(village), MESSAGE)

    assert response.status_code == 302
    assert response["Location"] == f"/fr/villages/{village.slug}/"
    stored = CommitteeMessage.objects.get()
    assert (stored.village, stored.name, stored.email) == (village, "Léa Martin", "lea.martin@exemple.fr")
    assert stored.message == MESSAGE["message"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([jeanne.email, paul.email])
    assert other.email not in [m.to[0] for m in mail.outbox]
    languages = dict(OutboxMessage.objects.values_list("to", "language"))
    assert languages == {jeanne.email: "en", paul.email: "fr"}
    sent = next(m for m in mail.outbox if m.to == [paul.email])
    assert "Marciac" in sent.subject and "Léa Martin" in sent.subject
    assert "L'école a-t-elle une cantine ?" in sent.body  # the text part is not HTML-escaped
    assert "lea.martin@exemple.fr" in sent.body
    assert "Bonjour Paul," in sent.body
    # The success message is shown on the page the visitor lands on.
    followed = client.get(response["Location"])
    assert "votre message a été envoyé au comité d&#x27;accueil de Marciac" in followed.content.decode()


def test_the_html_part_escapes_what_the_visitor_typed(client, village, django_capture_on_commit_callbacks):
    committee_member(village)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(contact_url(village), {**MESSAGE, "message": "<script>alert(1)</script> une maison ?"})

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_filled_honeypot_is_refused_and_nothing_is_sent(
    client, village, django_capture_on_commit_callbacks
):
    committee_member(village)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url(village), {**MESSAGE, "website": "http://spam.example"})

    assert response.status_code == 400
    assert "réservé à la détection des robots" in response.content.decode()
    assert not CommitteeMessage.objects.exists()
    assert mail.outbox == []


def test_an_invalid_email_re_renders_the_form_with_the_message_kept(client, village):
    committee_member(village)

    response = client.post(contact_url(village), {**MESSAGE, "email": "lea.martin@"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Le formulaire contient des erreurs" in body
    assert 'aria-invalid="true"' in body and 'id="id_email_error"' in body
    assert "nous cherchons une maison avec un jardin" in body
    assert 'value="Léa Martin"' in body
    assert not CommitteeMessage.objects.exists()


def test_the_sixth_message_in_a_minute_from_one_address_is_refused_with_a_429(client, village):
    committee_member(village)

    statuses = [client.post(contact_url(village), MESSAGE).status_code for _ in range(6)]

    assert statuses == [302] * 5 + [429]
    assert CommitteeMessage.objects.count() == 5
    # Reading the page is not limited.
    assert client.get(f"/fr/villages/{village.slug}/").status_code == 200


def test_a_village_without_committee_shows_no_form_and_refuses_a_post(client, village):
    page = client.get(f"/fr/villages/{village.slug}/").content.decode()
    assert "Le comité d'accueil de ce village se constitue" in page
    assert contact_url(village) not in page

    response = client.post(contact_url(village), MESSAGE)

    assert response.status_code == 400
    assert not CommitteeMessage.objects.exists()


def test_a_draft_village_cannot_be_written_to(client, gers):
    draft = village_in(gers, draft=True)
    committee_member(draft)

    assert client.post(contact_url(draft), MESSAGE).status_code == 404
    assert not CommitteeMessage.objects.exists()


def test_reading_the_contact_url_is_not_allowed(client, village):
    assert client.get(contact_url(village)).status_code == 405
