"""A prospect's project in "Mon espace", in Chromium: they log in through the login page, open
"Mon espace", find "Mon projet", read it, change a consent and see it in the history.

axe-core finds no WCAG 2.1 A/AA violation on the project page, the edit form (also after a failed
save), the consents page and the one-year survey; no console error or CSP violation; nothing
overflows at 390 px.
"""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Membership, Role
from sohosolo.prospects.followup import followup_token
from sohosolo.prospects.models import ConsentPurpose, ConsentRecord, ConsentSource, Prospect, Stage
from tests.accounts.staff_factories import verified_user
from tests.browser.conftest import ConsoleLog

from .test_village_pages import assert_clean, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

EMAIL = "camille@projet.test"


@pytest.fixture
def project(gers_live) -> Prospect:
    user = verified_user(email=EMAIL, first_name="Camille")
    Membership.objects.create(user=user, territory=gers_live, role=Role.PROSPECT)
    advisor = verified_user(email="mathilde@conseil.test", first_name="Mathilde")
    return Prospect.objects.create(
        territory=gers_live,
        user=user,
        first_name="Camille",
        last_name="Martin",
        email=EMAIL,
        activity="Graphiste",
        adults=2,
        children=1,
        stage=Stage.QUALIFIED,
        advisor=advisor,
        consent_contact=True,
    )


def test_a_prospect_finds_their_project_and_changes_a_consent(
    site: str, page: Page, console: ConsoleLog, network, project
):
    log_in(page, site, EMAIL)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon espace"
    ).click()

    section = page.get_by_role("region", name="Mon projet")
    expect(section).to_contain_text("Un conseiller étudie votre projet")
    expect(section).to_contain_text("Votre conseiller : Mathilde.")
    section.get_by_role("link", name="Voir mon projet").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mon projet")
    expect(page.locator("dl.facts")).to_contain_text("Graphiste")
    assert_no_axe_violations(page, "project page")

    # The edit form, and its error state.
    page.get_by_role("link", name="Modifier mon projet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier mon projet")
    assert_no_axe_violations(page, "project edit form")
    page.get_by_label("Téléphone").fill("12")
    page.get_by_role("button", name="Enregistrer mon projet").click()
    expect(page.get_by_role("alert")).to_contain_text("Ce numéro de téléphone semble incomplet.")
    assert_no_axe_violations(page, "project edit form with an error")

    # The consents: say yes to the newsletter.
    page.goto(site + f"/fr/mon-espace/projet/{project.pk}/consentements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes consentements")
    assert_no_axe_violations(page, "consents page")
    newsletter = page.get_by_role("group", name="Recevoir la lettre d'information")
    expect(newsletter).to_contain_text("Votre choix actuel : non.")
    newsletter.get_by_label("Oui").check()
    page.get_by_role("button", name="Enregistrer mes choix").click()

    expect(page.get_by_role("status")).to_contain_text("Vos choix sont enregistrés.")
    expect(page.get_by_role("group", name="Recevoir la lettre d'information")).to_contain_text(
        "Votre choix actuel : oui, depuis le"
    )
    expect(page.get_by_role("region", name="L'historique de mes choix")).to_contain_text(
        "vous avez dit oui : recevoir la lettre d'information (Mon espace)."
    )
    assert_no_axe_violations(page, "consents page after a change")
    record = ConsentRecord.objects.get(prospect=project)
    assert (record.purpose, record.granted, record.source) == (
        ConsentPurpose.NEWSLETTER,
        True,
        ConsentSource.SPACE,
    )

    assert_clean(console, network, expected_status=400)


def test_the_project_pages_fit_a_phone(site: str, guarded_context, network, project):
    context = guarded_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    console = ConsoleLog().watch(page)
    log_in(page, site, EMAIL)
    for path in ("/fr/mon-espace/", f"/fr/mon-espace/projet/{project.pk}/"):
        for suffix in ("", "modifier/", "consentements/") if "projet" in path else ("",):
            page.goto(site + path + suffix)
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path}{suffix} overflows by {overflow}px at 390 px"
    assert_clean(console, network)


def test_an_installed_prospect_answers_the_one_year_survey(
    site: str, page: Page, console: ConsoleLog, network, project
):
    Prospect.objects.filter(pk=project.pk).update(stage=Stage.INSTALLED, installed_on=date(2025, 3, 10))

    page.goto(site + f"/fr/enquete/{followup_token(project)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Un an après votre installation")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_role("alert")).to_contain_text("Répondez oui ou non.")
    assert_no_axe_violations(page, "survey with errors")

    page.get_by_role("group", name="Vivez-vous toujours sur le territoire ?").get_by_label("Oui").check()
    page.get_by_role("group", name="Votre activité professionnelle continue-t-elle ?").get_by_label(
        "Oui"
    ).check()
    page.get_by_role("group", name="Recommanderiez-vous le territoire").get_by_label("Non").check()
    page.get_by_label("Un mot à ajouter ? (facultatif)").fill("Plus de bus, svp.")
    page.get_by_role("button", name="Envoyer mes réponses").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Merci !")
    assert_no_axe_violations(page, "survey thank-you page")
    project.refresh_from_db()
    assert (project.followup_still_living, project.followup_would_recommend) == (True, False)
    assert project.followup_comment == "Plus de bus, svp."
    assert_clean(console, network, expected_status=400)
