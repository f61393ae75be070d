"""Village pages in Chromium: the public list and page, the committee's contact form in its error
state, "Mes villages" and the committee's edit form (also in its error state).

axe-core finds no WCAG 2.1 A/AA violation on any of them, and none logs a console error or a CSP
violation. The committee member logs in through the real login page; what they save is online at
once, and another village's edit page answers the 404 page.

Uploaded media live in the tests' InMemoryStorage, which the live server does not serve: the page
fixture answers /media/ from that storage, so photos really load (a 404 would be a console error).
"""

import re
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify
from playwright.sync_api import Page, Route, expect

from sohosolo.connectivity.models import Connectivity, ConnectivityCorrection
from sohosolo.housing.models import HousingOffer
from sohosolo.services.models import Category, Service
from sohosolo.territories.models import Commune
from sohosolo.villages.models import Village
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.browser.conftest import ConsoleLog
from tests.villages.factories import VillagePhotoFactory, committee_member

from .test_accessibility import AXE_OPTIONS, violations_report

pytestmark = pytest.mark.browser

COMMITTEE_EMAIL = "comite@lavardens.test"
PRESENTATION = "Lavardens, son château sur l'éperon et ses coteaux de Gascogne."


def serve_media(page: Page) -> None:
    """Answer /media/… from the storage the live server writes to (InMemoryStorage in the tests)."""

    def handle(route: Route) -> None:
        name = route.request.url.split("/media/", 1)[1].split("?", 1)[0]
        if default_storage.exists(name):
            with default_storage.open(name) as stored:
                route.fulfill(status=200, body=stored.read())
        else:
            route.fulfill(status=404)

    page.route(re.compile(r"^https?://localhost:\d+/media/"), handle)


@pytest.fixture
def page(page: Page) -> Page:
    serve_media(page)
    return page


def _village(commune: Commune, **fields) -> Village:
    return Village.objects.create(
        territory=commune.territory,
        commune=commune,
        slug=slugify(commune.name),
        status="published",
        **fields,
    )


@pytest.fixture
def lavardens(gers_live) -> Village:
    """A published village with a photo, services, connectivity (and a ground check), a housing offer
    and a committee member: every section of the page is filled."""
    commune = Commune.objects.get(code="32204")
    village = _village(
        commune,
        presentation_fr=PRESENTATION,
        product_title_fr="Le château de Lavardens",
        product_text_fr="Une forteresse du XVIIe siècle ouverte aux expositions.",
    )
    VillagePhotoFactory(village=village, alt_text="Le château au-dessus des vignes")
    for category, name, extra in [
        (Category.PRIMARY_SCHOOL, "École du village", {}),
        (Category.BAKERY, "Boulangerie de la place", {"opening_hours": "Mardi au dimanche, 7 h – 13 h"}),
        (Category.MARKET, "Marché fermier", {"market_day": 5}),
    ]:
        Service.objects.create(
            commune=commune, category=category, name=name, lat=commune.lat, lon=commune.lon, **extra
        )
    Connectivity.objects.create(
        commune=commune,
        fibre_share_pct=87,
        best_dsl_mbps=18,
        fixed_4g=True,
        mobile_orange="good",
        mobile_sfr="basic",
        source="Arcep, Ma connexion internet",
        date=date(2025, 3, 31),
    )
    ConnectivityCorrection.objects.create(
        commune=commune,
        topic="Mobile",
        note="Free capte bien sur la place du château.",
        checked_on=date.today(),
    )
    now = timezone.now()
    HousingOffer.objects.create(
        village=village,
        kind="house",
        transaction="rent",
        title_fr="Maison de bourg avec jardin",
        description_fr="Trois chambres, jardin clos.",
        price=720,
        surface_m2=105,
        rooms=5,
        lat=commune.lat,
        lon=commune.lon,
        status="published",
        published_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=59),
    )
    committee_member(village, email=COMMITTEE_EMAIL, first_name="Jeanne")
    return village


@pytest.fixture
def montreal(gers_live) -> Village:
    """Another published village, with its own committee."""
    village = _village(Commune.objects.get(code="32290"), presentation_fr="Montréal-du-Gers, bastide.")
    committee_member(village, email="comite@montreal.test", first_name="Paul")
    return village


def assert_no_axe_violations(page: Page, where: str) -> None:
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert violations == [], f"{where}\n{violations_report(violations)}"


