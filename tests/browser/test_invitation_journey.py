"""An administrator invites an advisor; the advisor signs up from the emailed link and joins the team.

Everything goes through the real pages: login form, team page, invitation form, the link read from
the email (locmem backend: the live server thread sends it into ``django.core.mail.outbox`` when the
invitation's transaction commits), allauth's sign-up form, the acceptance page.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import Page, expect

from sohosolo.accounts.models import Membership, Role
from tests.browser.conftest import ConsoleLog

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "administratrice@gers.test"
ADMIN_PASSWORD = "Bastide-en-Lomagne-32"
ADVISOR_EMAIL = "conseiller@gers.test"
ADVISOR_PASSWORD = "Pigeonnier-de-Fleurance-47"
INVITATION_LINK = re.compile(r"http://[^\s/]+/fr/invitation/[^\s/]+/")


@pytest.fixture
def territory_admin(gers_live):
    """The territory administrator of gers, able to log in with a password (verified email)."""
    user = get_user_model().objects.create_user(
        email=ADMIN_EMAIL, password=ADMIN_PASSWORD, first_name="Hélène", last_name="Dupuy"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Membership.objects.create(user=user, territory=gers_live, role=Role.TERRITORY_ADMIN)
    return user


def log_in(page: Page, site: str, email: str, password: str) -> None:
    page.goto(site + "/fr/compte/connexion/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


def test_an_invited_advisor_signs_up_from_the_email_and_joins_the_team(
    site: str, page: Page, console: ConsoleLog, network, guarded_context, territory_admin
):
    mail.outbox.clear()

    # The administrator logs in and lands in the staff area.
    log_in(page, site, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page).to_have_url(site + "/fr/suivi/")

    # Équipe → Inviter une personne.
    page.get_by_role("navigation", name="Espace de suivi").get_by_role("link", name="Équipe").click()
    expect(page).to_have_url(site + "/fr/suivi/equipe/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Équipe")
    page.get_by_role("link", name="Inviter une personne").click()
    expect(page).to_have_url(site + "/fr/suivi/equipe/inviter/")

    page.get_by_label("Adresse e-mail de la personne invitée").fill(ADVISOR_EMAIL)
    page.get_by_label("Rôle").select_option(label="Conseiller")
    page.get_by_role("button", name="Envoyer l'invitation").click()

    # Back on the team page: the confirmation and the pending invitation.
    expect(page).to_have_url(site + "/fr/suivi/equipe/")
    expect(page.get_by_role("status")).to_contain_text(f"Invitation envoyée à {ADVISOR_EMAIL}.")
    pending = page.get_by_role("table", name="Invitations en attente")
    row = pending.get_by_role("row").filter(has_text=ADVISOR_EMAIL)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Conseiller")

    # The email left at commit, before the redirect answered: its link points at this server.
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[-1]
    assert message.to == [ADVISOR_EMAIL]
    found = INVITATION_LINK.search(message.body)
    assert found, message.body
    link = found.group(0)
    assert link.startswith(site + "/fr/invitation/"), link

    # The advisor, in another browser: opens the link, creates an account with the invited address.
    advisor = guarded_context().new_page()
    advisor_console = ConsoleLog().watch(advisor)
    advisor.goto(link)
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Vous êtes invité")
    advisor.get_by_role("link", name="Créer mon compte").click()

    expect(advisor).to_have_url(re.compile(r"/fr/compte/inscription/\?"))
    email_field = advisor.get_by_label("Courriel")
    expect(email_field).to_have_value(ADVISOR_EMAIL)
    advisor.get_by_label(re.compile(r"^Mot de passe\W*$")).fill(ADVISOR_PASSWORD)
    advisor.get_by_label("Mot de passe (confirmation)").fill(ADVISOR_PASSWORD)
    advisor.get_by_role("button", name="Création de compte").click()

    # The link proved the address: no verification email, straight back to the invitation.
    expect(advisor).to_have_url(link)
    advisor.get_by_role("button", name="Accepter l'invitation").click()

    expect(advisor).to_have_url(site + "/fr/suivi/")
    expect(advisor.get_by_role("status")).to_contain_text(
        "Bienvenue ! Vous êtes désormais conseiller pour Gers."
    )

    # The team page now lists the advisor among the members, and nothing is pending any more.
    page.reload()
    members = page.get_by_role("table", name="Membres de l'équipe et leurs rôles")
    advisor_row = members.get_by_role("row").filter(has_text=ADVISOR_EMAIL)
    expect(advisor_row).to_have_count(1)
    expect(advisor_row).to_contain_text("Conseiller")
    expect(page.get_by_role("table", name="Invitations en attente")).to_have_count(0)
    expect(page.get_by_text("Aucune invitation en attente.")).to_be_visible()

    # The link works once: opened again, it explains why it cannot be used.
    response = advisor.goto(link)
    assert response is not None and response.status == 410
    expect(advisor.get_by_role("heading", level=1)).to_have_text("Invitation impossible à utiliser")
    expect(advisor.get_by_text("Cette invitation a déjà été acceptée.")).to_be_visible()

    # The invitation was accepted once, and it sent exactly one email.
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    for where, errors in [("administrator", console.errors), ("advisor", advisor_console.errors)]:
        # Chromium logs the 410 status of the used link's page: expected, and only for it.
        errors = [e for e in errors if not ("status of 410" in e and "/fr/invitation/" in e)]
        assert errors == [], f"{where}: console errors or CSP violations:\n" + "\n".join(errors)
    assert network.blocked == [], "requests outside the live server:\n" + "\n".join(network.blocked)
