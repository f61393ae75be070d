from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from sohosolo.core.scheduler import REGISTRY
from sohosolo.villages.models import CommitteeMessage, Village
from sohosolo.villages.services import committee_messages_purge

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(gers_communes):
    commune = gers_communes.communes.first()
    return Village.objects.create(territory=gers_communes, commune=commune, slug="v", status="published")


def test_messages_to_committees_are_deleted_after_a_year(village):
    with time_machine.travel(timezone.now() - timedelta(days=366), tick=False):
        old = CommitteeMessage.objects.create(village=village, name="A", email="a@example.fr", message="old")
    recent = CommitteeMessage.objects.create(village=village, name="B", email="b@example.fr", message="new")

    assert committee_messages_purge() == 1

    assert not CommitteeMessage.objects.filter(pk=old.pk).exists()
    assert CommitteeMessage.objects.filter(pk=recent.pk).exists()


def test_the_purge_is_a_daily_scheduled_job():
    assert REGISTRY["villages.purge_committee_messages"].every == timedelta(days=1)
