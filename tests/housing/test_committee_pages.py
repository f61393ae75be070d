"""Committee members manage the housing offers of their own villages only; staff may unpublish.

Anonymous → login; another territory → 404; another village's offer → 404; a role without housing
rights → 403; every change in the audit log; a stale save refused with the loser's text kept.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages
from django.core import mail

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.housing.models import HousingOffer, HousingStatus
from tests.accounts.staff_factories import member

from .factories import HousingOfferFactory, photo_of

pytestmark = pytest.mark.django_db

LIST = "/fr/suivi/logements/"
CREATE = "/fr/suivi/logements/nouvelle/"


def edit_url(offer) -> str:
    return f"/fr/suivi/logements/{offer.pk}/"


def offer_form(village=None, **overrides) -> dict:
    data = {
        "kind": "house",
        "transaction": "rent",
        "title_fr": "Maison de bourg avec jardin",
        "description_fr": "Trois chambres, poêle à bois, jardin clos de 400 m².",
        "price": "780",
        "surface_m2": "110",
        "rooms": "5",
        "lat": "",
        "lon": "",
        "photo_alt": "",
    }
    if village is not None:
        data["village"] = str(village.pk)
    data.update(overrides)
    return data


def edit_form(offer, **overrides) -> dict:
    return offer_form(version=str(offer.version), **overrides)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def offer_a(village_a, committee_a):
    return HousingOfferFactory(village=village_a, author=committee_a, title_fr="Maison à Lavardens")


@pytest.fixture
def offer_b(village_b, committee_b):
    return HousingOfferFactory(
        village=village_b, author=committee_b, title_fr="Maison à Montréal", published=True
    )


# --- Who gets in ----------------------------------------------------------------------------------


def all_pages(offer, photo) -> list[tuple[str, str]]:
    base = edit_url(offer)
    return [
        ("get", base),
        ("post", base),
        ("post", f"{base}publier/"),
        ("post", f"{base}retirer/"),
        ("get", f"{base}depublier/"),
        ("post", f"{base}photos/{photo.pk}/"),
        ("post", f"{base}photos/{photo.pk}/deplacer/"),
        ("post", f"{base}photos/{photo.pk}/supprimer/"),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, offer_a):
    photo = photo_of(offer_a)
    for method, path in [("get", LIST), ("get", CREATE), *all_pages(offer_a, photo)]:
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/fr/compte/"), path


def test_a_committee_member_gets_404_on_every_page_of_another_village_offer(client, committee_a, offer_b):
    photo = photo_of(offer_b)
    client.force_login(committee_a)

    for method, path in all_pages(offer_b, photo):
        assert getattr(client, method)(path).status_code == 404, path

    offer_b.refresh_from_db()
    assert offer_b.status == HousingStatus.PUBLISHED and offer_b.photos.count() == 1


def test_a_committee_member_lists_only_the_offers_of_their_village(client, committee_a, offer_a, offer_b):
    client.force_login(committee_a)

    body = client.get(LIST).content.decode()

    assert "Maison à Lavardens" in body
    assert "Maison à Montréal" not in body


def test_staff_of_the_territory_see_every_village_offers(client, advisor, offer_a, offer_b):
    client.force_login(advisor)

    body = client.get(LIST).content.decode()

    assert "Maison à Lavardens" in body and "Maison à Montréal" in body


def test_someone_of_another_territory_gets_404(client, landes, offer_a):
    outsider = member(landes, Role.ADVISOR, email="conseiller@landes.fr")
    client.force_login(outsider)

    assert client.get(LIST).status_code == 404
    assert client.get(edit_url(offer_a)).status_code == 404


def test_a_prospect_of_the_territory_gets_403_on_the_housing_pages(client, gers, offer_a):
    prospect = member(gers, Role.PROSPECT, email="prospect@exemple.fr")
    client.force_login(prospect)

    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_the_list_query_count_does_not_grow_with_the_offers(
    client, committee_a, village_a, django_assert_max_num_queries
):
    for _ in range(12):
        photo_of(HousingOfferFactory(village=village_a))
    client.force_login(committee_a)

    with django_assert_max_num_queries(14):
        response = client.get(LIST)

    assert response.status_code == 200


# --- Create ---------------------------------------------------------------------------------------


def test_a_committee_member_creates_a_draft_in_their_village(client, committee_a, village_a):
    client.force_login(committee_a)

    response = client.post(CREATE, offer_form(village_a, action="save"))

    offer = HousingOffer.objects.get()
    assert response.status_code == 302 and response.url == edit_url(offer)
    assert offer.village == village_a and offer.author == committee_a
    assert offer.status == HousingStatus.DRAFT
    assert offer.title_fr == "Maison de bourg avec jardin" and offer.price == 780
    assert LogEntry.objects.get_for_object(offer).get().actor == committee_a


def test_creating_and_publishing_at_once_puts_the_offer_online(client, committee_a, village_a):
    client.force_login(committee_a)

    response = client.post(CREATE, offer_form(village_a, action="publish"))

    assert messages_of(response) == ["Offre publiée : elle est en ligne pour 60 jours."]
    offer = HousingOffer.objects.get()
    assert offer.status == HousingStatus.PUBLISHED
    assert HousingOffer.objects.public().filter(pk=offer.pk).exists()
    assert client.get(f"/fr/logements/{offer.pk}/").status_code == 200


def test_the_village_choice_offers_only_the_member_villages(client, committee_a, village_a, village_b):
    client.force_login(committee_a)

    body = client.get(CREATE).content.decode()
    assert f'value="{village_a.pk}"' in body and f'value="{village_b.pk}"' not in body

    response = client.post(CREATE, offer_form(village_b))
    assert response.status_code == 400
    assert not HousingOffer.objects.exists()
    assert "Maison de bourg avec jardin" in response.content.decode()


def test_a_committee_member_without_village_is_told_so(client, gers):
    user = member(gers, Role.COMMITTEE, email="sans-village@exemple.fr")
    client.force_login(user)

    response = client.get(CREATE)

    assert response.status_code == 200
    assert "aucun comité d" in response.content.decode()


def test_the_position_is_snapped_and_checked_against_the_village_commune(client, committee_a, village_a):
    client.force_login(committee_a)
    commune = village_a.commune

    outside = client.post(CREATE, offer_form(village_a, lat=str(commune.lat + 0.5), lon=str(commune.lon)))
    assert outside.status_code == 400
    assert "pas dans la commune du village" in outside.content.decode()

    precise_lat, precise_lon = round(commune.lat + 0.0031234, 6), round(commune.lon - 0.0021234, 6)
    client.post(CREATE, offer_form(village_a, lat=str(precise_lat), lon=str(precise_lon)))
    offer = HousingOffer.objects.get()
    assert (offer.lat, offer.lon) != (precise_lat, precise_lon)
    assert abs(offer.lat - precise_lat) < 0.002 and abs(offer.lon - precise_lon) < 0.003


def test_saving_again_keeps_a_stored_position_even_near_the_commune_edge(client, committee_a, village_a):
    commune = village_a.commune
    # Stored approximate position just outside the boundary (a cell centre across the edge).
    offer = HousingOfferFactory(village=village_a, lat=commune.lat, lon=commune.lon + 0.0105)
    client.force_login(committee_a)

    response = client.post(edit_url(offer), edit_form(offer, lat=str(offer.lat), lon=str(offer.lon)))

    assert response.status_code == 302
    offer.refresh_from_db()
    assert abs(offer.lon - (commune.lon + 0.0105)) < 1e-9


def test_a_missing_title_re_renders_the_form_with_what_was_typed(client, committee_a, village_a):
    client.force_login(committee_a)

    response = client.post(
        CREATE, offer_form(village_a, title_fr="", description_fr="Poêle à bois et grenier.")
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Poêle à bois et grenier." in body
    assert 'aria-describedby="id_title_fr_helptext id_title_fr_error"' in body
    assert 'id="id_title_fr_error"' in body


# --- Edit, optimistic locking ---------------------------------------------------------------------


def test_a_committee_member_edits_an_offer_of_their_village(client, committee_a, offer_a):
    client.force_login(committee_a)

    response = client.post(edit_url(offer_a), edit_form(offer_a, title_fr="Maison rénovée", price="820"))

    assert response.status_code == 302
    offer_a.refresh_from_db()
    assert offer_a.title_fr == "Maison rénovée" and offer_a.price == 820 and offer_a.version == 2
    entry = LogEntry.objects.get_for_object(offer_a).latest("timestamp")
    assert entry.actor == committee_a and entry.changes_dict["price"] == ["850", "820"]


def test_a_stale_save_is_refused_and_the_loser_keeps_their_text(client, committee_a, advisor, offer_a):
    stale = edit_form(offer_a, description_fr="Mon long texte à ne pas perdre.")
    client.force_login(advisor)
    client.post(edit_url(offer_a), edit_form(offer_a, description_fr="Texte de la conseillère."))

    client.force_login(committee_a)
    response = client.post(edit_url(offer_a), stale)

    assert response.status_code == 409
    body = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a modifié cette fiche" in body
    assert "Mon long texte à ne pas perdre." in body  # the loser's text, in the form
    assert "Texte de la conseillère." in body  # the saved version, to compare
    offer_a.refresh_from_db()
    assert offer_a.description_fr == "Texte de la conseillère."
    # The re-rendered form carries the current version: saving again now goes through.
    assert f'name="version" value="{offer_a.version}"' in body
    again = client.post(
        edit_url(offer_a), edit_form(offer_a, description_fr="Mon long texte à ne pas perdre.")
    )
    assert again.status_code == 302


# --- Publish, withdraw, unpublish -----------------------------------------------------------------


def test_publish_with_a_chosen_end_date_and_withdraw(client, committee_a, offer_a):
    from django.utils import timezone

    client.force_login(committee_a)
    end = timezone.localdate() + timezone.timedelta(days=30)

    client.post(f"{edit_url(offer_a)}publier/", {"expires_on": end.isoformat()})
    offer_a.refresh_from_db()
    assert offer_a.status == HousingStatus.PUBLISHED
    assert timezone.localtime(offer_a.expires_at).date() == end

    client.post(f"{edit_url(offer_a)}retirer/")
    offer_a.refresh_from_db()
    assert offer_a.status == HousingStatus.WITHDRAWN
    assert [e.changes_dict["status"][1] for e in LogEntry.objects.get_for_object(offer_a).order_by("pk")][
        -2:
    ] == [
        "published",
        "withdrawn",
    ]


def test_an_end_date_beyond_180_days_is_refused_with_the_date_kept(client, committee_a, offer_a):
    from django.utils import timezone

    client.force_login(committee_a)
    far = (timezone.localdate() + timezone.timedelta(days=400)).isoformat()

    response = client.post(f"{edit_url(offer_a)}publier/", {"expires_on": far})

    assert response.status_code == 400
    assert "au plus 180 jours" in response.content.decode()
    assert f'value="{far}"' in response.content.decode()


def test_territory_staff_unpublish_with_a_reason_emailed_to_the_author_in_their_language(
    client, advisor, committee_b, offer_b, django_capture_on_commit_callbacks
):
    committee_b.preferred_language = "en"
    committee_b.save()
    client.force_login(advisor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{edit_url(offer_b)}depublier/", {"reason": "Le loyer indiqué semble erroné."}
        )

    assert response.status_code == 302
    offer_b.refresh_from_db()
    assert offer_b.status == HousingStatus.DRAFT
    assert offer_b.unpublished_reason == "Le loyer indiqué semble erroné."
    assert not HousingOffer.objects.public().filter(pk=offer_b.pk).exists()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [committee_b.email]
    assert "Le loyer indiqué semble erroné." in email.body
    assert f"/en/suivi/logements/{offer_b.pk}/" in email.body
    assert OutboxMessage.objects.get().language == "en"
    assert LogEntry.objects.get_for_object(offer_b).latest("timestamp").actor == advisor


def test_the_author_sees_the_reason_on_the_edit_page(client, advisor, committee_b, offer_b):
    client.force_login(advisor)
    client.post(f"{edit_url(offer_b)}depublier/", {"reason": "Photos d'un autre bien."})

    client.force_login(committee_b)
    body = client.get(edit_url(offer_b)).content.decode()

    assert "dépubliée par l'équipe du territoire" in body
    assert "Photos d&#x27;un autre bien." in body


def test_unpublishing_needs_a_reason(client, advisor, offer_b):
    client.force_login(advisor)

    response = client.post(f"{edit_url(offer_b)}depublier/", {"reason": "  "})

    assert response.status_code == 400
    assert "Indiquez le motif" in response.content.decode()
    offer_b.refresh_from_db()
    assert offer_b.status == HousingStatus.PUBLISHED


def test_a_committee_member_may_not_unpublish_but_may_withdraw(client, committee_b, offer_b):
    client.force_login(committee_b)

    assert client.post(f"{edit_url(offer_b)}depublier/", {"reason": "x"}).status_code == 403
    client.post(f"{edit_url(offer_b)}retirer/")

    offer_b.refresh_from_db()
    assert offer_b.status == HousingStatus.WITHDRAWN
    assert messages_of(client.get(edit_url(offer_b))) == ["Offre retirée : elle n'apparaît plus sur le site."]
