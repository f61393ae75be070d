"""Registration to an occurrence: seats, waiting list, audiences, questions, emails with the .ics and
the cancellation link, the prospect's timeline, and the public pages (form, confirmation, cancel).
"""

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core import mail, signing
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.events.models import (
    Audience,
    EventKind,
    Occurrence,
    OccurrenceStatus,
    Registration,
    RegistrationStatus,
    Series,
)
from sohosolo.events.registration import (
    AlreadyRegistered,
    AnswersMissing,
    AudienceNotAllowed,
    RegistrationClosed,
    cancel,
    cancel_token,
    fill_from_waitlist,
    register,
    waitlist_position,
)
from sohosolo.prospects.models import Activity, ActivityKind
from tests.accounts.staff_factories import member
from tests.prospects.factories import ProspectFactory

PARIS = ZoneInfo("Europe/Paris")
LANDES = {"HTTP_HOST": "landes.localhost"}


# --- Helpers shared by the events tests of registration, reminders and check-in ---------------------


def make_series(territory, **fields) -> Series:
    n = Series.objects.count() + 1
    defaults = {
        "territory": territory,
        "slug": f"mercredis-{n}",
        "kind": EventKind.INFO_MEETING,
        "title": "Les Mercredis de l'installation",
        "dtstart": timezone.now().replace(microsecond=0),
        "duration_minutes": 90,
        "capacity": 30,
        "address": "CCI du Gers, 1 place Jean David, 32000 Auch",
    }
    defaults.update(fields)
    return Series.objects.create(**defaults)


def make_occurrence(
    territory=None, *, series=None, starts_at=None, capacity: int = 30, audience=Audience.PUBLIC, **fields
) -> Occurrence:
    """An occurrence a week from now at 18:00 Paris (or ``starts_at``), 90 minutes long."""
    series = series or make_series(territory)
    if starts_at is None:
        day = (timezone.now() + timedelta(days=7)).astimezone(PARIS).date()
        starts_at = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 18, 0), PARIS)
    return Occurrence.objects.create(
        series=series,
        recurrence_id=starts_at,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        capacity=capacity,
        address=series.address,
        audience=audience,
        **fields,
    )


def sign_up(occurrence, n: int, **kwargs) -> Registration:
    kwargs.setdefault("language", "fr")
    return register(occurrence=occurrence, name=f"Personne {n}", email=f"personne{n}@exemple.fr", **kwargs)


def emails(kind: str, to: str | None = None):
    messages = OutboxMessage.objects.filter(kind=kind).order_by("pk")
    return messages.filter(to=to) if to else messages


def page_text(response) -> str:
    """The page's HTML with entities decoded (Django escapes apostrophes in variables)."""
    return html.unescape(response.content.decode())


def link_in(text: str) -> str:
    match = re.search(r"https?://\S+/annulation/[^/\s]+/", text)
    assert match, f"no cancellation link in:\n{text}"
    return match.group(0)


# --- Service --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_registration_within_capacity_is_confirmed_and_emailed_with_the_ics_and_a_cancellation_link(
    gers, django_capture_on_commit_callbacks
):
    occurrence = make_occurrence(gers, capacity=2)

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(
            occurrence=occurrence, name="Claire Dupuy", email="Claire@Exemple.fr", language="fr", answers={}
        )

    assert registration.status == RegistrationStatus.CONFIRMED
    [message] = emails("event_registration")
    assert message.to == "Claire@Exemple.fr"
    assert "Inscription confirmée" in message.subject
    assert "Les Mercredis de l'installation" in message.subject
    assert "Bonjour Claire Dupuy," in message.body_text
    assert "18:00" in message.body_text and "CCI du Gers" in message.body_text
    assert "/fr/agenda/annulation/" in link_in(message.body_text)
    assert link_in(message.body_text) in message.body_html
    [attachment] = message.attachments
    assert attachment["filename"].endswith(".ics") and attachment["mimetype"] == "text/calendar"
    # The worker sent it (immediate task backend) with the calendar attached.
    [sent] = mail.outbox
    assert sent.attachments[0][0] == attachment["filename"]


@pytest.mark.django_db
def test_the_confirmation_ics_parses_back_with_icalendar_at_the_local_time(gers):
    occurrence = make_occurrence(gers)
    sign_up(occurrence, 1)

    [message] = emails("event_registration")
    calendar = icalendar.Calendar.from_ical(message.attachments[0]["content"])
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == occurrence.starts_at
    assert start.astimezone(PARIS).hour == 18
    assert str(event["summary"]) == "Les Mercredis de l'installation"
    assert "CCI du Gers" in str(event["location"])
    assert calendar.walk("VTIMEZONE"), "the time zone travels with the event"