def assert_clean(console: ConsoleLog, network, *, expected_status: int | None = None) -> None:
    """No console error or CSP violation; Chromium's line for a page answering `expected_status` (a
    form error, a 404 page) is the one expected exception."""
    errors = console.errors
    if expected_status is not None:
        errors = [e for e in errors if f"status of {expected_status}" not in e]
    assert errors == [], "console errors or CSP violations:\n" + "\n".join(errors)
    assert network.blocked == [], "requests outside the live server:\n" + "\n".join(network.blocked)


def log_in(page: Page, site: str, email: str) -> None:
    page.goto(site + "/fr/compte/connexion/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("navigation", name="Navigation principale")).to_contain_text("Se déconnecter")


def assert_error_tied_to(page: Page, field_id: str, message: str) -> None:
    """The field is marked invalid, its error is read with it, and the summary links to it."""
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}_error\b"))
    expect(page.locator(f"#{field_id}_error")).to_contain_text(message)
    expect(page.get_by_role("alert").locator(f'a[href="#{field_id}"]')).to_have_count(1)


# --- Public pages -----------------------------------------------------------------------------------


def test_the_villages_list_is_accessible(site: str, page: Page, console, network, lavardens, montreal):
    response = page.goto(site + "/fr/villages/")
    assert response is not None and response.status == 200

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Lavardens", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Montréal", exact=True)).to_be_visible()
    page.wait_for_load_state("load")
    assert_no_axe_violations(page, "/fr/villages/")
    assert_clean(console, network)


def test_a_village_page_with_services_connectivity_housing_and_committee_is_accessible(
    site: str, page: Page, console, network, lavardens
):
    response = page.goto(site + f"/fr/villages/{lavardens.slug}/")
    assert response is not None and response.status == 200
    page.wait_for_function("() => window.mapReady === true")

    expect(page.get_by_role("heading", level=1)).to_have_text("Lavardens")
    expect(page.get_by_text(PRESENTATION)).to_be_visible()
    photo = page.get_by_role("img", name="Le château au-dessus des vignes")
    expect(photo).to_be_visible()
    assert photo.evaluate("(img) => img.complete && img.naturalWidth > 0"), "the village photo did not load"
    services = page.get_by_role("region", name="Services de proximité")
    for name in ["École du village", "Boulangerie de la place", "Marché fermier"]:
        expect(services.get_by_role("heading", name=name)).to_be_visible()
    connectivity = page.get_by_role("region", name="Couverture numérique")
    expect(connectivity).to_contain_text("87 % des locaux raccordables")
    expect(connectivity).to_contain_text("Free capte bien sur la place du château.")
    housing = page.get_by_role("region", name="Logements et locaux disponibles")
    expect(housing.get_by_role("link", name="Maison de bourg avec jardin")).to_be_visible()
    expect(page.get_by_role("region", name="Carte du village Lavardens")).to_be_visible()
    committee = page.get_by_role("region", name="Le comité d'accueil")
    expect(committee).to_contain_text("Jeanne vous accueille")
    expect(committee).not_to_contain_text(COMMITTEE_EMAIL)  # never shown
    expect(page.get_by_role("form", name="Écrire au comité")).to_be_visible()

    assert_no_axe_violations(page, f"/fr/villages/{lavardens.slug}/")
    assert_clean(console, network)


def test_the_contact_form_explains_its_errors_and_keeps_what_was_typed(
    site: str, page: Page, console, network, lavardens
):
    page.goto(site + f"/fr/villages/{lavardens.slug}/")
    form = page.get_by_role("form", name="Écrire au comité")

    # Sent empty: the page answers 400 with every error tied to its field.
    with page.expect_response(re.compile(r"/contact/$")) as answer:
        form.get_by_role("button", name="Envoyer le message").click()
    assert answer.value.status == 400
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Le formulaire contient des erreurs")
    for field_id in ["id_name", "id_email", "id_message"]:
        assert_error_tied_to(page, field_id, "Ce champ est obligatoire.")
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link", name="Votre adresse e-mail").click()
    expect(page.get_by_label("Votre adresse e-mail")).to_be_focused()
    page.wait_for_function("() => window.mapReady === true")
    assert_no_axe_violations(page, "village page with contact form errors")

    # Only the name: it is still there after the second error page, the rest is asked for again.
    form = page.get_by_role("form", name="Écrire au comité")
    form.get_by_label("Votre nom").fill("Camille Martin")
    with page.expect_response(re.compile(r"/contact/$")) as answer:
        form.get_by_role("button", name="Envoyer le message").click()
    assert answer.value.status == 400
    expect(page.get_by_label("Votre nom")).to_have_value("Camille Martin")
    expect(page.get_by_label("Votre nom")).not_to_have_attribute("aria-invalid", "true")
    assert_error_tied_to(page, "id_email", "Ce champ est obligatoire.")
    assert_error_tied_to(page, "id_message", "Ce champ est obligatoire.")

    assert_clean(console, network, expected_status=400)


