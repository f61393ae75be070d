"""Sample event series: the Mercredis and the Club of each sample territory, labelled, idempotent."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from sohosolo.events.models import Audience, Occurrence, Series
from sohosolo.events.sample import events_load_sample

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)  # a Friday


def local_starts(series) -> list[datetime]:
    return [o.starts_at.astimezone(PARIS) for o in series.occurrences.order_by("starts_at")]


def test_each_sample_territory_gets_the_mercredis_and_the_club(gers, landes):
    with time_machine.travel(NOW, tick=False):
        for territory in (gers, landes):
            counts = events_load_sample(territory=territory)
            assert counts["series"] == 2 and counts["occurrences"] > 10

    mercredis = Series.objects.get(territory=gers, slug="mercredis-de-l-installation")
    assert mercredis.is_sample and mercredis.is_published
    assert mercredis.title_fr == "Les Mercredis de l'installation" and mercredis.title_en
    assert mercredis.description_fr.startswith("Donnée d'exemple.")
    assert mercredis.address == "CCI du Gers, 1 place Jean David, 32000 Auch"
    assert (mercredis.lat, mercredis.lon) == (43.6465, 0.5855)
    assert (mercredis.capacity, mercredis.audience) == (25, Audience.PUBLIC)
    assert mercredis.questions[0]["label"]["fr"] == "Où en est votre projet ?"
    assert mercredis.questions[0]["required"] is False
    starts = local_starts(mercredis)
    assert starts[0] == datetime(2026, 11, 25, 18, tzinfo=PARIS)
    assert all(s.weekday() == 2 and s.strftime("%H:%M") == "18:00" for s in starts)
    assert {(b - a).days for a, b in zip(starts, starts[1:], strict=False)} == {14}

    club = Series.objects.get(territory=gers, slug="club-soho-solo")
    assert (club.capacity, club.audience, club.kind) == (20, Audience.MEMBERS, "club")
    assert "Auch" in club.address
    starts = local_starts(club)
    assert starts[0] == datetime(2026, 12, 4, 8, 30, tzinfo=PARIS)
    assert all(s.weekday() == 4 and s.day <= 7 and s.strftime("%H:%M") == "08:30" for s in starts)
    assert len(starts) == 6

    landes_mercredis = Series.objects.get(territory=landes, slug="mercredis-de-l-installation")
    assert landes_mercredis.address == "CCI des Landes, 293 avenue du Maréchal Foch, 40000 Mont-de-Marsan"
    assert (landes_mercredis.lat, landes_mercredis.lon) == (43.8937, -0.5006)
    assert "Mont-de-Marsan" in Series.objects.get(territory=landes, slug="club-soho-solo").address
    occurrence = landes_mercredis.occurrences.first()
    assert occurrence.capacity == 25 and occurrence.questions == landes_mercredis.questions


def test_loading_twice_creates_nothing_new_and_keeps_staff_changes(gers):
    with time_machine.travel(NOW, tick=False):
        events_load_sample(territory=gers)
        Series.objects.filter(slug="club-soho-solo").update(capacity=12)
        before = Occurrence.objects.count()
        counts = events_load_sample(territory=gers)
    assert counts == {"series": 0, "occurrences": 0}
    assert Occurrence.objects.count() == before
    assert Series.objects.get(slug="club-soho-solo").capacity == 12


def test_a_month_later_loading_again_adds_the_new_dates(gers):
    with time_machine.travel(NOW, tick=False):
        events_load_sample(territory=gers)
    with time_machine.travel(datetime(2026, 12, 20, 10, tzinfo=PARIS), tick=False):
        counts = events_load_sample(territory=gers)
    assert counts["series"] == 0 and counts["occurrences"] >= 2


def test_the_command_loads_every_sample_territory_in_development_only(gers, landes, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_sample_events", stdout=StringIO())
    settings.DEBUG = True
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("load_sample_events", stdout=out)
        call_command("load_sample_events", stdout=StringIO())
    assert Series.objects.filter(is_sample=True).count() == 4
    assert "Gers : 2 série(s) d'exemple créée(s)" in out.getvalue()
