"""Retention: 30 days before a file turns 3 years without contact from the person, they are asked by
email whether to keep it (a signed link); files reaching 3 years without an answer are anonymised.
The daily job is idempotent: a second run neither sends a second email nor anonymises twice."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import signing

from sohosolo.core.models import OutboxMessage
from sohosolo.core.scheduler import REGISTRY, scheduler_tick
from sohosolo.prospects.models import Activity, Prospect
from sohosolo.prospects.privacy import REASON_RETENTION
from sohosolo.prospects.retention import (
    ASK_BEFORE,
    LINK_VALIDITY,
    RETENTION,
    SALT,
    retention_run,
    retention_token,
)
from tests.prospects.factories import ProspectFactory

pytestmark = pytest.mark.django_db

LAST_CONTACT = datetime(2023, 1, 10, 9, 0, tzinfo=UTC)
ASK_AT = LAST_CONTACT + RETENTION - ASK_BEFORE
ERASE_AT = LAST_CONTACT + RETENTION
LINK = re.compile(r"https?://[^/\s\"]+(/(?:fr|en|es|pt)/conservation/[^/\s\"]+/)")


@pytest.fixture
def prospect(gers):
    return ProspectFactory(
        territory=gers,
        first_name="Léa",
        email="lea@exemple.fr",
        language="en",
        created_at=LAST_CONTACT,
        last_inbound_at=LAST_CONTACT,
    )


def emails_to(address: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(to=address, kind="prospect_retention"))


def link_of(message: OutboxMessage) -> str:
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def run_at(moment: datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        return retention_run()


# --- Asking ---------------------------------------------------------------------------------------


def test_the_question_leaves_30_days_before_the_end_once_in_the_persons_language(prospect):
    assert run_at(ASK_AT - timedelta(days=1)) == {"asked": 0, "anonymised": 0}
    assert emails_to("lea@exemple.fr") == []

    assert run_at(ASK_AT) == {"asked": 1, "anonymised": 0}
    assert run_at(ASK_AT) == {"asked": 0, "anonymised": 0}
    assert run_at(ASK_AT + timedelta(days=1)) == {"asked": 0, "anonymised": 0}

    [message] = emails_to("lea@exemple.fr")
    assert message.language == "en"
    assert message.territory == prospect.territory
    assert "Léa" in message.body_text
    assert link_of(message).startswith("/en/conservation/")
    prospect.refresh_from_db()
    assert prospect.retention_asked_at == ASK_AT


def test_nobody_is_asked_without_an_email_address_or_once_anonymised(gers):
    ProspectFactory(territory=gers, email="", last_inbound_at=LAST_CONTACT)
    ProspectFactory(
        territory=gers, email="ancien@exemple.fr", last_inbound_at=LAST_CONTACT, anonymised_at=LAST_CONTACT
    )

    assert run_at(ASK_AT)["asked"] == 0
    assert OutboxMessage.objects.count() == 0


def test_the_daily_job_is_registered_and_runs_from_the_scheduler(prospect):
    job = REGISTRY["prospects.retention"]
    assert job.every == timedelta(days=1)

    with time_machine.travel(ASK_AT, tick=False):
        assert "prospects.retention" in scheduler_tick()
        assert "prospects.retention" not in scheduler_tick()  # the same day's slot is taken

    assert len(emails_to("lea@exemple.fr")) == 1


# --- Anonymising ----------------------------------------------------------------------------------


def test_a_file_is_anonymised_at_three_years_without_contact_not_a_day_before(prospect):
    run_at(ASK_AT)

    assert run_at(ERASE_AT - timedelta(days=1))["anonymised"] == 0
    prospect.refresh_from_db()
    assert prospect.anonymised_at is None

    assert run_at(ERASE_AT)["anonymised"] == 1
    assert run_at(ERASE_AT)["anonymised"] == 0
    prospect.refresh_from_db()
    assert prospect.anonymised_at == ERASE_AT
    assert (prospect.first_name, prospect.email) == ("", "")
    entry = LogEntry.objects.filter(additional_data__anonymised=True).get()
    assert entry.actor is None
    assert entry.additional_data["reason"] == REASON_RETENTION
    # The question sent to the person is erased with the rest.
    assert OutboxMessage.objects.filter(to="lea@exemple.fr").count() == 0


def test_a_person_who_keeps_their_file_is_not_anonymised_and_is_asked_again_three_years_later(
    client, prospect
):
    run_at(ASK_AT)
    link = link_of(emails_to("lea@exemple.fr")[0])
    answered = ASK_AT + timedelta(days=10)

    with time_machine.travel(answered, tick=False):
        page = client.get(link)
        assert page.status_code == 200
        assert "Yes, keep my file" in page.content.decode()  # the link is in the person's language
        response = client.post(link, {"keep": "1"})
    assert response.status_code == 200
    assert "your file has been kept" in html.unescape(response.content.decode())

    prospect.refresh_from_db()
    assert prospect.retention_confirmed_at == answered
    assert prospect.last_inbound_at == answered  # the answer is a contact from the person
    assert Activity.objects.filter(prospect=prospect, data__event="retention_kept").count() == 1

    assert run_at(ERASE_AT) == {"asked": 0, "anonymised": 0}
    prospect.refresh_from_db()
    assert prospect.anonymised_at is None
    assert run_at(answered + RETENTION - ASK_BEFORE)["asked"] == 1
    assert len(emails_to("lea@exemple.fr")) == 2


# --- The signed link ------------------------------------------------------------------------------


def test_a_forged_link_gets_a_clear_400_page(client, prospect):
    forged = signing.dumps({"p": prospect.pk}, salt="another.salt")

    for token in (forged, retention_token(prospect)[:-3] + "abc", "nimportequoi"):
        response = client.post(f"/fr/conservation/{token}/", {"keep": "1"})
        assert response.status_code == 400
        assert "Ce lien n'est pas valide" in html.unescape(response.content.decode())

    prospect.refresh_from_db()
    assert prospect.retention_confirmed_at is None


def test_an_expired_link_gets_a_clear_400_page(client, prospect):
    with time_machine.travel(ASK_AT, tick=False):
        token = retention_token(prospect)

    with time_machine.travel(ASK_AT + LINK_VALIDITY + timedelta(minutes=1), tick=False):
        response = client.get(f"/fr/conservation/{token}/")

    assert response.status_code == 400
    assert "Ce lien a expiré" in html.unescape(response.content.decode())


def test_the_link_of_an_anonymised_file_says_so(client, prospect):
    token = retention_token(prospect)
    run_at(ERASE_AT)

    response = client.post(f"/fr/conservation/{token}/", {"keep": "1"})

    assert response.status_code == 400
    assert "Ce dossier a déjà été effacé" in html.unescape(response.content.decode())
    assert Prospect.objects.get(pk=prospect.pk).retention_confirmed_at is None


def test_the_token_is_signed_with_the_retention_salt(prospect):
    assert signing.loads(retention_token(prospect), salt=SALT) == {"p": prospect.pk}