@pytest.mark.django_db
def test_beyond_capacity_people_go_to_the_waiting_list_in_order_and_are_told_so(gers):
    occurrence = make_occurrence(gers, capacity=2)
    first, second, third, fourth = (sign_up(occurrence, n) for n in range(4))

    assert [r.status for r in (first, second)] == [RegistrationStatus.CONFIRMED] * 2
    assert [r.status for r in (third, fourth)] == [RegistrationStatus.WAITLISTED] * 2
    assert (waitlist_position(third), waitlist_position(fourth), waitlist_position(first)) == (1, 2, None)
    assert emails("event_registration").count() == 2
    waitlisted = emails("event_waitlist")
    assert [m.to for m in waitlisted] == [third.email, fourth.email]
    assert "position 2" in waitlisted[1].body_text
    assert not waitlisted[0].attachments, "no calendar entry for a seat not held"
    assert "/annulation/" in link_in(waitlisted[0].body_text)


@pytest.mark.django_db
def test_an_email_already_registered_is_refused_whatever_its_case_and_may_register_again_once_cancelled(gers):
    occurrence = make_occurrence(gers)
    registration = register(occurrence=occurrence, name="Ana", email="ana@exemple.fr", language="fr")

    with pytest.raises(AlreadyRegistered) as refused:
        register(occurrence=occurrence, name="Ana bis", email=" ANA@exemple.fr ", language="fr")
    assert "déjà inscrit" in str(refused.value.message)
    assert refused.value.field == "email"

    cancel(registration)
    again = register(occurrence=occurrence, name="Ana", email="ana@exemple.fr", language="fr")
    assert again.status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db
def test_cancelled_started_and_past_occurrences_refuse_registrations(gers):
    cancelled = make_occurrence(gers, status=OccurrenceStatus.CANCELLED)
    started = make_occurrence(gers, starts_at=timezone.now() - timedelta(minutes=5))
    past = make_occurrence(gers, starts_at=timezone.now() - timedelta(days=3))

    for occurrence, words in [(cancelled, "annulé"), (started, "commencé"), (past, "passé")]:
        with pytest.raises(RegistrationClosed) as refused:
            sign_up(occurrence, 1)
        assert words in str(refused.value.message)
    assert not Registration.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_audiences_members_and_prospects_only(gers, landes):
    members_only = make_occurrence(gers, audience=Audience.MEMBERS)
    prospects_only = make_occurrence(gers, audience=Audience.PROSPECTS)
    prospect = member(gers, Role.PROSPECT)
    solo = member(gers, Role.MEMBER)
    advisor = member(gers, Role.ADVISOR)
    solo_elsewhere = member(landes, Role.MEMBER)

    from django.contrib.auth.models import AnonymousUser

    for occurrence in (members_only, prospects_only):
        with pytest.raises(AudienceNotAllowed) as refused:
            sign_up(occurrence, 1, user=AnonymousUser())
        assert refused.value.login_may_help
        assert "Connectez-vous" in str(refused.value.message)

    with pytest.raises(AudienceNotAllowed) as refused:
        sign_up(members_only, 2, user=prospect)
    assert not refused.value.login_may_help
    assert "réservé aux Solos installés" in str(refused.value.message)
    with pytest.raises(AudienceNotAllowed):
        sign_up(members_only, 3, user=solo_elsewhere)  # a member of another territory

    assert sign_up(members_only, 4, user=solo).user == solo
    assert sign_up(members_only, 5, user=advisor).status == RegistrationStatus.CONFIRMED
    assert sign_up(prospects_only, 6, user=prospect).status == RegistrationStatus.CONFIRMED
    assert sign_up(prospects_only, 7, user=solo).status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db
def test_required_questions_must_be_answered(gers):
    occurrence = make_occurrence(
        gers,
        questions=[
            {"key": "projet", "label": "Votre projet en une phrase", "required": True},
            {"key": "regime", "label": "Régime alimentaire", "required": False},
        ],
    )
    with pytest.raises(AnswersMissing) as refused:
        sign_up(occurrence, 1, answers={"regime": "végétarien"})
    assert set(refused.value.errors) == {"projet"}

    registration = sign_up(occurrence, 1, answers={"projet": "  Un atelier de céramique ", "autre": "x"})
    assert registration.answers == {"projet": "Un atelier de céramique"}


