"""axe-core finds no WCAG 2.1 A/AA violation on the account pages (allauth's and ours) and the staff
team pages, and each loads without console errors, CSP violations or requests leaving the server.

Logged-in pages are reached through the real login form. allauth asks for the password again
before the TOTP set-up page (a login does not count as a re-authentication): that page is checked
on the way.
"""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Invitation, Membership, Role
from tests.browser.test_accessibility import AXE_OPTIONS, violations_report

pytestmark = pytest.mark.browser

PASSWORD = "Bastide-en-Lomagne-32"
ADMIN_EMAIL = "administratrice@gers.test"
ADVISOR_EMAIL = "conseiller@gers.test"
TOTP_ACTIVATE = "/fr/compte/2fa/totp/activate/"
TEAM = "/fr/suivi/equipe/"
REAUTHENTICATE = "/fr/compte/reauthenticate/?next=%2Ffr%2Fcompte%2F2fa%2Ftotp%2Factivate%2F"

# (path, who is logged in: None for a visitor, else "admin" or "advisor")
PAGES = [
    ("/fr/compte/connexion/", None),
    ("/fr/compte/inscription/", None),
    ("/fr/compte/login/code/", None),
    ("/fr/compte/mot-de-passe/oublie/", None),
    ("/en/compte/connexion/", None),
    (REAUTHENTICATE, "advisor"),
    (TOTP_ACTIVATE, "advisor"),
    (TEAM, "admin"),
    ("/fr/suivi/equipe/inviter/", "admin"),
    ("/fr/mon-espace/", "admin"),
]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def accounts(gers_live) -> dict[str, str]:
    """A territory administrator and an advisor of gers, who log in by password, and a pending
    invitation, so the team page shows both of its tables. Returns the emails by role."""
    emails = {"admin": ADMIN_EMAIL, "advisor": ADVISOR_EMAIL}
    roles = {"admin": Role.TERRITORY_ADMIN, "advisor": Role.ADVISOR}
    for who, email in emails.items():
        user = get_user_model().objects.create_user(email=email, password=PASSWORD)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        Membership.objects.create(user=user, territory=gers_live, role=roles[who])
    now = timezone.now()
    Invitation.objects.create(
        territory=gers_live,
        email="invitee@gers.test",
        role=Role.ADVISOR,
        token_hash="0" * 64,
        sent_at=now,
        expires_at=now + timedelta(days=14),
    )
    return emails


def log_in(page: Page, site: str, email: str) -> None:
    page.goto(site + "/fr/compte/connexion/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def reauthenticate_for_totp(page: Page, site: str) -> None:
    """allauth sends the TOTP set-up page through « Confirmer l'accès » (password again) first."""
    page.goto(site + TOTP_ACTIVATE)
    expect(page).to_have_url(site + REAUTHENTICATE)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    expect(page).to_have_url(site + TOTP_ACTIVATE)


def test_the_login_code_path_is_the_one_allauth_names():
    with translation.override("fr"):
        assert reverse("account_request_login_code") == "/fr/compte/login/code/"


@pytest.mark.parametrize(("path", "who"), PAGES)
def test_account_page_is_accessible_and_clean(
    path: str, who: str | None, site: str, accounts, page: Page, console, network, axe: Axe
):
    if who is not None:
        log_in(page, site, accounts[who])
    if path == TOTP_ACTIVATE:
        reauthenticate_for_totp(page, site)
    response = page.goto(site + path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    assert page.url == site + path, f"{path} redirected to {page.url}"
    page.wait_for_load_state("load")
    if path == TEAM:
        expect(page.get_by_role("table", name="Invitations en attente")).to_contain_text("invitee@gers.test")

    results = axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert violations == [], f"{path}\n{violations_report(violations)}"

    assert console.errors == [], f"{path}: console errors or CSP violations:\n" + "\n".join(console.errors)
    assert network.blocked == [], f"{path}: requests outside the live server:\n" + "\n".join(network.blocked)


def test_totp_qr_code_renders_under_the_strict_csp(site: str, accounts, page: Page, console, network):
    """allauth draws the QR code as an SVG data: URI in an <img>: img-src allows data:, nothing inline."""
    log_in(page, site, accounts["advisor"])
    reauthenticate_for_totp(page, site)
    response = page.goto(site + TOTP_ACTIVATE)
    assert response is not None and response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]

    qr = page.locator('main img[src^="data:image/svg+xml"]')
    expect(qr).to_be_visible()
    page.wait_for_load_state("load")
    # A blocked or broken image has no intrinsic size.
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not load"
    # A short text alternative (not the secret spelt out); the secret is in a read-only, focusable field.
    expect(qr).to_have_attribute("alt", "QR code à scanner avec votre application d’authentification")
    secret = page.locator("#authenticator_secret")
    expect(secret).to_have_attribute("readonly", "")
    expect(secret).to_have_value(re.compile(r"^[A-Z2-7]{16,}$"))
    secret.focus()
    expect(secret).to_be_focused()
    expect(page.get_by_role("button")).not_to_have_count(0)

    assert console.errors == [], "console errors or CSP violations:\n" + "\n".join(console.errors)
    assert network.blocked == [], "requests outside the live server:\n" + "\n".join(network.blocked)
