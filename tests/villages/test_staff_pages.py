"""The staff area's villages: territory admins and advisors create, publish and unpublish villages.

Decision (sohosolo/villages/rules.py): advisors may do all of it too; inviting committee members
stays with administrators (the team pages)."""

import pytest
from django.core import mail

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village
from tests.accounts.staff_factories import member, verified_user
from tests.territories.factories import CommuneFactory

from .factories import committee_member, village_in, village_of_commune

pytestmark = pytest.mark.django_db

LIST = "/fr/suivi/villages/"
CREATE = "/fr/suivi/villages/ajouter/"
LANDES = {"HTTP_HOST": "landes.localhost"}


def publish_url(village) -> str:
    return f"/fr/suivi/villages/{village.slug}/publier/"


def unpublish_url(village) -> str:
    return f"/fr/suivi/villages/{village.slug}/depublier/"


def history_url(village) -> str:
    return f"/fr/suivi/villages/{village.slug}/historique/"


@pytest.fixture
def admin(gers):
    return member(gers, Role.TERRITORY_ADMIN, email="admin@gers.fr")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")


@pytest.fixture
def fources(gers) -> Commune:
    return CommuneFactory(territory=gers, name="Fourcès", code="32133")


# --- Who may enter ----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login(client, gers):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/fr/compte/connexion/?next=/fr/suivi/villages/")


@pytest.mark.parametrize("role", [Role.PROSPECT, Role.COMMITTEE, Role.MEMBER, Role.PARTNER])
def test_a_person_of_the_territory_without_a_staff_role_is_refused(client, gers, role):
    village = village_in(gers, draft=True)
    client.force_login(member(gers, role))

    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(publish_url(village)).status_code == 403
    assert client.post(unpublish_url(village), {"reason": "x"}).status_code == 403
    village.refresh_from_db()
    assert village.status == "draft"


def test_the_staff_of_another_territory_gets_not_found(client, gers, landes):
    village = village_in(gers)
    client.force_login(member(landes, Role.TERRITORY_ADMIN))

    assert client.get(LIST).status_code == 404
    assert client.post(unpublish_url(village), {"reason": "Hors sujet"}).status_code == 404
    village.refresh_from_db()
    assert village.status == "published"


def test_a_landes_admin_on_the_landes_site_cannot_reach_a_gers_village(client, gers, landes):
    village = village_in(gers, draft=True)
    client.force_login(member(landes, Role.TERRITORY_ADMIN))

    assert client.get(LIST, **LANDES).status_code == 200
    assert client.post(publish_url(village), **LANDES).status_code == 404


@pytest.mark.parametrize("who", ["admin", "advisor"])
def test_admins_and_advisors_see_the_villages_with_their_status(client, gers, who, request):
    client.force_login(request.getfixturevalue(who))
    published = village_in(gers, commune__name="Lectoure")
    draft = village_in(gers, draft=True, commune__name="Fourcès")
    committee_member(published)
    village_in(request.getfixturevalue("landes"), commune__name="Mimizan")

    body = client.get(LIST).content.decode()

    assert published.name in body and draft.name in body
    assert "Mimizan" not in body
    assert "Publié" in body and "Brouillon" in body
    assert "1 membre" in body


def test_the_admin_gets_a_link_to_invite_a_village_s_committee(client, admin, gers):
    village = village_in(gers)
    client.force_login(admin)

    body = client.get(LIST).content.decode()

    assert f"/fr/suivi/equipe/inviter/?role=committee&amp;scope=committee:{village.pk}" in body


def test_an_advisor_gets_no_invitation_link(client, advisor, gers):
    village_in(gers)
    client.force_login(advisor)

    assert "/fr/suivi/equipe/inviter/" not in client.get(LIST).content.decode()


# --- Creating a village -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "advisor"])
def test_staff_create_a_draft_village_from_a_commune_of_the_territory(client, fources, who, request):
    client.force_login(request.getfixturevalue(who))
    form = client.get(CREATE).content.decode()
    assert '<option value="Fourcès (32133)">' in form

    response = client.post(CREATE, {"commune": "Fourcès (32133)"})

    assert response.status_code == 302
    village = Village.objects.get()
    assert (village.commune, village.slug, village.status) == (fources, "fources", "draft")
    assert village.territory == fources.territory


def test_a_commune_can_be_typed_by_name(client, admin, fources):
    client.force_login(admin)

    assert client.post(CREATE, {"commune": "fourcès"}).status_code == 302
    assert Village.objects.get().commune == fources