@pytest.mark.django_db
def test_a_known_prospect_is_linked_and_the_registration_appears_on_their_timeline(gers, landes):
    known = ProspectFactory(territory=gers, email="marc@exemple.fr")
    ProspectFactory(territory=landes, email="marc@exemple.fr")  # same email, another territory
    occurrence = make_occurrence(gers)

    registration = register(occurrence=occurrence, name="Marc", email="MARC@exemple.fr", language="fr")

    assert registration.prospect == known
    [activity] = Activity.objects.filter(prospect=known)
    assert activity.kind == ActivityKind.EVENT
    assert activity.text.startswith("Inscription à « Les Mercredis de l'installation » du ")
    assert activity.data == {
        "event": "registered",
        "registration": registration.pk,
        "occurrence": occurrence.pk,
    }

    stranger = sign_up(occurrence, 9)
    assert stranger.prospect is None


@pytest.mark.django_db
def test_a_logged_in_user_is_linked_to_their_own_prospect(gers):
    user = member(gers, Role.PROSPECT, email="lea@exemple.fr")
    prospect = ProspectFactory(territory=gers, user=user, email="ancienne@exemple.fr")
    occurrence = make_occurrence(gers, audience=Audience.PROSPECTS)

    registration = register(
        occurrence=occurrence, name="Léa", email="lea@exemple.fr", language="fr", user=user
    )

    assert registration.prospect == prospect and registration.user == user
    assert Activity.objects.filter(prospect=prospect, kind=ActivityKind.EVENT).count() == 1


@pytest.mark.django_db
def test_cancelling_a_seat_promotes_the_first_waitlisted_and_emails_them_with_the_ics(gers):
    occurrence = make_occurrence(gers, capacity=1)
    holder = sign_up(occurrence, 0)
    first_waiting = sign_up(occurrence, 1)
    second_waiting = sign_up(occurrence, 2)

    cancel(holder)

    holder.refresh_from_db(), first_waiting.refresh_from_db(), second_waiting.refresh_from_db()
    assert holder.status == RegistrationStatus.CANCELLED and holder.cancelled_at
    assert first_waiting.status == RegistrationStatus.CONFIRMED and first_waiting.promoted_at
    assert second_waiting.status == RegistrationStatus.WAITLISTED
    assert waitlist_position(second_waiting) == 1
    [promoted] = emails("event_promoted")
    assert promoted.to == first_waiting.email
    assert "une place s'est libérée" in promoted.body_text
    assert promoted.attachments[0]["mimetype"] == "text/calendar"
    assert "/annulation/" in link_in(promoted.body_text)

    # Idempotent: a second cancellation changes nothing and promotes nobody else.
    cancel(holder)
    second_waiting.refresh_from_db()
    assert second_waiting.status == RegistrationStatus.WAITLISTED
    assert emails("event_promoted").count() == 1


@pytest.mark.django_db
def test_leaving_the_waiting_list_promotes_nobody(gers):
    occurrence = make_occurrence(gers, capacity=1)
    sign_up(occurrence, 0)
    waiting = sign_up(occurrence, 1)
    behind = sign_up(occurrence, 2)

    cancel(waiting)

    behind.refresh_from_db()
    assert behind.status == RegistrationStatus.WAITLISTED and waitlist_position(behind) == 1
    assert not emails("event_promoted").exists()


@pytest.mark.django_db
def test_raising_the_capacity_fills_seats_from_the_waiting_list(gers):
    occurrence = make_occurrence(gers, capacity=1)
    for n in range(4):
        sign_up(occurrence, n)
    Occurrence.objects.filter(pk=occurrence.pk).update(capacity=3)

    promoted = fill_from_waitlist(occurrence)

    assert [r.email for r in promoted] == ["personne1@exemple.fr", "personne2@exemple.fr"]
    assert emails("event_promoted").count() == 2


@pytest.mark.django_db
def test_the_emails_are_in_the_registrants_language(gers):
    occurrence = make_occurrence(gers)
    sign_up(occurrence, 1, language="en")

    [message] = emails("event_registration")
    assert message.language == "en"
    assert "/en/agenda/annulation/" in link_in(message.body_text)


# --- Public pages ------------------------------------------------------------------------------------


