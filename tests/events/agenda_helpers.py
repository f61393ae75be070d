"""Data for the agenda, iCal, API and map tests: series and occurrence rows made directly.

``scenario`` (a fixture of test_agenda.py, imported by the others) is seen from NOW, a Friday in
November 2026: the Mercredis every other Wednesday at 18:00 at the CCI in Auch, a members-only Club
breakfast of a village, an online workshop, and what the agenda must not show (another territory's
event, an unpublished series, a past date, a date beyond six months).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sohosolo.events.models import (
    Audience,
    EventKind,
    Occurrence,
    OccurrenceStatus,
    Registration,
    RegistrationStatus,
    Series,
)
from tests.villages.factories import village_in

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
LANDES = {"HTTP_HOST": "landes.localhost"}
CCI = "CCI du Gers, 1 place Jean David, 32000 Auch"
CCI_POSITION = {"lat": 43.6465, "lon": 0.5855}


def paris(year, month, day, hour=18, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def make_series(territory, slug: str, **fields) -> Series:
    defaults = {
        "territory": territory,
        "slug": slug,
        "kind": EventKind.INFO_MEETING,
        "title_fr": "Mercredi de l'installation",
        "dtstart": paris(2026, 11, 25),
        "duration_minutes": 90,
        "capacity": 30,
        "address": CCI,
        **CCI_POSITION,
    }
    defaults.update(fields)
    return Series.objects.create(**defaults)


def make_occurrence(series: Series, starts_at: datetime, **fields) -> Occurrence:
    """An occurrence row of the series at ``starts_at`` (its rule instance unless recurrence_id)."""
    defaults = {
        "recurrence_id": starts_at,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=series.duration_minutes),
        "capacity": series.capacity,
        "address": series.address,
        "lat": series.lat,
        "lon": series.lon,
        "online_url": series.online_url,
        "audience": series.audience,
    }
    defaults.update(fields)
    return Occurrence.objects.create(series=series, **defaults)


def add_registrations(occurrence: Occurrence, count: int, status=RegistrationStatus.CONFIRMED) -> None:
    start = Registration.objects.count()
    Registration.objects.bulk_create(
        Registration(
            occurrence=occurrence,
            name=f"Personne {start + i}",
            email=f"personne{start + i}@exemple.fr",
            status=status,
        )
        for i in range(count)
    )


@dataclass
class Scenario:
    mercredis: Series
    club: Series
    workshop: Series
    village: object
    nov25: Occurrence  # full: capacity 2, 2 confirmed
    dec9: Occurrence  # 29 seats left (1 confirmed, 1 waitlisted, 1 cancelled)
    dec23: Occurrence  # cancelled
    jan6: Occurrence
    club_dec4: Occurrence  # members only, in a village
    workshop_dec10: Occurrence  # online
    past: Occurrence
    far: Occurrence  # beyond six months
    draft: Occurrence  # of an unpublished series
    landes: Occurrence  # another territory


def build_scenario(gers, landes) -> Scenario:
    mercredis = make_series(
        gers, "mercredis", rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", dtstart=paris(2026, 11, 11)
    )
    past = make_occurrence(mercredis, paris(2026, 11, 11))
    nov25 = make_occurrence(mercredis, paris(2026, 11, 25), capacity=2)
    add_registrations(nov25, 2)
    dec9 = make_occurrence(mercredis, paris(2026, 12, 9))
    add_registrations(dec9, 1)
    add_registrations(dec9, 1, RegistrationStatus.WAITLISTED)
    add_registrations(dec9, 1, RegistrationStatus.CANCELLED)
    dec23 = make_occurrence(
        mercredis,
        paris(2026, 12, 23),
        status=OccurrenceStatus.CANCELLED,
        cancel_reason="Congés de fin d'année",
    )
    jan6 = make_occurrence(mercredis, paris(2027, 1, 6))
    far = make_occurrence(mercredis, paris(2027, 6, 23))

    village = village_in(gers)
    club = make_series(
        gers,
        "club-soho-solo",
        kind=EventKind.CLUB,
        title_fr="Club Soho Solo",
        rrule="FREQ=MONTHLY;BYDAY=1FR",
        dtstart=paris(2026, 12, 4, 8, 30),
        audience=Audience.MEMBERS,
        village=village,
        address="Café de la Halle, Lavardens",
        lat=43.7612,
        lon=0.5162,
    )
    club_dec4 = make_occurrence(club, paris(2026, 12, 4, 8, 30))

    workshop = make_series(
        gers,
        "atelier-statut",
        kind=EventKind.WORKSHOP,
        title_fr="Atelier : choisir son statut",
        dtstart=paris(2026, 12, 10, 14),
        duration_minutes=120,
        address="",
        lat=None,
        lon=None,
        online_url="https://visio.exemple.fr/atelier-statut",
    )
    workshop_dec10 = make_occurrence(workshop, paris(2026, 12, 10, 14))

    draft_series = make_series(gers, "brouillon", title_fr="Réunion en préparation", is_published=False)
    draft = make_occurrence(draft_series, paris(2026, 12, 3))
    landes_series = make_series(
        landes,
        "rencontre-landaise",
        title_fr="Rencontre landaise",
        address="Mont-de-Marsan",
        lat=43.89,
        lon=-0.5,
    )
    landes_occurrence = make_occurrence(landes_series, paris(2026, 12, 2))
    return Scenario(
        mercredis=mercredis,
        club=club,
        workshop=workshop,
        village=village,
        nov25=nov25,
        dec9=dec9,
        dec23=dec23,
        jan6=jan6,
        club_dec4=club_dec4,
        workshop_dec10=workshop_dec10,
        past=past,
        far=far,
        draft=draft,
        landes=landes_occurrence,
    )


# --- Fixtures (the test modules bind them: ``scenario = agenda_helpers.scenario``) ----------------


@pytest.fixture
def frozen():
    """The clock stopped at NOW."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def scenario(gers, landes, frozen) -> Scenario:
    return build_scenario(gers, landes)
