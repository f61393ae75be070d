"""Erasure of a prospect (GDPR): by staff at /suivi/porteurs/<pk>/effacer/ or by the person deleting
their account in "Mon espace". Afterwards no text column of any table names the person, and the
anonymous figures (stage, source, sector, household, villages, installation) are still there."""

import html
import time

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import connection, models

from sohosolo.accounts.models import Membership, Role, User
from sohosolo.core.models import OutboxMessage
from sohosolo.core.outbox import outbox_enqueue
from sohosolo.partners.models import Partner, Referral
from sohosolo.passports.models import Passport
from sohosolo.prospects.models import (
    Activity,
    ActivityKind,
    ConsentRecord,
    ConsentSource,
    ImportBatch,
    Prospect,
    Stage,
    StageChange,
)
from sohosolo.prospects.privacy import REASON_ACCOUNT_DELETION, prospect_anonymise
from sohosolo.prospects.project_forms import stamp_issue
from sohosolo.prospects.services import activity_record, prospect_log_access, prospect_transition
from sohosolo.prospects.signals import prospect_anonymised
from sohosolo.villages.models import CommitteeMessage
from tests.accounts.staff_factories import member
from tests.prospects.factories import ProspectFactory
from tests.villages.factories import committee_member, village_in

pytestmark = pytest.mark.django_db

FIRST = "Quentinox"
LAST = "Zyxwvutsrq"
EMAIL = "q.zyxwvutsrq@exemple.fr"
PHONE = "06 98 76 54 32"
PERSONAL_VALUES = [FIRST, LAST, EMAIL, PHONE, "0698765432"]
FORM = "/fr/projet/"
LIST = "/fr/suivi/porteurs/"
LANDES = {"HTTP_HOST": "landes.localhost"}


def erase_url(prospect) -> str:
    return f"/fr/suivi/porteurs/{prospect.pk}/effacer/"