def test_a_commune_that_is_already_a_village_is_refused_and_no_longer_offered(client, admin, fources):
    village_of_commune(fources)
    client.force_login(admin)
    assert "Fourcès (32133)" not in client.get(CREATE).content.decode()

    response = client.post(CREATE, {"commune": "Fourcès (32133)"})

    assert response.status_code == 400
    assert "Cette commune est déjà un village d&#x27;accueil." in response.content.decode()
    assert Village.objects.count() == 1


def test_a_commune_of_another_territory_is_refused(client, admin, landes):
    CommuneFactory(territory=landes, name="Mimizan", code="40184")
    client.force_login(admin)

    response = client.post(CREATE, {"commune": "Mimizan (40184)"})

    assert response.status_code == 400
    assert "Aucune commune du territoire sans village ne correspond" in response.content.decode()
    assert not Village.objects.exists()


def test_two_communes_with_the_same_name_get_different_slugs(client, admin, gers):
    CommuneFactory(territory=gers, name="Castelnau", code="32080")
    CommuneFactory(territory=gers, name="Castelnau", code="32081")
    client.force_login(admin)

    client.post(CREATE, {"commune": "Castelnau (32080)"})
    client.post(CREATE, {"commune": "Castelnau (32081)"})

    assert sorted(Village.objects.values_list("slug", flat=True)) == ["castelnau", "castelnau-32081"]


# --- Publishing and unpublishing --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "advisor"])
def test_staff_publish_a_draft_and_it_is_public_at_once(client, gers, who, request):
    village = village_in(gers, draft=True)
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/fr/villages/{village.slug}/").status_code == 404

    response = client.post(publish_url(village))

    assert response.status_code == 302
    village.refresh_from_db()
    assert village.status == "published"
    client.logout()
    assert client.get(f"/fr/villages/{village.slug}/").status_code == 200


def test_a_village_without_a_presentation_cannot_be_published(client, admin, gers):
    village = village_in(gers, draft=True, presentation_fr="")
    client.force_login(admin)

    response = client.post(publish_url(village), follow=True)

    assert "Ajoutez une présentation en français avant de publier ce village." in response.content.decode()
    village.refresh_from_db()
    assert village.status == "draft"


@pytest.mark.parametrize("who", ["admin", "advisor"])
def test_unpublishing_takes_the_page_offline_and_emails_the_reason_to_each_committee_member(
    client, gers, who, request, django_capture_on_commit_callbacks
):
    village = village_in(gers, commune__name="Marciac")
    jeanne = committee_member(village, first_name="Jeanne")
    paul = committee_member(village, first_name="Paul", preferred_language="es")
    committee_member(village_in(gers))  # another village's committee hears nothing
    client.force_login(request.getfixturevalue(who))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            unpublish_url(village), {"reason": "Les photos montrent des personnes sans leur accord."}
        )

    assert response.status_code == 302
    village.refresh_from_db()
    assert village.status == "draft"
    assert village.unpublished_reason == "Les photos montrent des personnes sans leur accord."
    assert sorted(m.to[0] for m in mail.outbox) == sorted([jeanne.email, paul.email])
    assert all("Les photos montrent des personnes sans leur accord." in m.body for m in mail.outbox)
    assert all("Marciac" in m.subject for m in mail.outbox)
    assert f"/fr/suivi/villages/mes-villages/{village.slug}/" in mail.outbox[0].body
    assert OutboxMessage.objects.get(to=paul.email).language == "es"
    client.logout()
    assert client.get(f"/fr/villages/{village.slug}/").status_code == 404


def test_unpublishing_without_a_reason_is_refused_with_a_clear_message(client, admin, gers):
    village = village_in(gers)
    client.force_login(admin)

    response = client.post(unpublish_url(village), {"reason": "   "})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    village.refresh_from_db()
    assert village.status == "published"


def test_the_last_editor_outside_the_committee_also_hears_about_it(
    client, admin, gers, django_capture_on_commit_callbacks
):
    editor = verified_user(email="redacteur@exemple.fr")
    village = village_in(gers, updated_by=editor)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(unpublish_url(village), {"reason": "Texte à revoir."})

    assert [m.to for m in mail.outbox] == [["redacteur@exemple.fr"]]


def test_the_history_page_lists_publication_changes_with_their_author(client, admin, gers):
    village = village_in(gers, draft=True)
    client.force_login(admin)
    client.post(publish_url(village))

    body = client.get(history_url(village)).content.decode()

    assert "admin@gers.fr" in body
    assert "published" in body
