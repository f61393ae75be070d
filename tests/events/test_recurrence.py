"""Series recurrence (RFC 5545 in local time) and the materialisation of occurrences.

18:00 in Paris stays 18:00 across the daylight-saving changes; the builder's rules (every other
Wednesday, first Friday of the month) give the right dates; exdates are left out; materialising is
idempotent, covers six months, follows the series' changes where nobody registered or edited, and
removes (or cancels, emailing the registrants) the dates the rule no longer gives.
"""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from sohosolo.core.models import OutboxMessage
from sohosolo.core.scheduler import REGISTRY
from sohosolo.events.models import (
    EventKind,
    Occurrence,
    OccurrenceStatus,
    Registration,
    RegistrationStatus,
    Series,
)
from sohosolo.events.recurrence import (
    HORIZON,
    RecurrenceError,
    from_local_naive,
    materialise,
    materialise_occurrences,
    materialise_published,
    occurrence_times,
    parse_rule,
    to_local_naive,
)
from sohosolo.events.series_services import series_update

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def local(year, month, day, hour=18, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute)


def make_series(territory, *, rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", dtstart=None, **fields) -> Series:
    n = Series.objects.count() + 1
    values = {
        "territory": territory,
        "slug": f"serie-{n}",
        "kind": EventKind.INFO_MEETING,
        "title_fr": "Les Mercredis de l'installation",
        "description_fr": "Réunion d'information.",
        "rrule": rrule,
        "dtstart": from_local_naive(dtstart or local(2026, 11, 25), "Europe/Paris"),
        "duration_minutes": 90,
        "capacity": 25,
        "address": "CCI du Gers, 1 place Jean David, 32000 Auch",
        "lat": 43.6465,
        "lon": 0.5855,
        **fields,
    }
    return Series.objects.create(**values)


def register_someone(
    occurrence, email="claire@exemple.fr", language="fr", status=RegistrationStatus.CONFIRMED
):
    return Registration.objects.create(
        occurrence=occurrence, name="Claire Martin", email=email, language=language, status=status
    )


def local_times(occurrences) -> list[datetime]:
    return [o.starts_at.astimezone(PARIS).replace(tzinfo=None) for o in occurrences]


# --- Expanding the rule ----------------------------------------------------------------------------


def test_a_weekly_wednesday_at_18_stays_at_18_local_across_both_daylight_saving_changes():
    series = Series(
        rrule="FREQ=WEEKLY;BYDAY=WE", dtstart=local(2026, 10, 7), timezone="Europe/Paris", duration_minutes=90
    )
    times = occurrence_times(series, datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 4, 15, tzinfo=UTC))

    # October 2026 (summer time until Sunday 25th) to April 2027 (summer time from Sunday 28 March).
    assert len(times) == 28
    for recurrence_id, starts_at, ends_at in times:
        assert starts_at.astimezone(PARIS).hour == 18 and starts_at.astimezone(PARIS).minute == 0
        assert ends_at.astimezone(PARIS).strftime("%H:%M") == "19:30"
        assert recurrence_id == starts_at.astimezone(PARIS).replace(tzinfo=None)
        assert recurrence_id.weekday() == 2
    utc_hours = {starts_at.date(): starts_at.astimezone(UTC).hour for _rid, starts_at, _end in times}
    assert utc_hours[date(2026, 10, 21)] == 16  # CEST, UTC+2
    assert utc_hours[date(2026, 10, 28)] == 17  # CET, UTC+1, after the last Sunday of October
    assert utc_hours[date(2027, 3, 24)] == 17
    assert utc_hours[date(2027, 3, 31)] == 16  # back to CEST after the last Sunday of March


