"""Staff pages of the agenda (/suivi/agenda/): series with the recurrence builder, one occurrence's
edit, move and cancel (emails to every active registrant in their language, .ics when moved), and
``occurrence_ics``.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core import mail

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.core.outbox import outbox_deliver
from sohosolo.events.models import (
    Audience,
    Occurrence,
    OccurrenceStatus,
    Registration,
    RegistrationStatus,
    Series,
)
from sohosolo.events.recurrence import materialise
from sohosolo.events.series_forms import Frequency, builder_choice, builder_rrule
from sohosolo.events.series_services import (
    SeriesError,
    occurrence_cancel,
    occurrence_ics,
    occurrence_move,
    occurrence_update,
)
from tests.accounts.staff_factories import member
from tests.villages.factories import committee_member, village_in

from .test_recurrence import local, make_series, register_someone

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
LANDES = {"HTTP_HOST": "landes.localhost"}
LIST = "/fr/suivi/agenda/"
CREATE = "/fr/suivi/agenda/series/nouvelle/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, email="conseiller@gers.fr")


@pytest.fixture
def series(gers):
    series = make_series(gers)
    materialise(series)
    return series


def occurrences_of(series) -> list[Occurrence]:
    return list(series.occurrences.order_by("starts_at"))


def series_post(**overrides) -> dict:
    data = {
        "title_fr": "Les Mercredis de l'installation",
        "kind": "info_meeting",
        "description_fr": "Réunion d'information gratuite.",
        "title_en": "Moving-in Wednesdays",
        "frequency": Frequency.BIWEEKLY,
        "first_date": "2026-11-25",
        "start_time": "18:00",
        "duration_minutes": "90",
        "until": "",
        "custom_rrule": "",
        "exdates": "23/12/2026",
        "capacity": "25",
        "address": "CCI du Gers, 1 place Jean David, 32000 Auch",
        "lat": "43,6465",
        "lon": "0.5855",
        "online_url": "",
        "audience": "public",
        "question_1": "Où en est votre projet ?",
        "question_3": "Comment nous avez-vous connus ?",
        "question_3_required": "on",
        "village": "",
        "is_published": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def urls_of(series, occurrence) -> list[str]:
    return [
        LIST,
        CREATE,
        f"/fr/suivi/agenda/series/{series.pk}/",
        f"/fr/suivi/agenda/series/{series.pk}/modifier/",
        f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/modifier/",
        f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/deplacer/",
        f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/annuler/",
    ]


# --- Who may enter -----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login(client, series):
    for url in urls_of(series, occurrences_of(series)[0]):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"/fr/compte/connexion/?next={url}")


@pytest.mark.parametrize("role", [Role.PROSPECT, Role.MEMBER, Role.COMMITTEE])
def test_a_person_of_the_territory_without_a_staff_role_is_refused(client, gers, series, role):
    client.force_login(member(gers, role))
    occurrence = occurrences_of(series)[0]
    for url in urls_of(series, occurrence):
        assert client.get(url).status_code == 403, url
    assert client.post(CREATE, series_post()).status_code == 403
    assert (
        client.post(f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/annuler/", {"reason": "x"}).status_code
        == 403
    )
    assert Series.objects.count() == 1
    assert occurrences_of(series)[0].status == OccurrenceStatus.SCHEDULED


def test_a_village_committee_member_is_refused_too(client, gers, series):
    client.force_login(committee_member(village_in(gers)))
    assert client.get(LIST).status_code == 403


def test_another_territorys_series_and_occurrences_are_not_found(client, gers, landes, series):
    occurrence = occurrences_of(series)[0]
    # Staff of Landes on their own host: Gers' series do not exist there.
    client.force_login(member(landes, Role.ADVISOR))
    assert client.get(LIST, **LANDES).status_code == 200
    for url in urls_of(series, occurrence)[2:]:
        assert client.get(url, **LANDES).status_code == 404, url
    assert (
        client.post(
            f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/annuler/", {"reason": "x"}, **LANDES
        ).status_code
        == 404
    )
    # And on Gers' host they have no role at all.
    assert client.get(LIST).status_code == 404
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.SCHEDULED


# --- The series' pages ---------------------------------------------------------------------------------


def test_the_list_shows_each_series_with_its_next_occurrences_and_registrations(client, advisor, series):
    first = occurrences_of(series)[0]
    register_someone(first, "a@exemple.fr")
    register_someone(first, "b@exemple.fr", status=RegistrationStatus.WAITLISTED)
    client.force_login(advisor)
    page = client.get(LIST)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Les Mercredis de l&#x27;installation" in body
    assert "Un mercredi sur deux à 18:00" in body
    assert "1/25 inscrits" in body and "1 en attente" in body


def test_staff_create_an_every_other_wednesday_series_and_see_its_dates(client, gers, advisor):
    client.force_login(advisor)
    response = client.post(CREATE, series_post())
    series = Series.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/fr/suivi/agenda/series/{series.pk}/"
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE"
    assert series.dtstart == datetime(2026, 11, 25, 18, tzinfo=PARIS)
    assert series.exdates == ["2026-12-23"]
    assert (series.lat, series.lon) == (43.6465, 0.5855)
    assert series.title_fr == "Les Mercredis de l'installation" and series.title_en == "Moving-in Wednesdays"
    assert series.slug == "les-mercredis-de-linstallation"
    assert series.questions == [
        {"key": "q1", "label": "Où en est votre projet ?", "required": False},
        {"key": "q3", "label": "Comment nous avez-vous connus ?", "required": True},
    ]
    dates = [o.starts_at.astimezone(PARIS).date().isoformat() for o in occurrences_of(series)]
    assert dates[:4] == ["2026-11-25", "2026-12-09", "2027-01-06", "2027-01-20"]  # 23 December left out
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "mercredi 25 novembre 2026" in body and "mercredi 9 décembre 2026" in body
    assert "ses rendez-vous des six prochains mois sont dans l&#x27;agenda" in body


def test_the_first_friday_of_the_month_from_the_builder(client, advisor):
    client.force_login(advisor)
    client.post(
        CREATE,
        series_post(
            title_fr="Club Soho Solo",
            kind="club",
            frequency=Frequency.MONTHLY,
            first_date="2026-12-04",
            start_time="08:30",
            exdates="",
            audience=Audience.MEMBERS,
        ),
    )
    series = Series.objects.get()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1FR"
    dates = [o.starts_at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M") for o in occurrences_of(series)][:3]
    assert dates == ["2026-12-04 08:30", "2027-01-01 08:30", "2027-02-05 08:30"]
    assert {o.audience for o in occurrences_of(series)} == {"members"}


def test_an_unreadable_custom_rule_is_refused_with_a_clear_message(client, advisor):
    client.force_login(advisor)
    response = client.post(
        CREATE, series_post(frequency=Frequency.CUSTOM, custom_rrule="FREQ=WEEKLY;BYDAY=XX")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Règle de récurrence illisible" in body and "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE" in body
    assert not Series.objects.exists()
    response = client.post(CREATE, series_post(frequency=Frequency.CUSTOM, custom_rrule=""))
    assert response.status_code == 400 and "Écrivez la règle" in response.content.decode()


def test_a_custom_rule_for_experts(client, advisor):
    client.force_login(advisor)
    client.post(
        CREATE,
        series_post(
            frequency=Frequency.CUSTOM, custom_rrule="rrule:FREQ=MONTHLY;BYDAY=-1TH", first_date="2026-11-26"
        ),
    )
    series = Series.objects.get()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=-1TH"
    assert [o.starts_at.day for o in occurrences_of(series)][:3] == [26, 31, 28]


def test_a_place_is_required_and_a_position_needs_both_coordinates(client, advisor):
    client.force_login(advisor)
    response = client.post(CREATE, series_post(address="", online_url="", lat="", lon=""))
    assert response.status_code == 400
    assert "Indiquez une adresse, ou un lien de réunion en ligne." in response.content.decode()
    response = client.post(CREATE, series_post(lon=""))
    assert response.status_code == 400 and "ou aucune des deux" in response.content.decode()
    response = client.post(
        CREATE, series_post(address="", lat="", lon="", online_url="https://visio.exemple.fr/m")
    )
    assert response.status_code == 302


def test_a_village_of_another_territory_cannot_be_chosen(client, advisor, landes):
    client.force_login(advisor)
    response = client.post(CREATE, series_post(village=str(village_in(landes).pk)))
    assert response.status_code == 400
    assert not Series.objects.exists()


def test_the_edit_form_shows_the_builder_choice_and_saving_updates_untouched_dates(client, advisor, series):
    registered = occurrences_of(series)[1]
    register_someone(registered)
    client.force_login(advisor)
    page = client.get(f"/fr/suivi/agenda/series/{series.pk}/modifier/")
    assert page.status_code == 200
    assert page.context["form"].initial["frequency"] == Frequency.BIWEEKLY
    assert page.context["form"]["frequency"].value() == Frequency.BIWEEKLY
    response = client.post(
        f"/fr/suivi/agenda/series/{series.pk}/modifier/",
        series_post(capacity="30", exdates="", question_3=""),
    )
    assert response.status_code == 302
    rows = occurrences_of(series)
    assert {o.capacity for o in rows if o.pk != registered.pk} == {30}
    registered.refresh_from_db()
    assert registered.capacity == 25
    follow = client.get(response["Location"])
    assert "gardé ses réglages" in follow.content.decode()


@pytest.mark.parametrize(
    ("rule", "first", "expected"),
    [
        ("", "2026-11-25", Frequency.ONCE),
        ("FREQ=WEEKLY;BYDAY=WE", "2026-11-25", Frequency.WEEKLY),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;UNTIL=20270630T235959", "2026-11-25", Frequency.BIWEEKLY),
        ("FREQ=MONTHLY;BYDAY=1FR", "2026-12-04", Frequency.MONTHLY),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2027-01-29", Frequency.MONTHLY),
        ("FREQ=MONTHLY;BYDAY=1FR", "2026-11-25", Frequency.CUSTOM),
        ("FREQ=DAILY", "2026-11-25", Frequency.CUSTOM),
    ],
)
def test_the_builder_reads_back_its_own_rules(rule, first, expected):
    first_date = datetime.fromisoformat(first).date()
    frequency, until = builder_choice(rule, first_date)
    assert frequency == expected
    if expected != Frequency.CUSTOM:
        assert builder_rrule(frequency, first_date, until=until) == rule


# --- One occurrence ----------------------------------------------------------------------------------


def test_editing_one_occurrence_marks_it_modified(client, advisor, series):
    occurrence = occurrences_of(series)[0]
    client.force_login(advisor)
    url = f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/modifier/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "description_fr": "Spéciale création d'entreprise.",
            "capacity": "12",
            "address": "Salle du Mouzon, Auch",
            "lat": "",
            "lon": "",
            "online_url": "",
            "audience": "prospects",
            "question_1": "Votre métier ?",
            "question_1_required": "on",
        },
    )
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.is_modified
    assert (occurrence.capacity, occurrence.address, occurrence.audience) == (
        12,
        "Salle du Mouzon, Auch",
        "prospects",
    )
    assert occurrence.description_fr == "Spéciale création d'entreprise."
    assert occurrence.questions == [{"key": "q1", "label": "Votre métier ?", "required": True}]
    # The series no longer overwrites it.
    materialise(series)
    occurrence.refresh_from_db()
    assert occurrence.capacity == 12


def test_the_capacity_cannot_go_below_the_confirmed_registrations(client, advisor, series):
    occurrence = occurrences_of(series)[0]
    for n in range(3):
        register_someone(occurrence, f"p{n}@exemple.fr")
    register_someone(occurrence, "w@exemple.fr", status=RegistrationStatus.WAITLISTED)
    client.force_login(advisor)
    response = client.post(
        f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/modifier/",
        {"capacity": "2", "address": "CCI", "audience": "public"},
    )
    assert response.status_code == 400
    assert (
        "3 personnes sont déjà inscrites : la capacité ne peut pas être inférieure à 3."
        in response.content.decode()
    )
    occurrence.refresh_from_db()
    assert occurrence.capacity == 25 and not occurrence.is_modified
    occurrence_update(occurrence=occurrence, data={"capacity": 3})  # exactly the confirmed count is fine
    occurrence.refresh_from_db()
    assert occurrence.capacity == 3


def test_raising_the_capacity_promotes_people_waiting(series):
    occurrence = occurrences_of(series)[0]
    occurrence_update(occurrence=occurrence, data={"capacity": 1})
    register_someone(occurrence, "a@exemple.fr")
    waiting = register_someone(occurrence, "b@exemple.fr", status=RegistrationStatus.WAITLISTED)
    occurrence_update(occurrence=occurrence, data={"capacity": 2})
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_cancelling_an_occurrence_needs_a_reason_and_emails_every_active_registrant_in_their_language(
    client, advisor, series
):
    occurrence = occurrences_of(series)[0]
    register_someone(occurrence, "claire@exemple.fr", "fr")
    register_someone(occurrence, "john@example.com", "en", status=RegistrationStatus.WAITLISTED)
    register_someone(occurrence, "ana@ejemplo.es", "es")
    left = register_someone(occurrence, "parti@exemple.fr", "fr")
    Registration.objects.filter(pk=left.pk).update(status=RegistrationStatus.CANCELLED)
    client.force_login(advisor)
    url = f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/annuler/"

    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400 and "Indiquez le motif" in response.content.decode()
    assert not OutboxMessage.objects.exists()

    response = client.post(url, {"reason": "Salle indisponible (travaux)."})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.CANCELLED
    assert occurrence.cancel_reason == "Salle indisponible (travaux)."
    messages = {m.to: m for m in OutboxMessage.objects.all()}
    assert set(messages) == {"claire@exemple.fr", "john@example.com", "ana@ejemplo.es"}
    assert {m.language for m in messages.values()} == {"fr", "en", "es"}
    assert {m.kind for m in messages.values()} == {"event_cancelled"}
    claire = messages["claire@exemple.fr"]
    assert claire.subject == "Annulé : Les Mercredis de l'installation du 25 novembre"
    assert (
        "Salle indisponible (travaux)." in claire.body_text
        and "mercredi 25 novembre 2026 à 18:00" in claire.body_text
    )
    assert "Salle indisponible (travaux)." in claire.body_html
    follow = client.get(response["Location"])
    assert "3 inscrits ont été prévenus" in follow.content.decode()
    # Twice: nothing more.
    assert occurrence_cancel(occurrence=occurrence, reason="encore") is False
    assert OutboxMessage.objects.count() == 3
    assert client.get(url).status_code == 302


def test_moving_an_occurrence_emails_the_new_time_with_an_updated_ics(client, advisor, series):
    occurrence = occurrences_of(series)[0]
    register_someone(occurrence, "claire@exemple.fr", "fr")
    register_someone(occurrence, "john@example.com", "en", status=RegistrationStatus.WAITLISTED)
    client.force_login(advisor)
    url = f"/fr/suivi/agenda/rendez-vous/{occurrence.pk}/deplacer/"
    page = client.get(url)
    assert page.context["form"].initial["start_time"].strftime("%H:%M") == "18:00"

    Registration.objects.update(reminder_sent_at=NOW)
    response = client.post(url, {"date": "2026-11-26", "start_time": "17:30", "duration_minutes": "120"})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.starts_at == datetime(2026, 11, 26, 17, 30, tzinfo=PARIS)
    assert occurrence.ends_at == datetime(2026, 11, 26, 19, 30, tzinfo=PARIS)
    assert occurrence.is_modified and occurrence.recurrence_id == datetime(2026, 11, 25, 18, tzinfo=PARIS)
    assert not Registration.objects.filter(reminder_sent_at__isnull=False).exists()  # reminded again

    messages = {m.to: m for m in OutboxMessage.objects.all()}
    assert set(messages) == {"claire@exemple.fr", "john@example.com"}
    claire, john = messages["claire@exemple.fr"], messages["john@example.com"]
    assert (claire.language, john.language) == ("fr", "en")
    assert claire.kind == "event_moved"
    assert "jeudi 26 novembre 2026, de 17:30 à 19:30" in claire.body_text
    assert "mercredi 25 novembre 2026 à 18:00" in claire.body_text  # the former time
    for message in (claire, john):
        [attachment] = message.attachments
        assert attachment["filename"] == "rendez-vous.ics" and attachment["mimetype"] == "text/calendar"
        event = icalendar.Calendar.from_ical(attachment["content"]).walk("VEVENT")[0]
        assert event.decoded("dtstart") == datetime(2026, 11, 26, 17, 30, tzinfo=PARIS)
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert str(event["UID"]) == f"occurrence-{occurrence.pk}@gers.soho-solo"
    # The message really goes out with the attachment.
    outbox_deliver(message_id=claire.pk)
    sent = next(m for m in mail.outbox if m.to == ["claire@exemple.fr"])
    assert sent.attachments[0][0] == "rendez-vous.ics"


def test_a_move_to_the_past_or_of_a_cancelled_occurrence_is_refused(client, advisor, series):
    first, second = occurrences_of(series)[:2]
    client.force_login(advisor)
    response = client.post(
        f"/fr/suivi/agenda/rendez-vous/{first.pk}/deplacer/",
        {"date": "2026-11-19", "start_time": "18:00", "duration_minutes": "90"},
    )
    assert (
        response.status_code == 400
        and "Choisissez une date et une heure à venir." in response.content.decode()
    )
    occurrence_cancel(occurrence=second, reason="Férié")
    with pytest.raises(SeriesError):
        occurrence_move(occurrence=second, starts_at_local=local(2026, 12, 10))


# --- The .ics of one occurrence ------------------------------------------------------------------------


def test_occurrence_ics_parses_back_with_its_time_zone(series):
    occurrence = occurrences_of(series)[0]
    text = occurrence_ics(occurrence)
    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["METHOD"]) == "PUBLISH" and str(calendar["VERSION"]) == "2.0"
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Paris"
    [event] = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert "DTSTART;TZID=Europe/Paris:20261125T180000" in text
    assert event.decoded("dtend") == datetime(2026, 11, 25, 19, 30, tzinfo=PARIS)
    assert str(event["SUMMARY"]) == "Les Mercredis de l'installation"
    assert str(event["LOCATION"]) == "CCI du Gers, 1 place Jean David, 32000 Auch"
    assert str(event["URL"]).startswith("http")
    assert str(event["UID"]) == f"occurrence-{occurrence.pk}@gers.soho-solo"
    assert str(event["STATUS"]) == "CONFIRMED"
    # The UID stays when the occurrence moves; its SEQUENCE grows so calendars replace it.
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        occurrence_move(occurrence=occurrence, starts_at_local=local(2026, 11, 26, 18))
    occurrence.refresh_from_db()
    moved = icalendar.Calendar.from_ical(occurrence_ics(occurrence)).walk("VEVENT")[0]
    assert str(moved["UID"]) == str(event["UID"])
    assert int(moved["SEQUENCE"]) > int(event["SEQUENCE"])


def test_occurrence_ics_expands_to_the_same_instant_in_winter_and_summer(gers):
    summer = make_series(gers, rrule="", dtstart=local(2027, 6, 2))
    with time_machine.travel(datetime(2027, 5, 1, tzinfo=PARIS), tick=False):
        materialise(summer)
    occurrence = summer.occurrences.get()
    event = icalendar.Calendar.from_ical(occurrence_ics(occurrence)).walk("VEVENT")[0]
    assert event.decoded("dtstart").astimezone(ZoneInfo("UTC")).hour == 16
    assert event.decoded("dtstart") == occurrence.starts_at


# --- Permissions (rules) -------------------------------------------------------------------------------


def test_the_events_permissions(gers, landes, advisor, series):
    occurrence = occurrences_of(series)[0]
    admin = member(gers, Role.TERRITORY_ADMIN)
    prospect = member(gers, Role.PROSPECT)
    for user in (advisor, admin):
        assert user.has_perm("events.manage_events", gers) and user.has_perm("events.check_in", gers)
        assert user.has_perm("events.check_in_occurrence", occurrence)
    assert not advisor.has_perm("events.manage_events", landes)
    assert not prospect.has_perm("events.manage_events", gers) and not prospect.has_perm(
        "events.check_in", gers
    )
    assert not prospect.has_perm("events.check_in_occurrence", occurrence)
    assert not member(landes, Role.ADVISOR).has_perm("events.check_in_occurrence", occurrence)


def test_a_village_committee_may_check_in_its_own_village_events_only(gers, series):
    village, other = village_in(gers), village_in(gers)
    Series.objects.filter(pk=series.pk).update(village=village)
    occurrence = occurrences_of(series)[0]
    occurrence.series.refresh_from_db()
    assert committee_member(village).has_perm("events.check_in_occurrence", occurrence)
    assert not committee_member(other).has_perm("events.check_in_occurrence", occurrence)
    assert not committee_member(village).has_perm("events.manage_events", gers)


def test_a_past_occurrence_can_no_longer_be_cancelled(client, advisor, series):
    first = occurrences_of(series)[0]
    register_someone(first)
    client.force_login(advisor)
    with time_machine.travel(NOW + timedelta(days=6), tick=False):
        response = client.post(f"/fr/suivi/agenda/rendez-vous/{first.pk}/annuler/", {"reason": "Trop tard"})
    assert response.status_code == 400 and "Ce rendez-vous est passé" in response.content.decode()
    first.refresh_from_db()
    assert first.status == OccurrenceStatus.SCHEDULED and not OutboxMessage.objects.exists()
