"""The passport's checklist: the holder and the advisor tick and untick steps (POST, redirect, GET),
the progress follows; territory administrators configure the steps (add with translations, rename,
reorder, remove); advisors and other roles may not."""

import pytest
from django.test import Client

from sohosolo.accounts.models import Role
from sohosolo.passports.models import ChecklistStep, StepDone
from sohosolo.passports.services import checklist_steps, passport_revoke
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .test_holder_pages import candidate_with_passport

pytestmark = pytest.mark.django_db

TICK = "/fr/mon-espace/passeport/etapes/"
CONFIG = "/fr/suivi/passeports/etapes/"
LANDES = {"HTTP_HOST": "landes.localhost"}


@pytest.fixture
def passport(gers):
    return candidate_with_passport(gers)


@pytest.fixture
def steps(passport):
    return checklist_steps(passport.territory)


@pytest.fixture
def holder(client, passport):
    client.force_login(passport.prospect.user)
    return client


@pytest.fixture
def admin_client(gers):
    client = Client()
    client.force_login(member(gers, Role.TERRITORY_ADMIN, email="direction@gers.fr"))
    return client


@pytest.fixture
def advisor_client(gers):
    client = Client()
    client.force_login(member(gers, Role.ADVISOR, email="claire@gers.fr", first_name="Claire"))
    return client


# --- The holder ticks --------------------------------------------------------------------------------


def test_the_holder_ticks_and_unticks_steps(holder, passport, steps):
    for step in steps[:3]:
        response = holder.post(TICK, {"step": step.pk, "done": "1"})
        assert response.status_code == 302 and response["Location"] == "/fr/mon-espace/passeport/#etapes"
    done = StepDone.objects.filter(passport=passport)
    assert done.count() == 3 and {d.done_by for d in done} == {passport.prospect.user}

    html = holder.get("/fr/mon-espace/passeport/").content.decode()
    assert "3 étapes sur 7" in html
    assert '<progress class="passport-progress" max="7" value="3"' in html
    assert "Étape « Participation à une réunion d&#x27;information » cochée." in html

    holder.post(TICK, {"step": steps[0].pk, "done": "1"})  # again: still one tick
    assert StepDone.objects.filter(passport=passport, step=steps[0]).count() == 1
    holder.post(TICK, {"step": steps[1].pk, "done": "0"})
    assert set(StepDone.objects.filter(passport=passport).values_list("step", flat=True)) == {
        steps[0].pk,
        steps[2].pk,
    }
    html = holder.get("/fr/mon-espace/passeport/").content.decode()
    assert "2 étapes sur 7" in html and "Étape « Rencontre avec un conseiller » décochée." in html


def test_a_step_ticked_by_the_advisor_says_so(holder, passport, steps):
    StepDone.objects.create(passport=passport, step=steps[1], done_by=passport.prospect.advisor)
    html = holder.get("/fr/mon-espace/passeport/").content.decode()
    assert "notée par votre conseiller" in html


def test_a_step_of_another_territory_or_a_bad_value_is_refused(holder, passport, steps, landes):
    foreign = checklist_steps(landes)[0]
    assert holder.post(TICK, {"step": foreign.pk, "done": "1"}).status_code == 404
    assert holder.post(TICK, {"step": steps[0].pk, "done": "yes"}).status_code == 404
    assert holder.get(TICK).status_code == 405
    assert not StepDone.objects.exists()


def test_a_revoked_passport_cannot_be_ticked(holder, passport, steps):
    passport_revoke(prospect=passport.prospect, reason="lost")
    response = holder.post(TICK, {"step": steps[0].pk, "done": "1"}, follow=True)
    assert (
        "Ce passeport est révoqué : ses étapes ne peuvent plus être modifiées." in response.content.decode()
    )
    assert not StepDone.objects.exists()


def test_translated_labels_follow_the_page_language(holder, steps):
    step = steps[0]
    step.label_en, step.label_es = "Project defined", ""
    step.save()
    assert "Project defined" in holder.get("/en/mon-espace/passeport/").content.decode()
    assert "Projet défini" in holder.get("/es/mon-espace/passeport/").content.decode()  # falls back


# --- The advisor ticks (the prospect page's panel) -----------------------------------------------------