# --- Committee pages --------------------------------------------------------------------------------


def test_my_villages_and_the_edit_form_are_accessible_also_with_errors(
    site: str, page: Page, console, network, lavardens, tmp_path
):
    log_in(page, site, COMMITTEE_EMAIL)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mes villages"
    ).click()
    expect(page).to_have_url(site + "/fr/suivi/villages/mes-villages/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes villages")
    expect(page.get_by_role("link", name="Ajouter un logement – Lavardens")).to_be_visible()
    assert_no_axe_violations(page, "Mes villages")

    page.get_by_role("link", name="Modifier la page de Lavardens").click()
    expect(page).to_have_url(site + f"/fr/suivi/villages/mes-villages/{lavardens.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier la page de Lavardens")
    expect(page.get_by_label("Présentation du village")).to_have_value(PRESENTATION)
    assert_no_axe_violations(page, "committee edit form")

    # Mistakes: the presentation of a published village emptied, a text file sent as the photo.
    not_a_photo = tmp_path / "chateau.jpg"
    not_a_photo.write_text("Ceci n'est pas une photo.", encoding="utf-8")
    page.get_by_label("Présentation du village").fill("")
    page.get_by_label("Le produit ou service phare du village").fill("Le festival du château")
    page.get_by_label("Photo du produit", exact=True).set_input_files(not_a_photo)
    page.get_by_label("Description de la photo du produit").fill("La cour du château en fête")
    with page.expect_response(re.compile(r"/mes-villages/[^/]+/$")) as answer:
        page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert answer.value.status == 400

    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    assert_error_tied_to(page, "id_presentation_fr", "sa présentation en français ne peut pas être vide")
    assert_error_tied_to(page, "id_product_photo", "Ce fichier n'est pas une image reconnue")
    # Everything else typed is kept.
    expect(page.get_by_label("Le produit ou service phare du village")).to_have_value(
        "Le festival du château"
    )
    expect(page.get_by_label("Description de la photo du produit")).to_have_value(
        "La cour du château en fête"
    )
    assert_no_axe_violations(page, "committee edit form with errors")

    lavardens.refresh_from_db()
    assert lavardens.presentation_fr == PRESENTATION  # nothing saved
    assert_clean(console, network, expected_status=400)


def test_what_the_committee_saves_is_on_the_public_page_at_once(
    site: str, page: Page, console, network, lavardens
):
    new_text = "Lavardens accueille un tiers-lieu dans l'ancienne école, ouvert à tous les indépendants."
    log_in(page, site, COMMITTEE_EMAIL)
    page.goto(site + f"/fr/suivi/villages/mes-villages/{lavardens.slug}/")
    page.get_by_label("Présentation du village").fill(new_text)
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Modifications enregistrées : elles sont en ligne.")
    page.get_by_role("link", name="Voir la page publique").click()
    expect(page).to_have_url(site + f"/fr/villages/{lavardens.slug}/")
    presentation = page.get_by_role("region", name="Présentation")
    expect(presentation).to_contain_text(new_text)
    expect(presentation).not_to_contain_text(PRESENTATION)
    assert_clean(console, network)


def test_another_villages_edit_page_answers_the_404_page(
    site: str, page: Page, console, network, lavardens, montreal
):
    log_in(page, site, COMMITTEE_EMAIL)

    response = page.goto(site + f"/fr/suivi/villages/mes-villages/{montreal.slug}/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_label("Présentation du village")).to_have_count(0)
    assert_no_axe_violations(page, "404 page of another village's edit form")
    assert_clean(console, network, expected_status=404)