def form_url(occurrence) -> str:
    return f"/fr/agenda/inscription/{occurrence.pk}/"


def form_data(**overrides) -> dict:
    return {"name": "Claire Dupuy", "email": "claire@exemple.fr", "website": "", **overrides}


@pytest.mark.django_db
def test_the_form_registers_then_redirects_to_a_confirmation(client, gers):
    occurrence = make_occurrence(
        gers, questions=[{"key": "projet", "label": "Votre projet", "required": True}]
    )

    page = client.get(form_url(occurrence))
    assert page.status_code == 200
    body = page_text(page)
    assert "S'inscrire : Les Mercredis de l'installation" in body
    assert "Votre projet" in body and "Il reste 30 places." in body

    response = client.post(form_url(occurrence), form_data(answer_projet="Graphiste"))
    assert response.status_code == 302
    assert response["Location"] == f"/fr/agenda/inscription/{occurrence.pk}/confirmation/"
    registration = Registration.objects.get()
    assert registration.answers == {"projet": "Graphiste"}
    assert registration.language == "fr"
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert "Inscription confirmée" in page_text(done)


@pytest.mark.django_db
def test_a_full_occurrence_says_so_before_submitting_and_the_confirmation_gives_the_position(client, gers):
    occurrence = make_occurrence(gers, capacity=1)
    sign_up(occurrence, 1)

    body = page_text(client.get(form_url(occurrence)))
    assert "Ce rendez-vous est complet." in body
    assert "M'inscrire sur la liste d'attente" in body

    response = client.post(form_url(occurrence), form_data(), follow=True)
    body = page_text(response)
    assert "Inscription sur liste d'attente" in body
    assert "en position 1" in body


@pytest.mark.django_db
def test_the_confirmation_page_without_a_registration_in_the_session_goes_back_to_the_form(client, gers):
    occurrence = make_occurrence(gers)
    sign_up(occurrence, 1)
    response = client.get(f"/fr/agenda/inscription/{occurrence.pk}/confirmation/")
    assert response.status_code == 302 and response["Location"] == form_url(occurrence)