def test_the_advisor_ticks_a_step_from_the_prospect_page(advisor_client, passport, steps):
    url = f"/fr/suivi/passeports/{passport.pk}/etapes/"
    response = advisor_client.post(url, {"step": steps[2].pk, "done": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/fr/suivi/porteurs/{passport.prospect_id}/#passeport"
    tick = StepDone.objects.get(passport=passport)
    assert tick.step == steps[2] and tick.done_by.email == "claire@gers.fr"

    response = advisor_client.post(url, {"step": steps[2].pk, "done": "0", "next": "/fr/suivi/passeports/"})
    assert response["Location"] == "/fr/suivi/passeports/"
    assert not StepDone.objects.exists()
    response = advisor_client.post(url, {"step": steps[2].pk, "done": "1", "next": "https://evil.test/"})
    assert response["Location"].startswith(f"/fr/suivi/porteurs/{passport.prospect_id}/")


def test_staff_of_another_territory_or_a_committee_cannot_tick(passport, steps, gers, landes):
    url = f"/fr/suivi/passeports/{passport.pk}/etapes/"
    client = Client()
    client.force_login(member(landes, Role.ADVISOR, email="jean@landes.fr"))
    assert client.post(url, {"step": steps[0].pk, "done": "1"}).status_code == 404
    assert client.post(url, {"step": steps[0].pk, "done": "1"}, **LANDES).status_code == 404  # not theirs
    client.force_login(committee_member(village_in(gers), email="comite@village.fr"))
    assert client.post(url, {"step": steps[0].pk, "done": "1"}).status_code == 403
    assert not StepDone.objects.exists()


# --- Configuration (territory administrators) -------------------------------------------------------------


def test_only_administrators_configure_the_checklist(advisor_client, gers, landes):
    assert advisor_client.get(CONFIG).status_code == 403
    assert advisor_client.post(CONFIG, {"label_fr": "Nouvelle"}).status_code == 403
    client = Client()
    client.force_login(committee_member(village_in(gers), email="comite@village.fr"))
    assert client.get(CONFIG).status_code == 403
    client.force_login(member(landes, Role.TERRITORY_ADMIN, email="direction@landes.fr"))
    assert client.get(CONFIG).status_code == 404
    step = checklist_steps(gers)[0]
    assert client.get(f"/fr/suivi/passeports/etapes/{step.pk}/modifier/", **LANDES).status_code == 404
    assert client.post(f"/fr/suivi/passeports/etapes/{step.pk}/retirer/", **LANDES).status_code == 404
    assert ChecklistStep.objects.filter(pk=step.pk).exists()


def test_the_administrator_sees_and_adds_steps(admin_client, gers):
    response = admin_client.get(CONFIG)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Projet défini" in html and "INVALID_TEMPLATE_VARIABLE" not in html

    response = admin_client.post(
        CONFIG,
        {"label_fr": "  Étude de  marché ", "label_en": "Market study", "label_es": "", "label_pt": ""},
    )
    step = ChecklistStep.objects.get(territory=gers, label_fr="Étude de marché")
    assert response.status_code == 302 and response["Location"] == f"{CONFIG}#step-{step.pk}"
    assert step.key == "etude_de_marche" and step.position == 7
    assert (step.label_en, step.label_es, step.label_pt) == ("Market study", None, None)
    assert ChecklistStep.objects.filter(territory=gers).count() == 8

    admin_client.post(CONFIG, {"label_fr": "Étude de marché"})  # the same label: another key
    assert ChecklistStep.objects.filter(territory=gers, key="etude_de_marche_2").exists()

    response = admin_client.post(CONFIG, {"label_fr": "   "})
    assert response.status_code == 400
    assert "Le formulaire contient des erreurs" in response.content.decode()


def test_the_administrator_renames_and_translates_a_step(admin_client, gers, passport):
    step = checklist_steps(gers)[0]
    url = f"/fr/suivi/passeports/etapes/{step.pk}/modifier/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {"label_fr": "Projet écrit", "label_en": "Written project", "label_es": "", "label_pt": "Projeto"},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.label_fr, step.label_en, step.label_es, step.label_pt) == (
        "Projet écrit",
        "Written project",
        None,
        "Projeto",
    )
    holder = Client()
    holder.force_login(passport.prospect.user)
    assert "Written project" in holder.get("/en/mon-espace/passeport/").content.decode()
    assert "Projet écrit" in holder.get("/es/mon-espace/passeport/").content.decode()
    assert "Projeto" in holder.get("/pt/mon-espace/passeport/").content.decode()
    assert admin_client.post(url, {"label_fr": ""}).status_code == 400


def test_the_administrator_reorders_steps(admin_client, gers):
    steps = checklist_steps(gers)
    admin_client.post(f"/fr/suivi/passeports/etapes/{steps[2].pk}/deplacer/", {"direction": "up"})
    assert [s.key for s in checklist_steps(gers)][:3] == ["project_defined", "info_meeting", "met_advisor"]
    admin_client.post(f"/fr/suivi/passeports/etapes/{steps[0].pk}/deplacer/", {"direction": "up"})  # first
    admin_client.post(f"/fr/suivi/passeports/etapes/{steps[6].pk}/deplacer/", {"direction": "down"})  # last
    admin_client.post(f"/fr/suivi/passeports/etapes/{steps[0].pk}/deplacer/", {"direction": "down"})
    assert [s.key for s in checklist_steps(gers)] == [
        "info_meeting",
        "project_defined",
        "met_advisor",
        "financing_plan",
        "housing_found",
        "activity_registered",
        "installed",
    ]


def test_the_administrator_removes_a_step_but_never_the_last(admin_client, gers, passport):
    steps = checklist_steps(gers)
    StepDone.objects.create(passport=passport, step=steps[3])
    url = f"/fr/suivi/passeports/etapes/{steps[3].pk}/retirer/"
    html = admin_client.get(url).content.decode()
    assert "Elle est cochée sur 1 passeport" in html
    assert admin_client.post(url).status_code == 302
    assert not ChecklistStep.objects.filter(pk=steps[3].pk).exists() and not StepDone.objects.exists()

    for step in steps[:3] + steps[4:6]:
        admin_client.post(f"/fr/suivi/passeports/etapes/{step.pk}/retirer/")
    last = ChecklistStep.objects.get(territory=gers)
    response = admin_client.post(f"/fr/suivi/passeports/etapes/{last.pk}/retirer/", follow=True)
    assert "Le passeport garde au moins une étape" in response.content.decode()
    assert ChecklistStep.objects.filter(territory=gers).count() == 1
