"""Offers expire on their own: 60 days by default, a reminder 7 days before (once), then gone."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail

from sohosolo.core.models import OutboxMessage
from sohosolo.core.scheduler import REGISTRY, scheduler_tick
from sohosolo.housing.models import HousingOffer, HousingStatus
from sohosolo.housing.services import housing_expire_due, housing_publish, housing_send_expiry_reminders
from sohosolo.housing.tasks import expire_due_offers, send_expiry_reminders

from .factories import HousingOfferFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def published(village_a, committee_a):
    with time_machine.travel(START, tick=False):
        offer = HousingOfferFactory(village=village_a, author=committee_a)
        return housing_publish(offer=offer, by=committee_a)


def detail(offer) -> str:
    return f"/fr/logements/{offer.pk}/"


def test_publishing_puts_an_offer_online_for_60_days(published):
    assert published.status == HousingStatus.PUBLISHED
    assert published.published_at == START
    assert published.expires_at == START + timedelta(days=60)


def test_a_published_offer_leaves_the_public_pages_by_itself_after_60_days(client, published):
    with time_machine.travel(START + timedelta(days=59, hours=23), tick=False):
        assert HousingOffer.objects.public().filter(pk=published.pk).exists()
        assert client.get(detail(published)).status_code == 200

    with time_machine.travel(START + timedelta(days=60, minutes=1), tick=False):
        # No job has run yet: the date alone takes it off the public pages and the map.
        assert HousingOffer.objects.get(pk=published.pk).status == HousingStatus.PUBLISHED
        assert not HousingOffer.objects.public().filter(pk=published.pk).exists()
        response = client.get(detail(published))

    assert response.status_code == 410
    body = response.content.decode()
    assert "Cette offre n'est plus disponible" in body
    assert published.title_fr not in body


def test_the_expire_job_marks_past_offers_expired_and_logs_it_once(published, village_a):
    live = HousingOfferFactory(village=village_a, published=True)
    with time_machine.travel(START + timedelta(days=60, hours=1), tick=False):
        first = expire_due_offers.enqueue().return_value
        second = expire_due_offers.enqueue().return_value

    assert (first, second) == (1, 0)
    assert HousingOffer.objects.get(pk=published.pk).status == HousingStatus.EXPIRED
    assert HousingOffer.objects.get(pk=live.pk).status == HousingStatus.PUBLISHED
    entries = LogEntry.objects.get_for_object(published).filter(changes__status__1="expired")
    assert entries.count() == 1
    assert entries.get().additional_data["territory"] == village_a.territory_id


def test_an_expired_offer_answers_410_with_a_link_to_its_village(client, published, village_a):
    with time_machine.travel(START + timedelta(days=61), tick=False):
        housing_expire_due()
        response = client.get(detail(published))

    assert response.status_code == 410
    assert f"/fr/villages/{village_a.slug}/" in response.content.decode()


def test_the_author_is_reminded_seven_days_before_exactly_once_even_if_the_job_runs_twice(
    published, committee_a, django_capture_on_commit_callbacks
):
    with time_machine.travel(START + timedelta(days=52), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_expiry_reminders.enqueue().return_value == 0  # 8 days before: too early

    with time_machine.travel(START + timedelta(days=53, minutes=30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = send_expiry_reminders.enqueue().return_value
        with django_capture_on_commit_callbacks(execute=True):
            second = send_expiry_reminders.enqueue().return_value

    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [committee_a.email]
    assert published.title_fr in email.subject
    assert "1 mai 2026" in email.subject
    assert f"/fr/suivi/logements/{published.pk}/" in email.body
    assert HousingOffer.objects.get(pk=published.pk).expiry_reminder_sent_at is not None


def test_renewing_an_offer_pushes_its_end_back_and_rearms_the_reminder(published, committee_a):
    with time_machine.travel(START + timedelta(days=54), tick=False):
        assert housing_send_expiry_reminders() == 1
        renewed = housing_publish(offer=published, by=committee_a)
        assert housing_send_expiry_reminders() == 0

    assert renewed.published_at == START  # still the same publication, now longer
    assert renewed.expires_at == START + timedelta(days=54 + 60)
    assert renewed.expiry_reminder_sent_at is None
    with time_machine.travel(START + timedelta(days=54 + 54), tick=False):
        assert housing_send_expiry_reminders() == 1
    assert OutboxMessage.objects.filter(kind="housing_expiry_reminder").count() == 2


def test_an_offer_without_author_reminds_its_village_committee(published, committee_a, village_a):
    from tests.villages.factories import committee_member

    other = committee_member(village_a, email="autre-membre@exemple.fr")
    HousingOffer.objects.filter(pk=published.pk).update(author=None)

    with time_machine.travel(START + timedelta(days=55), tick=False):
        housing_send_expiry_reminders()

    assert set(OutboxMessage.objects.values_list("to", flat=True)) == {committee_a.email, other.email}


def test_the_scheduler_runs_the_housing_jobs_every_hour(published):
    assert REGISTRY["housing.expire_due_offers"].every == timedelta(hours=1)
    assert REGISTRY["housing.send_expiry_reminders"].every == timedelta(hours=1)

    enqueued = scheduler_tick(now=START + timedelta(days=61))

    assert {"housing.expire_due_offers", "housing.send_expiry_reminders"} <= set(enqueued)
    assert HousingOffer.objects.get(pk=published.pk).status == HousingStatus.EXPIRED


def test_visitors_messages_are_deleted_after_a_year(published):
    from sohosolo.housing.models import HousingContactMessage
    from sohosolo.housing.tasks import purge_contact_messages

    with time_machine.travel(START, tick=False):
        old = HousingContactMessage.objects.create(
            offer=published, name="A", email="a@exemple.fr", message="…"
        )
    with time_machine.travel(START + timedelta(days=300), tick=False):
        recent = HousingContactMessage.objects.create(
            offer=published, name="B", email="b@exemple.fr", message="…"
        )

    with time_machine.travel(START + timedelta(days=366), tick=False):
        assert purge_contact_messages.enqueue().return_value == 1

    assert list(HousingContactMessage.objects.all()) == [recent]
    assert not HousingContactMessage.objects.filter(pk=old.pk).exists()
    assert REGISTRY["housing.purge_contact_messages"].every == timedelta(days=1)