def rows_naming(values: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) for every text column of every table holding one of the values."""
    hits = []
    text_fields = (models.CharField, models.TextField, models.JSONField)
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if not isinstance(field, text_fields):
                    continue
                column = connection.ops.quote_name(field.column)
                for value in values:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                        f"WHERE LOWER(CAST({column} AS TEXT)) LIKE %s",
                        [f"%{value.lower()}%"],
                    )
                    if cursor.fetchone()[0]:
                        hits.append((table, field.column, value))
    return hits


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr", first_name="Camille")


@pytest.fixture
def village(gers):
    return village_in(gers, commune__name="Lavardens", slug="lavardens")


def send_project_form(client, village, **overrides) -> None:
    """The visitor sends the public project form (the real flow: prospect, account, emails, log)."""
    source = {
        "utm_source": "newsletter",
        "utm_term": f"{LAST.lower()}-famille",
        "landing_url": f"https://gers.localhost/fr/projet/?ref={LAST.lower()}",
    }
    data = {
        "first_name": FIRST,
        "last_name": LAST,
        "email": EMAIL,
        "phone": PHONE,
        "current_location": f"Lyon, chez {LAST}",
        "activity": f"Graphiste, studio {LAST}",
        "sector": "creative",
        "work_status": "freelance",
        "adults": "2",
        "children": "1",
        "children_ages": "4 ans",
        "timing": "6to12",
        "needs": ["rent", "coworking"],
        "villages": [str(village.pk)],
        "message": f"Bonjour, je suis {FIRST} {LAST}, joignable au {PHONE}.",
        "heard_from": "social",
        "heard_from_detail": f"Le blog de {FIRST}",
        "consent_contact": "on",
        "consent_share_villages": "on",
        "website": "",
        "stamp": stamp_issue(source, issued_at=time.time() - 30),
        **overrides,
    }
    response = client.post(FORM, data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def person_everywhere(client, gers, advisor, village):
    """A prospect whose name, email and phone the platform copied in every place it can."""
    committee_member(village, email="comite@lavardens.fr")
    send_project_form(client, village)
    # Sent again: a known contact (an activity summarising the answers, an email to the advisors).
    send_project_form(client, village, message=f"Relance de {FIRST} {LAST}")
    prospect = Prospect.objects.get(email=EMAIL)
    person = prospect.user
    assert person is not None and person.email == EMAIL

    # A failed login with the person's email (django-axes keeps the attempt).
    client.post("/fr/compte/connexion/", {"login": EMAIL, "password": "pas le bon"})
    assert AccessAttempt.objects.filter(username=EMAIL).exists()
    # The person edits their project in their space (the log names them as actor).
    with set_actor(person):
        prospect.refresh_from_db()
        prospect.message = f"{FIRST} {LAST} précise son projet"
        prospect.save()
    # The advisor reads the file, calls, moves it on, writes an email about it.
    with set_actor(advisor):
        prospect_log_access(prospect=prospect, user=advisor)
        activity_record(
            prospect=prospect,
            kind=ActivityKind.CALL,
            by=advisor,
            text=f"Appel de {FIRST} {LAST} au {PHONE} : {EMAIL}",
            data={"note": f"rappeler {FIRST}", "number": PHONE},
        )
        prospect_transition(prospect=prospect, to=Stage.QUALIFIED, by=advisor, note=f"{LAST} qualifié")
        # A candidate: the passport opens; the advisor refers them to a partner.
        prospect_transition(prospect=prospect, to=Stage.CANDIDATE, by=advisor)
        partner = Partner.objects.create(territory=gers, name="Banque du Gers", slug="banque", kind="bank")
        Referral.objects.create(
            prospect=prospect, partner=partner, created_by=advisor, message=f"{FIRST} {LAST} vous appellera"
        )
        outbox_enqueue(
            to=EMAIL,
            template="prospect_retention",
            context={
                "first_name": FIRST,
                "territory_name": "Gers",
                "deadline": prospect.created_at,
                "url": "x",
            },
            language="fr",
            territory=gers,
        )
    ConsentRecord.objects.filter(prospect=prospect).update(basis=f"Formulaire rempli par {FIRST} {LAST}")
    ImportBatch.objects.create(
        territory=gers,
        filename="salon.csv",
        columns=["Prénom", "Nom", "Courriel", "Téléphone"],
        rows=[[FIRST, LAST, EMAIL, PHONE], ["Jeanne", "Autre", "jeanne@exemple.fr", "0611111111"]],
    )
    CommitteeMessage.objects.create(village=village, name=f"{FIRST} {LAST}", email=EMAIL, message="Bonjour")

    assert {value for _, _, value in rows_naming(PERSONAL_VALUES)} == set(PERSONAL_VALUES)
    return prospect


def assert_figures_kept(prospect: Prospect, village) -> None:
    prospect.refresh_from_db()
    assert prospect.anonymised_at is not None
    assert prospect.stage == Stage.CANDIDATE
    assert prospect.sector == "creative" and prospect.work_status == "freelance"
    assert (prospect.adults, prospect.children, prospect.timing) == (2, 1, "6to12")
    assert prospect.utm_source == "newsletter" and prospect.channel == "form"
    assert sorted(prospect.needs) == ["coworking", "rent"]
    assert list(prospect.villages.all()) == [village]
    assert StageChange.objects.filter(prospect=prospect, to_stage=Stage.QUALIFIED).exists()
    assert (prospect.first_name, prospect.last_name, prospect.email, prospect.phone) == ("", "", "", "")
    assert prospect.user is None
    assert not (prospect.consent_contact or prospect.consent_share_villages)
    assert ConsentRecord.objects.filter(prospect=prospect, source=ConsentSource.ERASURE).exists()
    assert Passport.objects.get(prospect=prospect).revoked_at is not None


def test_after_an_erasure_by_staff_no_table_names_the_person(client, person_everywhere, advisor, village):
    prospect = person_everywhere
    person_pk = prospect.user_id
    client.force_login(advisor)

    page = client.get(erase_url(prospect))
    assert page.status_code == 200
    assert f"{FIRST} {LAST}" in page.content.decode()
    response = client.post(erase_url(prospect), {"reason": f"Demande de {FIRST} {LAST} par courriel"})

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert f"porteur de projet n° {prospect.pk} ont été effacées" in " ".join(
        str(m) for m in get_messages(response.wsgi_request)
    )
    assert rows_naming(PERSONAL_VALUES) == []
    assert_figures_kept(prospect, village)
    assert not User.objects.filter(pk=person_pk).exists()
    assert ImportBatch.objects.get().rows == [["Jeanne", "Autre", "jeanne@exemple.fr", "0611111111"]]
    entry = LogEntry.objects.filter(additional_data__anonymised=True).get()
    assert entry.actor == advisor
    assert entry.additional_data["reason"] == "Demande de [effacé] par courriel"
    assert entry.additional_data["prospect"] == prospect.pk


def test_after_deleting_their_account_in_my_space_no_table_names_the_person(
    client, person_everywhere, village
):
    prospect = person_everywhere
    person = prospect.user
    client.force_login(person)

    page = client.get("/fr/mon-espace/supprimer/")
    assert "Votre projet d'installation est effacé lui aussi" in html.unescape(page.content.decode())
    response = client.post("/fr/mon-espace/supprimer/", {"confirm_email": EMAIL})

    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert rows_naming(PERSONAL_VALUES) == []
    assert_figures_kept(prospect, village)
    entry = LogEntry.objects.filter(additional_data__anonymised=True).get()
    assert entry.actor is None and entry.actor_email is None
    assert entry.additional_data["reason"] == REASON_ACCOUNT_DELETION
    assert entry.additional_data["by"] == "person"


def test_the_erase_page_requires_a_reason(client, gers, advisor):
    prospect = ProspectFactory(territory=gers)
    client.force_login(advisor)

    response = client.post(erase_url(prospect), {"reason": "  "})

    assert response.status_code == 400
    assert "Indiquez le motif de l'effacement." in html.unescape(response.content.decode())
    prospect.refresh_from_db()
    assert prospect.anonymised_at is None


def test_a_prospect_of_another_territory_answers_404(client, gers, landes):
    prospect = ProspectFactory(territory=gers)
    client.force_login(member(landes, Role.ADVISOR))

    assert client.get(erase_url(prospect), **LANDES).status_code == 404
    assert client.post(erase_url(prospect), {"reason": "test"}, **LANDES).status_code == 404
    prospect.refresh_from_db()
    assert prospect.anonymised_at is None


def test_a_committee_member_may_not_erase(client, gers, village):
    prospect = ProspectFactory(territory=gers)
    client.force_login(committee_member(village))

    assert client.post(erase_url(prospect), {"reason": "test"}).status_code == 403
    prospect.refresh_from_db()
    assert prospect.anonymised_at is None


def test_an_account_with_another_role_is_kept_without_its_prospect_role(gers, village, advisor):
    user = committee_member(village, email="benevole@exemple.fr")
    Membership.objects.create(user=user, territory=gers, role=Role.PROSPECT)
    prospect = ProspectFactory(territory=gers, user=user, email="benevole@exemple.fr")

    prospect_anonymise(prospect=prospect, by=advisor, reason="demande")

    assert User.objects.filter(pk=user.pk).exists()
    assert set(user.memberships.values_list("role", flat=True)) == {Role.COMMITTEE}
    prospect.refresh_from_db()
    assert prospect.user is None and prospect.email == ""


def test_anonymising_twice_changes_nothing_more_and_tells_other_apps_once(gers, advisor):
    prospect = ProspectFactory(territory=gers)
    activity_record(prospect=prospect, kind=ActivityKind.NOTE, text="Note")
    received = []

    def receiver(sender, prospect, **kwargs):
        received.append(prospect.pk)

    prospect_anonymised.connect(receiver)
    try:
        prospect_anonymise(prospect=prospect, by=advisor, reason="demande")
        prospect_anonymise(prospect=prospect, by=advisor, reason="demande")
    finally:
        prospect_anonymised.disconnect(receiver)

    assert received == [prospect.pk]
    assert LogEntry.objects.filter(additional_data__anonymised=True).count() == 1
    assert Activity.objects.filter(prospect=prospect, data__event="anonymised").count() == 1
    assert OutboxMessage.objects.count() == 0


def test_erasing_an_already_anonymised_prospect_goes_back_to_the_list(client, gers, advisor):
    prospect = ProspectFactory(territory=gers)
    prospect_anonymise(prospect=prospect, by=advisor, reason="demande")
    client.force_login(advisor)

    response = client.post(erase_url(prospect), {"reason": "encore"})

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert LogEntry.objects.filter(additional_data__anonymised=True).count() == 1
