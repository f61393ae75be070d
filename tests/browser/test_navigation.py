"""Language switch and commune search, as a visitor does them."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_language_switch_keeps_the_commune(site: str, page: Page, console):
    page.goto(site + "/fr/communes/32013/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    languages = page.get_by_role("navigation", name="Langue")

    languages.get_by_role("link", name=re.compile(r"^EN\b")).click()

    expect(page).to_have_url(re.compile(r"/en/communes/32013/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Auch")
    # The current language is marked for assistive technologies.
    expect(page.locator('a[hreflang="en"][aria-current="true"]')).to_have_count(1)
    assert console.errors == []


# Each link is marked lang="fr|en|es|pt", so its name must be in that language (WCAG 3.1.2). Today the
# names go through gettext: Django's own catalogue turns « English » into « Anglais » on French pages
def test_language_links_are_named_in_their_own_language(site: str, page: Page):
    for language in ["fr", "en", "es", "pt"]:
        page.goto(f"{site}/{language}/communes/32013/")
        expect(page.locator(".lang-switcher a")).to_have_count(4)
        for code, name in [("fr", "Français"), ("en", "English"), ("es", "Español"), ("pt", "Português")]:
            link = page.locator(f'.lang-switcher a[hreflang="{code}"]')
            expect(link).to_have_attribute("lang", code)
            expect(link).to_have_accessible_name(re.compile(rf"^{code.upper()}\W+{name}$", re.IGNORECASE))


def test_search_submitted_then_open_the_commune(site: str, page: Page, console):
    page.goto(site + "/fr/communes/")
    field = page.get_by_label("Nom ou code postal")
    field.fill("castera")
    page.get_by_role("button", name="Rechercher").click()

    expect(page).to_have_url(re.compile(r"/fr/communes/\?q=castera"))
    result = page.get_by_role("link", name="Castéra-Verduzan", exact=True)
    expect(result).to_be_visible()
    # Accent-insensitive: the other Castéra communes are found, Auch is not.
    expect(page.get_by_role("link", name="Castéra-Lectourois", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Auch", exact=True)).to_have_count(0)

    result.click()

    expect(page).to_have_url(re.compile(r"/fr/communes/32083/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Castéra-Verduzan")
    assert console.errors == []


def test_search_updates_results_while_typing(site: str, page: Page, console):
    page.goto(site + "/fr/communes/")

    count = page.get_by_role("status")
    expect(count).to_have_text("458 communes")
    expect(page.get_by_role("link", name="Castéra-Verduzan", exact=True)).to_have_count(0)
    # A full page load would drop this flag: its survival proves htmx swapped the results in place.
    page.evaluate("() => { window.notReloaded = true; }")

    page.get_by_label("Nom ou code postal").press_sequentially("castera")

    expect(page.get_by_role("link", name="Castéra-Verduzan", exact=True)).to_be_visible()
    expect(count).to_have_text(re.compile(r"^\s*\d communes?\s*$"))
    expect(page.get_by_role("link", name="Auch", exact=True)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/fr/communes/\?q=castera(&|$)"))  # hx-push-url
    assert page.evaluate("() => window.notReloaded === true")
    # The page was not reloaded, so the field kept its focus and its value.
    expect(page.get_by_label("Nom ou code postal")).to_be_focused()
    expect(page.get_by_label("Nom ou code postal")).to_have_value("castera")
    assert console.errors == []