def test_a_series_stored_in_the_database_keeps_its_local_time_across_the_change(gers):
    series = make_series(gers, rrule="FREQ=WEEKLY;BYDAY=WE", dtstart=local(2026, 10, 14))
    series.refresh_from_db()
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=PARIS), tick=False):
        materialise(series)
    occurrences = list(series.occurrences.order_by("starts_at"))
    assert {t.strftime("%H:%M") for t in local_times(occurrences)} == {"18:00"}
    assert {o.starts_at.astimezone(UTC).hour for o in occurrences} == {16, 17}
    assert {to_local_naive(o.recurrence_id, "Europe/Paris").hour for o in occurrences} == {18}


def test_every_other_wednesday_gives_one_wednesday_in_two():
    series = Series(rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", dtstart=local(2026, 11, 25), duration_minutes=90)
    times = occurrence_times(series, datetime(2026, 11, 1, tzinfo=PARIS), datetime(2027, 2, 1, tzinfo=PARIS))
    assert [rid.date() for rid, _s, _e in times] == [
        date(2026, 11, 25),
        date(2026, 12, 9),
        date(2026, 12, 23),
        date(2027, 1, 6),
        date(2027, 1, 20),
    ]


def test_the_first_friday_of_the_month_at_8_30():
    series = Series(rrule="FREQ=MONTHLY;BYDAY=1FR", dtstart=local(2026, 12, 4, 8, 30), duration_minutes=90)
    times = occurrence_times(series, datetime(2026, 11, 1, tzinfo=PARIS), datetime(2027, 6, 1, tzinfo=PARIS))
    assert [rid for rid, _s, _e in times] == [
        local(2026, 12, 4, 8, 30),
        local(2027, 1, 1, 8, 30),
        local(2027, 2, 5, 8, 30),
        local(2027, 3, 5, 8, 30),
        local(2027, 4, 2, 8, 30),
        local(2027, 5, 7, 8, 30),
    ]
    assert [s.astimezone(PARIS).strftime("%H:%M") for _rid, s, _e in times] == ["08:30"] * 6


def test_exdates_are_left_out():
    series = Series(
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        dtstart=local(2026, 11, 25),
        duration_minutes=90,
        exdates=["2026-12-23", "2027-01-06"],
    )
    times = occurrence_times(series, datetime(2026, 11, 1, tzinfo=PARIS), datetime(2027, 2, 1, tzinfo=PARIS))
    assert [rid.date() for rid, _s, _e in times] == [date(2026, 11, 25), date(2026, 12, 9), date(2027, 1, 20)]


def test_a_one_off_event_is_a_series_of_one():
    series = Series(rrule="", dtstart=local(2027, 1, 15, 14), duration_minutes=120)
    times = occurrence_times(series, datetime(2026, 12, 1, tzinfo=PARIS), datetime(2027, 6, 1, tzinfo=PARIS))
    assert times == [
        (
            local(2027, 1, 15, 14),
            datetime(2027, 1, 15, 14, tzinfo=PARIS),
            datetime(2027, 1, 15, 16, tzinfo=PARIS),
        )
    ]
    assert (
        occurrence_times(series, datetime(2027, 2, 1, tzinfo=PARIS), datetime(2027, 6, 1, tzinfo=PARIS)) == []
    )


def test_a_local_time_skipped_in_march_is_taken_an_hour_later_and_an_ambiguous_one_is_the_first():
    skipped = Series(rrule="", dtstart=local(2027, 3, 28, 2, 30), duration_minutes=60)
    [(_rid, starts_at, _end)] = occurrence_times(
        skipped, datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)
    )
    assert starts_at.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 summer time
    ambiguous = Series(rrule="", dtstart=local(2026, 10, 25, 2, 30), duration_minutes=60)
    [(_rid, starts_at, _end)] = occurrence_times(
        ambiguous, datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert starts_at.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)


def test_a_utc_until_and_an_rrule_prefix_are_accepted():
    series = Series(
        rrule="RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20261209T170000Z",
        dtstart=local(2026, 11, 25),
        duration_minutes=90,
    )
    times = occurrence_times(series, datetime(2026, 11, 1, tzinfo=PARIS), datetime(2027, 2, 1, tzinfo=PARIS))
    assert [rid.date() for rid, _s, _e in times] == [date(2026, 11, 25), date(2026, 12, 2), date(2026, 12, 9)]


