"""« Mes villages »: a committee member edits the pages of their villages, and only those."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from sohosolo.accounts.models import Invitation, Membership, Role
from sohosolo.accounts.services import invitation_accept
from sohosolo.villages.models import MeasuredTravelTime, Village
from tests.accounts.staff_factories import member, verified_user

from .factories import committee_member, village_in

pytestmark = pytest.mark.django_db

MINE = "/fr/suivi/villages/mes-villages/"


def edit_url(village) -> str:
    return f"{MINE}{village.slug}/"


def form_data(village: Village, **changes) -> dict:
    data = {
        "version": village.version,
        "presentation_fr": village.presentation_fr,
        "product_title_fr": village.product_title_fr,
        "product_text_fr": village.product_text_fr,
        "product_photo_alt": village.product_photo_alt,
    }
    return {**data, **changes}


@pytest.fixture
def village_a(gers):
    return village_in(gers, commune__name="Lectoure")


@pytest.fixture
def village_b(gers):
    return village_in(gers, commune__name="Fourcès")


@pytest.fixture
def jeanne(village_a):
    return committee_member(village_a, first_name="Jeanne", email="jeanne@exemple.fr")


@pytest.fixture
def jeanne_client(client, jeanne):
    client.force_login(jeanne)
    return client


# --- Who sees what ----------------------------------------------------------------------------------


def test_a_committee_member_sees_only_their_villages(jeanne_client, village_a, village_b):
    body = jeanne_client.get(MINE).content.decode()

    assert edit_url(village_a) in body
    assert edit_url(village_b) not in body


def test_territory_staff_see_every_village_of_the_territory(client, gers, village_a, village_b, landes):
    other = village_in(landes)
    client.force_login(member(gers, Role.ADVISOR))

    body = client.get(MINE).content.decode()

    assert edit_url(village_a) in body and edit_url(village_b) in body
    assert edit_url(other) not in body


def test_a_committee_member_edits_their_village_and_it_is_live_at_once(jeanne_client, jeanne, village_a):
    assert jeanne_client.get(edit_url(village_a)).status_code == 200

    response = jeanne_client.post(
        edit_url(village_a),
        form_data(
            village_a,
            presentation_fr="Cité gasconne perchée sur son éperon.",
            product_title_fr="Le melon de Lectoure",
            presentation_en="A Gascon town on its spur.",
        ),
    )

    assert response.status_code == 302
    village_a.refresh_from_db()
    assert village_a.presentation_fr == "Cité gasconne perchée sur son éperon."
    assert village_a.presentation_en == "A Gascon town on its spur."
    assert village_a.version == 2
    assert village_a.updated_by == jeanne
    followed = jeanne_client.get(response["Location"]).content.decode()
    assert "elles sont en ligne" in followed
    public = jeanne_client.get(f"/fr/villages/{village_a.slug}/").content.decode()
    assert "Cité gasconne perchée sur son éperon." in public and "Le melon de Lectoure" in public


def test_the_public_page_offers_its_committee_a_link_to_edit_it(jeanne_client, village_a, village_b):
    assert edit_url(village_a) in jeanne_client.get(f"/fr/villages/{village_a.slug}/").content.decode()
    assert edit_url(village_b) not in jeanne_client.get(f"/fr/villages/{village_b.slug}/").content.decode()


@pytest.mark.parametrize(
    "path",
    ["{MINE}{slug}/", "{MINE}{slug}/photos/", "{MINE}{slug}/trajets/"],
)
def test_a_committee_member_gets_not_found_on_another_village_of_the_same_territory(
    jeanne_client, village_b, path
):
    url = path.format(MINE=MINE, slug=village_b.slug)
    before = (village_b.presentation_fr, village_b.version)

    assert jeanne_client.get(url).status_code in (404, 405)
    assert jeanne_client.post(url, form_data(village_b, presentation_fr="Piraté")).status_code == 404
    village_b.refresh_from_db()
    assert (village_b.presentation_fr, village_b.version) == before


def test_a_committee_member_cannot_remove_a_photo_of_another_village(jeanne_client, village_b):
    from .factories import VillagePhotoFactory

    photo = VillagePhotoFactory(village=village_b)

    assert jeanne_client.post(f"{MINE}{village_b.slug}/photos/{photo.pk}/retirer/").status_code == 404
    assert village_b.photos.count() == 1


def test_a_committee_member_of_another_territory_gets_not_found(client, landes, village_a):
    client.force_login(committee_member(village_in(landes)))

    assert client.get(edit_url(village_a)).status_code == 404
    assert client.get(MINE).status_code == 404


def test_an_anonymous_visitor_is_sent_to_login(client, village_a):
    for url in (MINE, edit_url(village_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/fr/compte/connexion/?next=")
    assert client.post(edit_url(village_a), form_data(village_a)).status_code == 302


def test_a_prospect_is_refused_mes_villages_and_gets_not_found_on_an_edit_page(client, gers, village_a):
    client.force_login(member(gers, Role.PROSPECT))

    assert client.get(MINE).status_code == 403
    assert client.get(edit_url(village_a)).status_code == 404


def test_a_committee_member_without_a_village_yet_is_told_so(client, gers):
    client.force_login(member(gers, Role.COMMITTEE))

    response = client.get(MINE)

    assert response.status_code == 200
    assert "Vous n'êtes encore membre du comité d'accueil d'aucun village." in response.content.decode()


def test_a_draft_village_can_be_edited_before_it_is_published(client, gers):
    draft = village_in(gers, draft=True, presentation_fr="")
    client.force_login(committee_member(draft))

    response = client.post(edit_url(draft), form_data(draft, presentation_fr="Premier jet."), follow=True)

    assert (
        "La page sera visible quand l&#x27;équipe du territoire l&#x27;aura publiée."
        in response.content.decode()
    )
    draft.refresh_from_db()
    assert (draft.presentation_fr, draft.status) == ("Premier jet.", "draft")


def test_a_published_village_keeps_a_french_presentation(jeanne_client, village_a):
    response = jeanne_client.post(edit_url(village_a), form_data(village_a, presentation_fr="  "))

    assert response.status_code == 400
    assert "sa présentation en français ne peut pas être vide" in response.content.decode()


def test_saving_without_any_change_writes_nothing_and_says_so(jeanne_client, village_a):
    logged = LogEntry.objects.count()

    response = jeanne_client.post(edit_url(village_a), form_data(village_a), follow=True)

    assert "Aucune modification à enregistrer." in response.content.decode()
    village_a.refresh_from_db()
    assert village_a.version == 1
    assert LogEntry.objects.count() == logged


# --- Two people editing at once ---------------------------------------------------------------------


def test_the_second_save_on_a_stale_version_is_refused_and_keeps_the_loser_s_text(
    client, jeanne_client, village_a
):
    paul = committee_member(village_a, first_name="Paul", email="paul@exemple.fr")
    opened_by_both = form_data(village_a)  # both forms carry version 1
    assert (
        jeanne_client.post(
            edit_url(village_a), {**opened_by_both, "presentation_fr": "Texte de Jeanne."}
        ).status_code
        == 302
    )

    client.force_login(paul)
    response = client.post(
        edit_url(village_a), {**opened_by_both, "presentation_fr": "Texte de Paul, long et soigné."}
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "Quelqu&#x27;un d&#x27;autre a modifié cette fiche" in body
    assert "Texte de Paul, long et soigné." in body  # the loser's text, in the form
    assert "Texte de Jeanne." in body  # the saved version, shown beside it to compare
    village_a.refresh_from_db()
    assert (village_a.presentation_fr, village_a.version) == ("Texte de Jeanne.", 2)
    # The re-rendered form carries the current version: saving again (after comparing) goes through.
    assert 'name="version" value="2"' in body
    again = client.post(
        edit_url(village_a), {**opened_by_both, "version": 2, "presentation_fr": "Texte de Paul."}
    )
    assert again.status_code == 302
    village_a.refresh_from_db()
    assert (village_a.presentation_fr, village_a.version) == ("Texte de Paul.", 3)


def test_adding_a_photo_or_a_travel_time_does_not_make_an_open_text_form_stale(jeanne_client, village_a):
    from .factories import image_upload

    opened = form_data(village_a)
    jeanne_client.post(f"{edit_url(village_a)}photos/", {"image": image_upload(), "alt_text": "La halle"})

    assert (
        jeanne_client.post(edit_url(village_a), {**opened, "presentation_fr": "Nouveau."}).status_code == 302
    )


# --- Travel times -----------------------------------------------------------------------------------


def test_a_committee_sets_and_clears_a_measured_travel_time(jeanne_client, village_a):
    cities = [row["city"] for row in village_a.travel_times()]
    assert cities[0] == "Toulouse"
    data = {f"city_{i}": "" for i in range(len(cities))}

    response = jeanne_client.post(f"{edit_url(village_a)}trajets/", {**data, "city_0": "68"})

    assert response.status_code == 302
    assert list(MeasuredTravelTime.objects.values_list("village", "city", "minutes")) == [
        (village_a.pk, "Toulouse", 68)
    ]
    assert "1 h 08 (mesuré)" in jeanne_client.get(f"/fr/villages/{village_a.slug}/").content.decode()

    jeanne_client.post(f"{edit_url(village_a)}trajets/", data)
    assert not MeasuredTravelTime.objects.exists()


def test_an_impossible_travel_time_is_refused_with_a_clear_message(jeanne_client, village_a):
    response = jeanne_client.post(f"{edit_url(village_a)}trajets/", {"city_0": "0"})

    assert response.status_code == 400
    assert "supérieure ou égale à 1" in response.content.decode()
    assert not MeasuredTravelTime.objects.exists()


# --- Every change is logged ------------------------------------------------------------------------


def test_every_change_is_logged_with_its_author_and_shown_to_the_territory_staff(
    jeanne_client, jeanne, village_a, gers
):
    from .factories import image_upload

    jeanne_client.post(edit_url(village_a), form_data(village_a, presentation_fr="Version de Jeanne."))
    jeanne_client.post(f"{edit_url(village_a)}photos/", {"image": image_upload(), "alt_text": "Les remparts"})
    jeanne_client.post(f"{edit_url(village_a)}trajets/", {"city_0": "70"})

    entries = LogEntry.objects.filter(additional_data__village_id=village_a.pk).exclude(actor=None)
    entries = entries.order_by("timestamp")
    assert [(e.content_type.model, e.action) for e in entries] == [
        ("village", LogEntry.Action.UPDATE),
        ("villagephoto", LogEntry.Action.CREATE),
        ("measuredtraveltime", LogEntry.Action.CREATE),
    ]
    assert all(e.actor == jeanne for e in entries)
    assert all(e.additional_data["territory"] == gers.pk for e in entries)
    assert entries[0].changes_dict["presentation_fr"][1] == "Version de Jeanne."

    admin = member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")
    jeanne_client.force_login(admin)
    journal = jeanne_client.get("/fr/suivi/journal/").content.decode()
    assert journal.count("jeanne@exemple.fr") >= 3
    assert "Version de Jeanne." in journal
    history = jeanne_client.get(f"/fr/suivi/villages/{village_a.slug}/historique/").content.decode()
    assert "Version de Jeanne." in history and "Les remparts" in history and "jeanne@exemple.fr" in history


def test_an_advisor_reads_a_village_s_history_too(client, gers, village_a, jeanne_client):
    jeanne_client.post(edit_url(village_a), form_data(village_a, presentation_fr="Version de Jeanne."))
    client.force_login(member(gers, Role.ADVISOR))

    assert (
        "Version de Jeanne."
        in client.get(f"/fr/suivi/villages/{village_a.slug}/historique/").content.decode()
    )


# --- From the invitation to the first edit ----------------------------------------------------------


def test_an_admin_invites_a_committee_member_to_a_village_who_then_edits_it(
    client, gers, village_a, village_b, django_capture_on_commit_callbacks
):
    admin = member(gers, Role.TERRITORY_ADMIN)
    client.force_login(admin)
    form = client.get("/fr/suivi/equipe/inviter/").content.decode()
    assert f'<option value="committee:{village_a.pk}">Village : Lectoure</option>' in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/fr/suivi/equipe/inviter/",
            {
                "email": "benevole@exemple.fr",
                "role": "committee",
                "scope": f"committee:{village_a.pk}",
                "language": "fr",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    person = verified_user(email="benevole@exemple.fr")
    membership = invitation_accept(invitation=invitation, user=person)

    assert membership.role == Role.COMMITTEE
    assert (membership.scope_type, membership.scope_id) == (
        ContentType.objects.get_for_model(Village),
        village_a.pk,
    )
    client.force_login(person)
    assert edit_url(village_a) in client.get(MINE).content.decode()
    assert client.get(edit_url(village_a)).status_code == 200
    assert client.get(edit_url(village_b)).status_code == 404
    assert Membership.objects.filter(user=person).count() == 1


def test_can_see_my_villages_helper_is_true_for_committee_and_staff_only(gers, village_a, jeanne):
    from django.contrib.auth.models import AnonymousUser

    from sohosolo.villages.rules import can_see_my_villages

    assert can_see_my_villages(jeanne, gers)
    assert can_see_my_villages(member(gers, Role.ADVISOR), gers)
    assert not can_see_my_villages(member(gers, Role.PROSPECT), gers)
    assert not can_see_my_villages(AnonymousUser(), gers)
    assert not can_see_my_villages(jeanne, None)
