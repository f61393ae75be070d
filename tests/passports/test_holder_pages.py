""" "Mon passeport" (/<lang>/mon-espace/passeport/): the holder's passport, its offers, its QR code and
its one-page print view. Only the holder sees it, in the request's territory only; revoked and
expired passports say so, and a revoked one shows no QR code."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import segno
import time_machine
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.partners.models import Referral, ReferralStatus
from sohosolo.passports.models import ChecklistStep, Passport
from sohosolo.passports.qr import qr_svg, scan_url
from sohosolo.passports.services import passport_open, passport_revoke, redeem
from sohosolo.passports.tokens import passport_from_token, passport_token
from sohosolo.prospects.models import Prospect, Stage
from tests.accounts.staff_factories import member, verified_user
from tests.partners.factories import OfferFactory, partner_in, partner_staff
from tests.prospects.factories import ProspectFactory

pytestmark = pytest.mark.django_db

URL = "/fr/mon-espace/passeport/"
PRINT_URL = "/fr/mon-espace/passeport/imprimer/"
LANDES = {"HTTP_HOST": "landes.localhost"}


def candidate_with_passport(territory, *, email="camille@projet.test", advisor=None, **fields) -> Passport:
    """A candidate with an account and an open passport in ``territory``."""
    user = verified_user(email=email, first_name=fields.get("first_name", "Camille"))
    if advisor is None:
        advisor = member(territory, Role.ADVISOR, email=f"conseil-{email}", first_name="Mathilde")
    prospect = ProspectFactory(
        territory=territory,
        user=user,
        email=email,
        first_name=fields.pop("first_name", "Camille"),
        last_name=fields.pop("last_name", "Martin"),
        stage=Stage.CANDIDATE,
        advisor=advisor,
        **fields,
    )
    return passport_open(prospect=prospect)


@pytest.fixture
def passport(gers) -> Passport:
    return candidate_with_passport(gers)


@pytest.fixture
def holder(client, passport):
    client.force_login(passport.prospect.user)
    return client


def test_the_holder_sees_their_passport(holder, passport):
    response = holder.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert passport.number in html and passport.check_code in html
    assert "Camille Martin" in html
    assert "Mathilde" in html
    assert passport.prospect.advisor.email not in html  # no staff email address
    assert f'<time datetime="{passport.valid_until:%Y-%m-%d}">' in html
    assert '<progress class="passport-progress" max="7" value="0"' in html
    assert re.search(r"0 étapes? sur 7", html)  # French says "0 étape": the catalogue's plural rule
    assert "Projet défini" in html and "Installation" in html
    assert 'role="img" aria-label="QR code du passeport' in html
    assert "À présenter au partenaire" in html
    assert 'href="/fr/mon-espace/passeport/imprimer/"' in html


def test_the_qr_code_holds_the_signed_scan_url(holder, passport, rf):
    html = holder.get(URL).content.decode()
    expected_url = f"http://testserver/fr/passeport/scan/{passport_token(passport)}/"
    assert scan_url(rf.get("/"), passport) == expected_url
    # segno cannot decode: re-encode the expected URL and find the very same drawing in the page.
    svg = qr_svg(expected_url, label=f"QR code du passeport {passport.number}")
    assert svg in html
    drawing = segno.make(expected_url, error="m").svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="passport-qr"
    )
    assert drawing.split(">", 1)[1] in html  # the same modules, whatever the attributes added
    assert passport_from_token(expected_url.rsplit("/", 2)[1]) == passport
    assert 'style="' not in svg  # the strict CSP refuses style attributes


def test_another_user_gets_the_no_passport_page(client, passport, gers):
    other = verified_user(email="autre@projet.test")
    ProspectFactory(territory=gers, user=other, stage=Stage.QUALIFIED)
    client.force_login(other)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert passport.number not in html
    assert "Le passeport s'ouvre quand un conseiller du programme retient votre candidature" in html
    assert "Votre projet est entre les mains d'un conseiller" in html
    assert client.get(PRINT_URL).status_code == 404


def test_someone_without_a_project_is_invited_to_present_one(client, passport):
    client.force_login(verified_user(email="visiteur@projet.test"))
    html = client.get(URL).content.decode()
    assert "Présenter mon projet" in html and passport.number not in html


def test_the_passport_of_another_territory_is_not_shown(holder, passport):
    response = holder.get(URL, **LANDES)
    assert response.status_code == 200
    html = response.content.decode()
    assert passport.number not in html
    assert "Vous avez un passeport du programme Soho Solo Gers" in html
    assert holder.get(PRINT_URL, **LANDES).status_code == 404
    step = ChecklistStep.objects.filter(territory=passport.territory).first()
    assert (
        holder.post("/fr/mon-espace/passeport/etapes/", {"step": step.pk, "done": "1"}, **LANDES).status_code
        == 404
    )


def test_anonymous_visitors_are_sent_to_log_in(client, passport):
    response = client.get(URL)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_an_anonymised_project_has_no_passport_page(holder, passport):
    Prospect.objects.filter(pk=passport.prospect_id).update(anonymised_at=timezone.now())
    assert passport.number not in holder.get(URL).content.decode()


def test_offers_left_with_a_used_one(holder, passport, gers, landes):
    notary = partner_in(gers, name="Étude Dupont", slug="etude-dupont")
    used = OfferFactory(partner=notary, title_fr="Première consultation gratuite")
    three = OfferFactory(partner=partner_in(gers, name="Banque Verte", slug="banque-verte"),
                         title_fr="Frais de tenue de compte offerts", uses_per_passport=3)  # fmt: skip
    OfferFactory(partner=notary, title_fr="Offre inactive", is_active=False)
    OfferFactory(partner=notary, title_fr="Offre expirée", valid_until=date(2020, 1, 1))
    OfferFactory(partner=partner_in(gers, is_published=False), title_fr="Partenaire non publié")
    OfferFactory(partner=partner_in(landes), title_fr="Offre des Landes")
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        redeem(passport=passport, offer=used, by=partner_staff(notary))
    redeem(passport=passport, offer=three, by=None)

    html = holder.get(URL).content.decode()
    assert "Première consultation gratuite" in html and "Frais de tenue de compte offerts" in html
    for hidden in ("Offre inactive", "Offre expirée", "Partenaire non publié", "Offre des Landes"):
        assert hidden not in html
    used_on = timezone.localdate() - timedelta(days=3)
    from django.utils.formats import date_format

    assert f"Utilisée le {date_format(used_on, 'DATE_FORMAT')}" in html
    assert "encore 2 utilisations possibles" in html
    assert "1 offre vous est encore ouverte." in html
    # The offer still open comes first, the used one after it.
    assert html.index("Frais de tenue de compte offerts") < html.index("Première consultation gratuite")


def test_appointments_from_referrals(holder, passport, gers):
    notary = partner_in(gers, name="Étude Dupont", slug="etude-dupont", phone="05 62 00 00 00")
    html = holder.get(URL).content.decode()
    assert "Mes rendez-vous" not in html
    Referral.objects.create(prospect=passport.prospect, partner=notary, status=ReferralStatus.SENT)
    assert "Mes rendez-vous" not in holder.get(URL).content.decode()
    Referral.objects.create(prospect=passport.prospect, partner=notary, status=ReferralStatus.APPOINTMENT)
    html = holder.get(URL).content.decode()
    assert "Rendez-vous pris avec Étude Dupont" in html and "05 62 00 00 00" in html


def test_the_print_view(holder, passport, gers):
    OfferFactory(partner=partner_in(gers, name="Étude Dupont"), title_fr="Première consultation gratuite")
    response = holder.get(PRINT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert 'href="/static/css/passport-print.css"' in html
    assert 'src="/static/js/passport-print.js"' in html and "onclick" not in html
    assert '<button type="button" data-print hidden>Imprimer</button>' in html
    assert passport.number in html and passport.check_code in html
    assert "Camille Martin" in html and "Étude Dupont" in html and "Première consultation gratuite" in html
    expected_url = f"http://testserver/fr/passeport/scan/{passport_token(passport)}/"
    assert qr_svg(expected_url, label=f"QR code du passeport {passport.number}") in html
    assert "(0 sur 7)" in html


def test_the_print_css_asks_for_one_a4_page():
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/passport-print.css")).read_text(encoding="utf-8")
    assert "@page { size: A4;" in css and "@media print" in css


def test_the_print_view_lists_at_most_ten_offers(holder, passport, gers):
    partner = partner_in(gers, name="Club")
    for n in range(12):
        OfferFactory(partner=partner, title_fr=f"Avantage {n:02d}")
    html = holder.get(PRINT_URL).content.decode()
    assert "Avantage 09" in html and "Avantage 10" not in html
    assert "Toutes les offres (12) dans votre espace en ligne." in html


def test_the_print_view_follows_the_language_of_the_address(holder, passport):
    response = holder.get("/en/mon-espace/passeport/imprimer/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_a_revoked_passport_says_so_and_hides_its_qr_code(holder, passport, gers):
    OfferFactory(partner=partner_in(gers), title_fr="Première consultation gratuite")
    passport_revoke(prospect=passport.prospect, reason="lost")
    for url in (URL, PRINT_URL):
        html = holder.get(url).content.decode()
        assert "Ce passeport a été révoqué le" in html
        assert "<svg" not in html and "À présenter au partenaire" not in html
        assert "Première consultation gratuite" not in html
    assert 'action="/fr/mon-espace/passeport/etapes/"' not in holder.get(URL).content.decode()


def test_an_expired_passport_says_so(holder, passport):
    Passport.objects.filter(pk=passport.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    for url in (URL, PRINT_URL):
        html = holder.get(url).content.decode()
        assert "Ce passeport a expiré le" in html and "<svg" not in html


def test_mon_espace_links_to_the_passport_in_the_holder_language(holder, passport):
    Prospect.objects.filter(pk=passport.prospect_id).update(language="en")
    html = holder.get("/fr/mon-espace/").content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert f"Votre Passeport Entreprendre n° {passport.number}" in html
    assert 'href="/fr/mon-espace/passeport/"' in html
    assert 'href="/en/mon-espace/passeport/imprimer/"' in html
    # And the passport page prints in the holder's language too.
    assert 'href="/en/mon-espace/passeport/imprimer/"' in holder.get(URL).content.decode()


def test_mon_espace_without_passport_has_no_passport_block(client, gers):
    client.force_login(verified_user(email="visiteur@projet.test"))
    html = client.get("/fr/mon-espace/").content.decode()
    assert "Mon passeport" not in html and "INVALID_TEMPLATE_VARIABLE" not in html
