"""Import of existing contacts in Chromium: an advisor uploads a CSV, checks the guessed columns, reads
the preview (a good row, an error with its line number, a duplicate of a followed prospect) and
confirms; then the summary.

axe-core finds no WCAG 2.1 A/AA violation on the upload, mapping, preview and summary pages, the
preview at a phone's width included; no console error or CSP violation.
"""

import pytest
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Role
from sohosolo.prospects.models import ConsentRecord, ImportBatch, Prospect
from tests.accounts.staff_factories import member
from tests.browser.conftest import ConsoleLog
from tests.prospects.factories import ProspectFactory

from .test_village_pages import assert_clean, assert_no_axe_violations, log_in

pytestmark = pytest.mark.browser

ADVISOR_EMAIL = "conseillere@gers.test"
CSV = (
    "Prénom;Nom;Courriel;Téléphone;Ville;Secteur;Date\n"
    "Élise;Martin;elise.martin@exemple.fr;06 11 22 33 44;Lyon;Création;15/03/2025\n"
    "Zoé;Faure;pas-une-adresse;;Bordeaux;;\n"
    "Paul;Durand;DEJA.SUIVI@exemple.fr;;Nantes;Artisanat;\n"
)


@pytest.fixture
def advisor(gers_live):
    return member(gers_live, Role.ADVISOR, email=ADVISOR_EMAIL, first_name="Claire")


@pytest.fixture
def followed(gers_live):
    return ProspectFactory(
        territory=gers_live, first_name="Paul", last_name="Durand", email="deja.suivi@exemple.fr"
    )


def test_an_advisor_uploads_maps_previews_and_confirms_a_csv(
    site: str, page: Page, console: ConsoleLog, network, guarded_context, advisor, followed, tmp_path
):
    path = tmp_path / "salon-paris.csv"
    path.write_text(CSV, encoding="cp1252")

    log_in(page, site, ADVISOR_EMAIL)
    page.goto(site + "/fr/suivi/porteurs/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des contacts")
    assert_no_axe_violations(page, "import: upload form")
    page.get_by_label("Fichier").set_input_files(path)
    page.get_by_label("Comment ces contacts sont-ils arrivés ?").select_option("fair")
    page.get_by_label("Base du consentement").fill("Bulletin papier du salon de Paris, mars 2025")
    page.get_by_role("button", name="Lire le fichier").click()

    # The columns, guessed from the header row.
    expect(page.get_by_role("heading", level=1)).to_have_text("Colonnes du fichier")
    expect(page.get_by_role("combobox", name="Prénom")).to_have_value("0")
    expect(page.get_by_role("combobox", name="Courriel")).to_have_value("2")
    expect(page.get_by_role("combobox", name="Date du premier contact")).to_have_value("6")
    expect(page.get_by_role("group", name="Identité et coordonnées")).to_be_visible()
    assert_no_axe_violations(page, "import: column mapping")
    page.get_by_role("button", name="Voir l'aperçu").click()

    # The preview: counts, the error with its line number, the duplicate named; nothing created yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Aperçu de l'import")
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Ligne 3, Courriel : « pas-une-adresse » n'est pas une adresse valide.")
    table = page.get_by_role("table", name="Aperçu des lignes du fichier")
    expect(table.get_by_role("row", name="2 À créer")).to_be_visible()
    duplicate = table.get_by_role("row").filter(has_text="Doublon")
    expect(duplicate).to_contain_text("Même courriel que Paul Durand, déjà dans le suivi : non recréé.")
    expect(duplicate.get_by_role("link", name="Paul Durand")).to_have_attribute(
        "href", f"/fr/suivi/porteurs/{followed.pk}/"
    )
    region = page.get_by_role("region", name="Aperçu des lignes du fichier")
    region.focus()
    expect(region).to_be_focused()
    assert Prospect.objects.count() == 1
    assert_no_axe_violations(page, "import: preview")

    # At a phone's width, the table scrolls inside its region and the page stays accessible.
    phone = guarded_context(viewport={"width": 390, "height": 844}).new_page()
    phone_console = ConsoleLog().watch(phone)
    log_in(phone, site, ADVISOR_EMAIL)
    phone.goto(page.url)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide"
    assert_no_axe_violations(phone, "import: preview at 390 px")
    assert_clean(phone_console, network)

    page.get_by_role("button", name="Confirmer : créer 1 contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de l'import")
    expect(page.get_by_role("status")).to_contain_text("Import terminé : 1 contact créé.")
    assert_no_axe_violations(page, "import: summary")
    elise = Prospect.objects.get(first_name="Élise")
    assert elise.channel == "fair" and ConsentRecord.objects.get(prospect=elise).basis.startswith("Bulletin")
    assert ImportBatch.objects.get().rows == []
    assert_clean(console, network)