@pytest.mark.django_db
def test_errors_keep_what_was_typed(client, gers):
    occurrence = make_occurrence(
        gers, questions=[{"key": "projet", "label": "Votre projet", "required": True}]
    )

    response = client.post(form_url(occurrence), form_data(email="pas-une-adresse", answer_projet=""))

    assert response.status_code == 400
    body = page_text(response)
    assert 'value="Claire Dupuy"' in body and 'value="pas-une-adresse"' in body
    assert "Le formulaire contient des erreurs" in body
    assert 'aria-invalid="true"' in body
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_an_email_already_registered_gets_a_clear_error_on_the_form(client, gers):
    occurrence = make_occurrence(gers)
    sign_up(occurrence, 1)

    response = client.post(form_url(occurrence), form_data(email="PERSONNE1@exemple.fr"))

    assert response.status_code == 400
    assert "Vous êtes déjà inscrit à ce rendez-vous" in page_text(response)
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_the_honeypot_refuses_robots(client, gers):
    occurrence = make_occurrence(gers)
    response = client.post(form_url(occurrence), form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "détection des robots" in page_text(response)
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_registrations_are_rate_limited_per_address(client, gers):
    occurrence = make_occurrence(gers)
    for n in range(5):
        assert client.post(form_url(occurrence), form_data(email=f"p{n}@exemple.fr")).status_code == 302
    assert client.post(form_url(occurrence), form_data(email="p6@exemple.fr")).status_code == 429
    assert Registration.objects.count() == 5


@pytest.mark.django_db
def test_a_members_only_event_refuses_an_anonymous_visitor_with_an_explanation_and_a_login_link(client, gers):
    occurrence = make_occurrence(gers, audience=Audience.MEMBERS)

    for response in (client.get(form_url(occurrence)), client.post(form_url(occurrence), form_data())):
        assert response.status_code == 403
        body = page_text(response)
        assert "Ce rendez-vous est réservé aux Solos installés, membres du réseau." in body
        assert f'href="/fr/compte/connexion/?next=%2Ffr%2Fagenda%2Finscription%2F{occurrence.pk}%2F"' in body
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_a_logged_in_member_finds_the_form_prefilled(client, gers):
    solo = member(gers, Role.MEMBER, email="solo@exemple.fr", first_name="Inès", last_name="Martin")
    occurrence = make_occurrence(gers, audience=Audience.MEMBERS)
    client.force_login(solo)

    body = page_text(client.get(form_url(occurrence)))
    assert 'value="Inès Martin"' in body and 'value="solo@exemple.fr"' in body
    response = client.post(form_url(occurrence), form_data(name="Inès Martin", email="solo@exemple.fr"))
    assert response.status_code == 302
    assert Registration.objects.get().user == solo


@pytest.mark.django_db
def test_a_cancelled_occurrence_says_registrations_are_closed(client, gers):
    occurrence = make_occurrence(gers, status=OccurrenceStatus.CANCELLED)
    response = client.get(form_url(occurrence))
    assert response.status_code == 200
    assert "Ce rendez-vous est annulé : les inscriptions sont fermées." in page_text(response)
    assert client.post(form_url(occurrence), form_data()).status_code == 400
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_an_occurrence_of_another_territory_or_unpublished_is_not_found(client, gers, landes):
    assert client.get(form_url(make_occurrence(landes))).status_code == 404
    assert (
        client.get(form_url(make_occurrence(gers, series=make_series(gers, is_published=False)))).status_code
        == 404
    )


# --- Cancellation by link ----------------------------------------------------------------------------


def cancel_path(token: str) -> str:
    return f"/fr/agenda/annulation/{token}/"


@pytest.mark.django_db
def test_the_link_in_the_email_shows_what_will_be_cancelled_then_cancels_and_promotes(client, gers):
    occurrence = make_occurrence(gers, capacity=1)
    holder = sign_up(occurrence, 0)
    waiting = sign_up(occurrence, 1)
    link = link_in(emails("event_registration").get().body_text)
    path = link.split("://", 1)[1].split("/", 1)[1]

    page = client.get("/" + path)
    assert page.status_code == 200
    body = page_text(page)
    assert "Personne 0 est inscrit à « Les Mercredis de l'installation »." in body
    assert "Annuler mon inscription" in body
    holder.refresh_from_db()
    assert holder.status == RegistrationStatus.CONFIRMED, "a GET changes nothing"

    response = client.post("/" + path, follow=True)
    assert response.status_code == 200
    body = page_text(response)
    assert "Votre inscription est annulée." in body
    assert "Inscription annulée" in body
    holder.refresh_from_db(), waiting.refresh_from_db()
    assert holder.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert emails("event_promoted", to=waiting.email).count() == 1

    # Already cancelled: the page says so; posting again changes nothing.
    again = client.post("/" + path, follow=True)
    assert "est annulée : il n'y a plus rien à faire" in page_text(again)
    assert emails("event_promoted").count() == 1


@pytest.mark.django_db
def test_a_forged_link_gives_a_clear_page(client, gers):
    occurrence = make_occurrence(gers)
    registration = sign_up(occurrence, 1)
    token = cancel_token(registration)

    for bad in (token[:-3] + "abc", "n-importe-quoi", signing.dumps({"r": registration.pk}, salt="autre")):
        response = client.get(cancel_path(bad))
        assert response.status_code == 400
        body = page_text(response)
        assert "Ce lien n'est pas valide" in body
        assert "copié en entier" in body
    assert client.post(cancel_path("n-importe-quoi")).status_code == 400
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db
def test_a_link_expires_when_the_occurrence_ends(client, gers):
    occurrence = make_occurrence(gers)
    registration = sign_up(occurrence, 1)
    path = cancel_path(cancel_token(registration))

    with time_machine.travel(occurrence.ends_at - timedelta(minutes=1)):
        assert client.get(path).status_code == 200
    with time_machine.travel(occurrence.ends_at + timedelta(minutes=1)):
        response = client.get(path)
        assert response.status_code == 400
        assert "Ce lien a expiré" in page_text(response)
        assert client.post(path).status_code == 400
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db
def test_a_link_of_a_deleted_registration_says_so(client, gers):
    occurrence = make_occurrence(gers)
    registration = sign_up(occurrence, 1)
    path = cancel_path(cancel_token(registration))
    registration.delete()

    response = client.get(path)
    assert response.status_code == 400
    assert "Inscription introuvable" in page_text(response)


@pytest.mark.django_db
def test_a_link_opened_on_another_territory_is_not_found(client, gers, landes):
    registration = sign_up(make_occurrence(gers), 1)
    assert client.get(cancel_path(cancel_token(registration)), **LANDES).status_code == 404
