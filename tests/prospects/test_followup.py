"""The one-year follow-up survey: the daily job, the signed link and the answer."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing

from sohosolo.core.models import OutboxMessage
from sohosolo.core.scheduler import REGISTRY
from sohosolo.prospects.followup import (
    SALT,
    followup_token,
    months_before,
    send_followup_surveys,
)
from sohosolo.prospects.models import Activity, ActivityKind, Prospect, Stage

from .factories import ProspectFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
INSTALLED_ON = date(2025, 3, 10)


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def run_job(day: date) -> dict:
    with time_machine.travel(at(day), tick=False):
        return send_followup_surveys.enqueue().return_value


def survey_path(prospect, language: str = "fr") -> str:
    return f"/{language}/enquete/{followup_token(prospect)}/"


@pytest.fixture
def installed(gers):
    return ProspectFactory(
        territory=gers,
        first_name="Camille",
        email="camille@exemple.fr",
        stage=Stage.INSTALLED,
        installed_on=INSTALLED_ON,
    )


def answers(**changes) -> dict:
    return {"still_living": "yes", "activity_going": "yes", "would_recommend": "no", "comment": "", **changes}


def test_the_job_is_registered_daily():
    job = REGISTRY["prospects.followup"]
    assert job.task is send_followup_surveys
    assert job.every == timedelta(days=1)


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(date(2026, 3, 10), 12) == date(2025, 3, 10)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)


# --- The job ----------------------------------------------------------------------------------------


def test_nothing_is_sent_a_day_before_twelve_months(installed):
    assert run_job(date(2026, 3, 9)) == {"sent": 0, "reminded": 0}
    assert not OutboxMessage.objects.exists()


def test_the_survey_goes_out_twelve_months_after_the_installation_once(installed):
    assert run_job(date(2026, 3, 10)) == {"sent": 1, "reminded": 0}
    assert run_job(date(2026, 3, 10)) == {"sent": 0, "reminded": 0}  # a double run
    assert run_job(date(2026, 3, 11)) == {"sent": 0, "reminded": 0}

    message = OutboxMessage.objects.get()
    assert message.to == "camille@exemple.fr"
    assert message.kind == "prospect_followup"
    assert message.territory == installed.territory
    assert "Bonjour Camille," in message.body_text
    url = re.search(r"http://\S+/fr/enquete/\S+/", message.body_text).group(0)
    assert url.startswith("http://gers.localhost/")
    installed.refresh_from_db()
    assert installed.followup_sent_at == at(date(2026, 3, 10))
    assert installed.followup_reminded_at is None


def test_the_email_is_in_the_prospects_language(installed):
    Prospect.objects.filter(pk=installed.pk).update(language="en")
    run_job(date(2026, 3, 10))
    message = OutboxMessage.objects.get()
    assert message.language == "en"
    assert "/en/enquete/" in message.body_text


def test_prospects_not_to_survey_get_nothing(gers, installed):
    common = {"territory": gers, "stage": Stage.INSTALLED, "installed_on": INSTALLED_ON}
    ProspectFactory(**common, email="")
    ProspectFactory(**common, anonymised_at=at(date(2026, 1, 1)))
    ProspectFactory(**common, consent_contact=False)
    ProspectFactory(territory=gers, stage=Stage.INSTALLING, installed_on=INSTALLED_ON)
    ProspectFactory(**{**common, "installed_on": date(2023, 3, 10)})  # years ago: no "one year after"

    assert run_job(date(2026, 3, 10)) == {"sent": 1, "reminded": 0}
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["camille@exemple.fr"]


def test_a_reminder_goes_out_at_thirteen_months_once(installed):
    run_job(date(2026, 3, 10))
    assert run_job(date(2026, 4, 9)) == {"sent": 0, "reminded": 0}
    assert run_job(date(2026, 4, 10)) == {"sent": 0, "reminded": 1}
    assert run_job(date(2026, 4, 10)) == {"sent": 0, "reminded": 0}
    assert run_job(date(2026, 5, 10)) == {"sent": 0, "reminded": 0}

    kinds = list(OutboxMessage.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["prospect_followup", "prospect_followup_reminder"]
    reminder = OutboxMessage.objects.get(kind="prospect_followup_reminder")
    assert "/fr/enquete/" in reminder.body_text
    installed.refresh_from_db()
    assert installed.followup_reminded_at == at(date(2026, 4, 10))


def test_no_reminder_once_answered(client, installed):
    run_job(date(2026, 3, 10))
    with time_machine.travel(at(date(2026, 3, 20)), tick=False):
        assert client.post(survey_path(installed), answers()).status_code == 200

    assert run_job(date(2026, 4, 10)) == {"sent": 0, "reminded": 0}
    assert OutboxMessage.objects.count() == 1


def test_a_late_first_email_is_not_followed_by_a_reminder_the_same_day(gers):
    late = ProspectFactory(territory=gers, stage=Stage.INSTALLED, installed_on=date(2025, 2, 1))
    assert run_job(date(2026, 3, 10)) == {"sent": 1, "reminded": 0}  # 13 months and more: first email only
    assert run_job(date(2026, 3, 30)) == {"sent": 0, "reminded": 0}  # three weeks not yet (summer time)
    assert run_job(date(2026, 4, 1)) == {"sent": 0, "reminded": 1}
    late.refresh_from_db()
    assert late.followup_reminded_at is not None


# --- The survey page --------------------------------------------------------------------------------


def test_the_survey_page_is_public_and_asks_three_questions(client, installed):
    response = client.get(survey_path(installed))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Vivez-vous toujours sur le territoire ?" in body
    assert "Votre activité professionnelle continue-t-elle ?" in body
    assert "Recommanderiez-vous le territoire" in body


def test_an_answer_is_stored_with_an_activity_and_counts_as_an_inbound_contact(client, installed):
    with time_machine.travel(at(date(2026, 3, 20), 14), tick=False):
        response = client.post(survey_path(installed), answers(comment="Très heureux ici."))

    assert response.status_code == 200
    assert "Vos réponses sont enregistrées." in response.content.decode()
    installed.refresh_from_db()
    assert installed.followup_still_living is True
    assert installed.followup_activity_going is True
    assert installed.followup_would_recommend is False
    assert installed.followup_comment == "Très heureux ici."
    assert installed.followup_answered_at == at(date(2026, 3, 20), 14)
    assert installed.last_inbound_at == at(date(2026, 3, 20), 14)
    activity = Activity.objects.get(prospect=installed, kind=ActivityKind.SURVEY)
    assert activity.text == "Très heureux ici."
    assert activity.data == {"still_living": True, "activity_going": True, "would_recommend": False}


def test_a_missing_answer_is_refused_and_nothing_is_stored(client, installed):
    response = client.post(survey_path(installed), {"still_living": "yes", "comment": "Bien."})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Répondez oui ou non." in body
    assert "Bien." in body
    installed.refresh_from_db()
    assert installed.followup_answered_at is None


def test_answering_twice_says_already_answered_and_keeps_the_first_answer(client, installed):
    client.post(survey_path(installed), answers(comment="Premier avis."))

    second = client.post(survey_path(installed), answers(would_recommend="yes", comment="Second avis."))
    again = client.get(survey_path(installed))

    for response in (second, again):
        assert response.status_code == 200
        assert "Vous avez déjà répondu à cette enquête" in response.content.decode()
    installed.refresh_from_db()
    assert installed.followup_comment == "Premier avis."
    assert installed.followup_would_recommend is False
    assert Activity.objects.filter(prospect=installed, kind=ActivityKind.SURVEY).count() == 1


def test_a_forged_link_answers_400(client, installed):
    forged = signing.dumps({"p": installed.pk}, salt="another.salt")
    for token in (forged, "nimportequoi", followup_token(installed)[:-2] + "xx"):
        response = client.get(f"/fr/enquete/{token}/")
        assert response.status_code == 400
        assert "Ce lien vers l'enquête n'est pas valable." in response.content.decode()
    assert client.post(f"/fr/enquete/{forged}/", answers()).status_code == 400
    installed.refresh_from_db()
    assert installed.followup_answered_at is None


def test_an_expired_link_answers_400(client, installed):
    with time_machine.travel(at(date(2026, 3, 10)), tick=False):
        path = survey_path(installed)
    with time_machine.travel(at(date(2026, 3, 10)) + timedelta(days=89), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(at(date(2026, 3, 10)) + timedelta(days=91), tick=False):
        response = client.get(path)
    assert response.status_code == 400
    assert "Ce lien vers l'enquête a expiré" in response.content.decode()


def test_a_link_for_an_anonymised_prospect_or_from_another_territory_answers_400(client, landes, installed):
    other = ProspectFactory(territory=landes, stage=Stage.INSTALLED, installed_on=INSTALLED_ON)
    assert client.get(survey_path(other)).status_code == 400  # on the Gers site
    assert client.get(survey_path(other), HTTP_HOST="landes.localhost").status_code == 200
    Prospect.objects.filter(pk=installed.pk).update(anonymised_at=at(date(2026, 1, 1)))
    assert client.get(survey_path(installed)).status_code == 400


def test_the_token_is_bound_to_the_prospect(installed):
    assert signing.loads(followup_token(installed), salt=SALT) == {"p": installed.pk}