@pytest.mark.parametrize(
    "text",
    ["FREQ=WEEKLY;BYDAY=XX", "FREQ=SOMETIMES", "BYDAY=WE", "FREQ=MINUTELY", "FREQ=WEEKLY;FOO=1"],
)
def test_an_unreadable_or_too_frequent_rule_is_refused_with_a_message(text):
    with pytest.raises(RecurrenceError) as error:
        parse_rule(text, local(2026, 11, 25))
    assert "FREQ=" in str(error.value.message)


# --- Materialising ---------------------------------------------------------------------------------

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)


@pytest.mark.django_db
def test_materialise_creates_six_months_of_occurrences_copying_the_series(gers):
    series = make_series(
        gers, questions=[{"key": "q1", "label": "Où en est votre projet ?", "required": False}]
    )
    with time_machine.travel(NOW, tick=False):
        result = materialise(series)
    occurrences = list(series.occurrences.order_by("starts_at"))
    # Every other Wednesday from 25 November 2026 to 20 May 2027 (183 days): 13 dates.
    assert result.created == len(occurrences) == 13
    assert occurrences[0].starts_at == datetime(2026, 11, 25, 18, tzinfo=PARIS)
    assert occurrences[-1].starts_at < NOW + HORIZON <= occurrences[-1].starts_at + timedelta(days=14)
    first = occurrences[0]
    assert (first.capacity, first.address, first.lat, first.lon, first.audience) == (
        25,
        series.address,
        43.6465,
        0.5855,
        "public",
    )
    assert first.description_fr == "Réunion d'information."
    assert first.questions == [{"key": "q1", "label": "Où en est votre projet ?", "required": False}]
    assert first.ends_at - first.starts_at == timedelta(minutes=90)


@pytest.mark.django_db
def test_materialise_is_idempotent(gers):
    series = make_series(gers)
    with time_machine.travel(NOW, tick=False):
        materialise(series)
        again = materialise(series)
    assert again.as_dict() == {"created": 0, "updated": 0, "removed": 0, "cancelled": 0, "kept": 0}
    assert series.occurrences.count() == 13


@pytest.mark.django_db
def test_the_horizon_moves_with_time(gers):
    series = make_series(gers)
    with time_machine.travel(NOW, tick=False):
        materialise(series)
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        result = materialise(series)
    assert result.created == 2  # two more Wednesdays entered the six months; the past stays
    assert series.occurrences.count() == 15
    assert series.occurrences.filter(starts_at__lt=NOW + timedelta(days=31)).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_materialisations_at_once_create_no_duplicate(gers):
    series = make_series(gers)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait(timeout=30)
            materialise(Series.objects.get(pk=series.pk), now=NOW)
        except Exception as exc:  # noqa: BLE001 - shown by the assertion
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert Occurrence.objects.filter(series=series).count() == 13
    assert Occurrence.objects.filter(series=series).values("recurrence_id").distinct().count() == 13


@pytest.mark.django_db
def test_a_series_edit_updates_untouched_future_occurrences_only(gers):
    series = make_series(gers)
    with time_machine.travel(NOW, tick=False):
        materialise(series)
        occurrences = list(series.occurrences.order_by("starts_at"))
        edited, registered, untouched = occurrences[1], occurrences[2], occurrences[3]
        Occurrence.objects.filter(pk=edited.pk).update(is_modified=True, capacity=10)
        register_someone(registered)
        series_update(series=series, data={"capacity": 40, "address": "Salle des fêtes, Auch"})

    untouched.refresh_from_db()
    edited.refresh_from_db()
    registered.refresh_from_db()
    assert (untouched.capacity, untouched.address) == (40, "Salle des fêtes, Auch")
    assert (edited.capacity, edited.address) == (10, "CCI du Gers, 1 place Jean David, 32000 Auch")
    assert (registered.capacity, registered.address) == (25, "CCI du Gers, 1 place Jean David, 32000 Auch")


