"""Journey of the events, in Chromium: a visitor finds the next « Mercredi de l'installation » on the
agenda, registers (the form's errors first), gets the confirmation email (an outbox row with the
.ics), and cancels from the link in that email; at the door, an advisor on a phone (390×844) opens
the check-in list and marks one person present (htmx, the row and the counts change in place).

axe-core finds no WCAG 2.1 A/AA violation on the registration form, empty and with errors, nor on the
check-in list; no page logs a console error or a CSP violation, nothing leaves the live server.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Role
from sohosolo.core.models import OutboxMessage
from sohosolo.events.models import Attendance, EventKind, Occurrence, Registration, RegistrationStatus, Series
from sohosolo.events.registration import register
from tests.accounts.staff_factories import member
from tests.browser.conftest import ConsoleLog

from .test_village_pages import assert_clean, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

PARIS = ZoneInfo("Europe/Paris")
TITLE = "Les Mercredis de l'installation"
CCI = "CCI du Gers, 1 place Jean David, 32000 Auch"
QUESTION = "Votre projet en une phrase"
ADVISOR_EMAIL = "conseil@gers.test"


def next_wednesdays(count: int) -> list[datetime]:
    """The coming Wednesdays at 18:00 in Paris, every other week, the first at least a day ahead."""
    day = (timezone.now() + timedelta(days=1)).astimezone(PARIS).date()
    day += timedelta(days=(2 - day.weekday()) % 7)
    return [
        datetime(day.year, day.month, day.day, 18, 0, tzinfo=PARIS) + timedelta(weeks=2 * i)
        for i in range(count)
    ]


@pytest.fixture
def mercredis(gers_live) -> list[Occurrence]:
    """The Mercredis series (every other Wednesday, 18:00, at the CCI) and its next three dates."""
    dates = next_wednesdays(3)
    series = Series.objects.create(
        territory=gers_live,
        slug="mercredis-de-l-installation",
        kind=EventKind.INFO_MEETING,
        title_fr=TITLE,
        description_fr="Une réunion d'information gratuite : l'équipe, des Solos installés, nos partenaires.",
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        dtstart=dates[0],
        duration_minutes=90,
        capacity=20,
        address=CCI,
        questions=[{"key": "projet", "label": QUESTION, "required": True}],
    )
    return [
        Occurrence.objects.create(
            series=series,
            recurrence_id=start,
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            capacity=series.capacity,
            address=CCI,
            questions=series.questions,
        )
        for start in dates
    ]


def test_a_visitor_registers_for_the_next_mercredi_and_cancels_from_the_email(
    site: str, page: Page, console: ConsoleLog, network, mercredis
):
    first = mercredis[0]

    # From the agenda to the next Mercredi's page, then to its registration form.
    page.goto(site + "/fr/agenda/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page).to_have_url(re.compile(rf"/fr/agenda/mercredis-de-l-installation/{first.pk}/$"))
    page.get_by_role("link", name=re.compile(r"^S'inscrire")).first.click()
    expect(page).to_have_url(site + f"/fr/agenda/inscription/{first.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"S'inscrire : {TITLE}")
    expect(page.get_by_text("Il reste 20 places.")).to_be_visible()
    assert_no_axe_violations(page, "registration form")

    # Sent empty: the errors are listed, tied to their fields, nothing is registered.
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    expect(page.locator("#id_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_answer_projet")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page, "registration form with errors")
    assert not Registration.objects.exists()

    # Filled in: what was typed in one field survives another's error.
    page.get_by_label("Votre nom").fill("Claire Dupuy")
    page.get_by_label("Votre adresse e-mail").fill("claire.dupuy@exemple.fr")
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.get_by_label("Votre nom")).to_have_value("Claire Dupuy")
    page.get_by_label(QUESTION).fill("Ouvrir un atelier de graphisme à Auch")
    page.get_by_role("button", name="M'inscrire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription confirmée")
    expect(page.get_by_text("claire.dupuy@exemple.fr")).to_be_visible()
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED and registration.occurrence == first
    assert registration.answers == {"projet": "Ouvrir un atelier de graphisme à Auch"}

    # The confirmation email: an outbox row with the calendar file and the cancellation link.
    message = OutboxMessage.objects.get(kind="event_registration", to="claire.dupuy@exemple.fr")
    assert message.attachments[0]["mimetype"] == "text/calendar"
    link = re.search(r"https?://\S+/annulation/[^/\s]+/", message.body_text).group(0)
    assert link.startswith(site + "/fr/agenda/annulation/")

    # The link: what will be cancelled, one button, done.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler mon inscription")
    expect(page.get_by_text(f"Claire Dupuy est inscrit à « {TITLE} ».")).to_be_visible()
    assert_no_axe_violations(page, "cancellation page")
    page.get_by_role("button", name="Annuler mon inscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription annulée")
    expect(page.get_by_role("status")).to_contain_text("Votre inscription est annulée.")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED

    assert_clean(console, network, expected_status=400)


def test_an_advisor_checks_in_one_person_on_a_phone(site: str, guarded_context, network, mercredis):
    member(mercredis[0].series.territory, Role.ADVISOR, email=ADVISOR_EMAIL)
    occurrence = mercredis[0]
    for name, email in [("Alice Martin", "alice@exemple.fr"), ("Bruno Petit", "bruno@exemple.fr")]:
        register(
            occurrence=occurrence,
            name=name,
            email=email,
            language="fr",
            answers={"projet": "Un café-librairie"},
        )
    alice = Registration.objects.get(email="alice@exemple.fr")

    phone = guarded_context(viewport={"width": 390, "height": 844}).new_page()
    console = ConsoleLog().watch(phone)
    log_in(phone, site, ADVISOR_EMAIL)
    phone.goto(site + f"/fr/suivi/agenda/pointage/{occurrence.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Pointage : {TITLE}")
    counts = phone.locator("#checkin-counts")
    expect(counts).to_contain_text("à pointer")
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the check-in list overflows by {overflow}px at 390 px"
    assert_no_axe_violations(phone, "check-in list at 390 px")

    row = phone.locator(f"#registration-{alice.pk}")
    expect(row).to_contain_text("Pas encore pointé")
    expect(row).to_contain_text("Un café-librairie")
    url_before = phone.url
    row.get_by_role("button", name="Présent – Alice Martin").click()

    # htmx swapped the row and the counts in place: no page load.
    row = phone.locator(f"#registration-{alice.pk}")
    expect(row).to_contain_text("Pointé : présent")
    expect(row.get_by_role("button", name="Présent – Alice Martin")).to_have_attribute("aria-pressed", "true")
    expect(counts).to_contain_text(re.compile(r"1 présent\b"))
    assert phone.url == url_before
    alice.refresh_from_db()
    assert alice.attendance == Attendance.ATTENDED
    assert_no_axe_violations(phone, "check-in list after a mark")

    # The search box narrows the list as one types.
    phone.get_by_role("searchbox", name="Chercher une personne").fill("bruno")
    expect(phone.locator(f"#registration-{alice.pk}")).to_have_count(0)
    expect(phone.get_by_role("heading", name=re.compile("Bruno Petit"))).to_be_visible()

    assert_clean(console, network)