@pytest.mark.django_db
def test_a_new_time_moves_untouched_occurrences_and_keeps_registered_ones_without_duplicates(gers):
    series = make_series(gers)
    with time_machine.travel(NOW, tick=False):
        materialise(series)
        registered = series.occurrences.order_by("starts_at")[1]
        register_someone(registered)
        _series, result = series_update(series=series, data={"dtstart": local(2026, 11, 25, 18, 30)})

    assert series.occurrences.count() == 13  # one row per date, no duplicate
    registered.refresh_from_db()
    assert registered.starts_at == datetime(
        2026, 12, 9, 18, tzinfo=PARIS
    )  # kept: people registered for 18:00
    assert registered.is_modified
    assert registered.recurrence_id == datetime(2026, 12, 9, 18, 30, tzinfo=PARIS)
    others = series.occurrences.exclude(pk=registered.pk)
    assert {t.strftime("%H:%M") for t in local_times(others)} == {"18:30"}
    assert result.kept == [registered.pk]
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_new_exdate_removes_the_date_or_cancels_it_with_an_email_when_people_registered(gers):
    series = make_series(gers)
    with time_machine.travel(NOW, tick=False):
        materialise(series)
        dec_9, dec_23 = series.occurrences.order_by("starts_at")[1:3]
        register_someone(dec_23, "claire@exemple.fr", "fr")
        register_someone(dec_23, "john@example.com", "en", status=RegistrationStatus.WAITLISTED)
        gone = register_someone(dec_23, "parti@exemple.fr", "fr")
        Registration.objects.filter(pk=gone.pk).update(status=RegistrationStatus.CANCELLED)
        _series, result = series_update(series=series, data={"exdates": ["2026-12-09", "2026-12-23"]})

    assert (result.removed, result.cancelled) == (1, 1)
    assert not Occurrence.objects.filter(pk=dec_9.pk).exists()
    dec_23.refresh_from_db()
    assert dec_23.status == OccurrenceStatus.CANCELLED and dec_23.cancel_reason
    messages = {m.to: m for m in OutboxMessage.objects.all()}
    assert set(messages) == {"claire@exemple.fr", "john@example.com"}
    assert (
        messages["claire@exemple.fr"].language == "fr"
        and "annulé" in messages["claire@exemple.fr"].subject.lower()
    )
    assert messages["john@example.com"].language == "en"
    # Run again: nothing more happens, nobody is emailed twice.
    with time_machine.travel(NOW, tick=False):
        assert materialise(Series.objects.get(pk=series.pk)).as_dict()["cancelled"] == 0
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db
def test_past_occurrences_are_never_touched(gers):
    series = make_series(gers)
    with time_machine.travel(NOW, tick=False):
        materialise(series)
    first = series.occurrences.order_by("starts_at").first()
    with time_machine.travel(NOW + timedelta(days=10), tick=False):
        series_update(series=series, data={"capacity": 99, "exdates": ["2026-11-25"]})
    first.refresh_from_db()
    assert first.capacity == 25 and first.status == OccurrenceStatus.SCHEDULED


# --- The scheduled job -----------------------------------------------------------------------------


def test_the_job_is_registered_every_six_hours():
    job = REGISTRY["events.materialise"]
    assert job.task is materialise_occurrences
    assert job.every == timedelta(hours=6)


@pytest.mark.django_db
def test_the_job_materialises_published_series_and_survives_a_broken_one(gers, landes):
    published = make_series(gers)
    hidden = make_series(gers, is_published=False)
    broken = make_series(landes)
    Series.objects.filter(pk=broken.pk).update(rrule="FREQ=NEVER")
    with time_machine.travel(NOW, tick=False):
        totals = materialise_published()
    assert totals["series"] == 1 and totals["created"] == 13
    assert published.occurrences.count() == 13
    assert not hidden.occurrences.exists() and not broken.occurrences.exists()
