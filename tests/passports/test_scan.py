"""The partner's side of the passport: the QR code's scan page, one-tap redemption and the desk lookup.

A partner's staff member sees the holder's first name, the passport's number and validity, and only
their own partner's offers; one POST redeems (then redirects); a second tap says « déjà utilisée le ».
Anyone who is neither a partner's staff nor the territory's staff gets a 404; forged, unknown,
revoked and expired codes get a clear 400 page; the desk finds a passport by number + check code.
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import signing
from django.utils import timezone

from sohosolo.accounts.models import Role
from sohosolo.passports.models import Passport, Redemption
from sohosolo.passports.services import passport_open, passport_revoke
from sohosolo.passports.tokens import passport_token
from sohosolo.prospects.models import Activity, ActivityKind
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.accounts.staff_factories import member
from tests.partners.factories import OfferFactory, partner_in, partner_staff
from tests.prospects.factories import ProspectFactory
from tests.villages.factories import committee_member, village_in

pytestmark = pytest.mark.django_db

FREE_CONSULTATION = "Première consultation gratuite"
DESK = "/fr/passeport/guichet/"
LANDES = {"HTTP_HOST": "landes.localhost"}


def token_of(passport) -> str:
    """The passport's token, computed once per object (a token carries the second it was signed)."""
    if not hasattr(passport, "_test_token"):
        passport._test_token = passport_token(passport)
    return passport._test_token


def scan_url(passport_or_token) -> str:
    token = passport_or_token if isinstance(passport_or_token, str) else token_of(passport_or_token)
    return f"/fr/passeport/scan/{token}/"


def redeem_url(passport, offer) -> str:
    return f"{scan_url(passport)}utiliser/{offer.pk}/"


@pytest.fixture
def notary(gers):
    return partner_in(gers, name="Étude de Maître Lafitte", slug="etude-lafitte")


@pytest.fixture
def consultation(notary):
    return OfferFactory(partner=notary, title_fr=FREE_CONSULTATION, conditions_fr="Sur rendez-vous.")


@pytest.fixture
def notary_staff(notary):
    return partner_staff(notary, email="accueil@notaire-lafitte.fr", first_name="Paul")


@pytest.fixture
def bank(gers):
    return partner_in(gers, name="Banque du Gers", slug="banque-du-gers", kind="bank")


@pytest.fixture
def bank_offer(bank):
    return OfferFactory(partner=bank, title_fr="Ouverture de compte offerte")


@pytest.fixture
def bank_staff(bank):
    return partner_staff(bank, email="agence@banque-gers.fr")


@pytest.fixture
def holder(gers):
    return ProspectFactory(
        territory=gers,
        stage="candidate",
        first_name="Alice",
        last_name="Martin",
        email="alice.martin@exemple.fr",
        phone="06 11 22 33 44",
    )


@pytest.fixture
def passport(holder) -> Passport:
    return passport_open(prospect=holder)


# --- The scan page ------------------------------------------------------------------------------------


def test_a_partner_sees_the_first_name_number_validity_and_only_its_own_offers(
    client, passport, consultation, bank_offer, notary_staff
):
    client.force_login(notary_staff)
    response = client.get(scan_url(passport))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice" in body
    assert passport.number in body
    assert "Valable jusqu" in body
    assert FREE_CONSULTATION in body
    assert "Sur rendez-vous." in body
    # Nothing else of the person, nor another partner's offer.
    assert "Martin" not in body and "alice.martin@exemple.fr" not in body and "06 11 22 33 44" not in body
    assert "Ouverture de compte offerte" not in body
    assert f'action="{redeem_url(passport, consultation)}"' in body
    assert response["Cache-Control"].startswith("max-age=0")
    # The display is in the audit log, on the prospect.
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.object_pk == str(passport.prospect_id)
    assert entry.actor == notary_staff


def test_one_tap_redeems_then_redirects_and_lands_on_the_timeline(
    client, passport, consultation, notary_staff
):
    client.force_login(notary_staff)
    response = client.post(redeem_url(passport, consultation))
    assert response.status_code == 302 and response["Location"] == scan_url(passport)
    redemption = Redemption.objects.get()
    assert (redemption.passport, redemption.offer, redemption.redeemed_by) == (
        passport,
        consultation,
        notary_staff,
    )

    page = client.get(response["Location"])
    body = page.content.decode()
    assert "C&#x27;est enregistré" in body and FREE_CONSULTATION in body
    assert "Déjà utilisée le" in body
    assert f'action="{redeem_url(passport, consultation)}"' not in body

    activity = Activity.objects.get(
        prospect=passport.prospect, kind=ActivityKind.PASSPORT, data__event="redeemed"
    )
    assert activity.author == notary_staff
    assert activity.data["offer"] == consultation.pk
    assert "Étude de Maître Lafitte" in activity.text and FREE_CONSULTATION in activity.text


def test_a_double_tap_gives_one_redemption_and_says_when_it_was_used(
    client, passport, consultation, notary_staff
):
    client.force_login(notary_staff)
    client.post(redeem_url(passport, consultation))
    response = client.post(redeem_url(passport, consultation), follow=True)
    assert response.status_code == 200
    assert Redemption.objects.count() == 1
    used_on = timezone.localtime(Redemption.objects.get().redeemed_at).strftime("%d/%m/%Y")
    body = response.content.decode()
    assert "Offre déjà utilisée le" in body and used_on in body


def test_an_offer_with_three_uses_is_redeemed_three_times_only(client, passport, notary, notary_staff):
    offer = OfferFactory(partner=notary, title_fr="Trois rendez-vous de suivi", uses_per_passport=3)
    client.force_login(notary_staff)
    first = client.post(redeem_url(passport, offer), follow=True).content.decode()
    assert "Restent 2 utilisations sur 3." in first
    for _ in range(3):
        client.post(redeem_url(passport, offer))
    assert list(Redemption.objects.order_by("use_number").values_list("use_number", flat=True)) == [1, 2, 3]
    assert "Déjà utilisée le" in client.get(scan_url(passport)).content.decode()


def test_an_inactive_offer_is_not_shown_and_cannot_be_redeemed(client, passport, consultation, notary_staff):
    consultation.is_active = False
    consultation.save()
    client.force_login(notary_staff)
    assert FREE_CONSULTATION not in client.get(scan_url(passport)).content.decode()
    response = client.post(redeem_url(passport, consultation), follow=True)
    assert "n&#x27;est pas disponible actuellement" in response.content.decode()
    assert not Redemption.objects.exists()


def test_staff_of_another_partner_get_404_on_the_redeem_and_do_not_see_the_offer(
    client, passport, consultation, bank_offer, bank_staff
):
    client.force_login(bank_staff)
    page = client.get(scan_url(passport))
    assert page.status_code == 200  # a partner of the territory: they see their own offers
    assert FREE_CONSULTATION not in page.content.decode()
    assert "Ouverture de compte offerte" in page.content.decode()
    assert client.post(redeem_url(passport, consultation)).status_code == 404
    assert not Redemption.objects.exists()


@pytest.mark.parametrize("who", ["committee", "prospect", "member", "holder", "landes_partner", "nobody"])
def test_people_who_are_not_partner_staff_of_the_territory_get_404(
    client, gers, landes, passport, consultation, who
):
    user = {
        "committee": lambda: committee_member(village_in(gers)),
        "prospect": lambda: member(gers, Role.PROSPECT),
        "member": lambda: member(gers, Role.MEMBER),
        "holder": lambda: _holder_account(passport),
        "landes_partner": lambda: partner_staff(partner_in(landes)),
        "nobody": lambda: member(landes, Role.ADVISOR),
    }[who]()
    client.force_login(user)
    assert client.get(scan_url(passport)).status_code == 404
    assert client.post(redeem_url(passport, consultation)).status_code == 404
    assert client.get(DESK).status_code == 404
    # Not even a forged code tells them anything.
    assert client.get(scan_url("forged-code")).status_code == 404
    assert not Redemption.objects.exists()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def _holder_account(passport):
    user = member(passport.territory, Role.PROSPECT)
    passport.prospect.user = user
    passport.prospect.save()
    return user


def test_territory_staff_see_the_passport_read_only(client, gers, passport, consultation, bank_offer):
    advisor = member(gers, Role.ADVISOR)
    client.force_login(advisor)
    response = client.get(scan_url(passport))
    assert response.status_code == 200
    body = response.content.decode()
    assert FREE_CONSULTATION in body and "Ouverture de compte offerte" in body
    assert "seule l'équipe d'un partenaire enregistre" in body
    assert "/utiliser/" not in body
    assert client.post(redeem_url(passport, consultation)).status_code == 404
    assert not Redemption.objects.exists()


def test_a_passport_of_another_territory_answers_404(client, landes, notary_staff, consultation):
    other = passport_open(prospect=ProspectFactory(territory=landes, stage="candidate"))
    client.force_login(notary_staff)
    assert client.get(scan_url(other)).status_code == 404
    assert client.post(redeem_url(other, consultation)).status_code == 404


# --- Codes that cannot be used: a clear 400 page --------------------------------------------------------


def test_a_forged_code_gets_a_clear_400_page(client, passport, notary_staff):
    client.force_login(notary_staff)
    token = token_of(passport)
    tampered = signing.dumps({"p": passport.pk, "n": passport.number}, salt="another.salt", compress=True)
    weird = (
        token[:-3] + "abc",
        "n-importe-quoi",
        token.replace(":", ":x", 1),
        tampered,
        "é:à:ü",
        ".",
        "x" * 3000,
    )
    for forged in weird:
        response = client.get(scan_url(forged))
        assert response.status_code == 400
        body = response.content.decode()
        assert "Code de passeport non valide" in body
        assert "Ce code de passeport n&#x27;est pas valide." in body
        assert "Alice" not in body


def test_an_expired_passport_gets_a_clear_400_page(client, passport, consultation, notary_staff):
    Passport.objects.filter(pk=passport.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    client.force_login(notary_staff)
    response = client.get(scan_url(passport))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Passeport expiré" in body and "Ce passeport a expiré le" in body
    assert client.post(redeem_url(passport, consultation)).status_code == 400
    assert not Redemption.objects.exists()


def test_a_revoked_passport_gets_a_clear_400_page_even_from_a_printed_copy(
    client, passport, consultation, notary_staff
):
    token = passport_token(passport)  # printed before the revocation
    passport_revoke(prospect=passport.prospect, reason="lost")
    client.force_login(notary_staff)
    response = client.get(scan_url(token))
    assert response.status_code == 400
    assert "Passeport révoqué" in response.content.decode()
    assert client.post(redeem_url(token, consultation)).status_code == 400
    assert not Redemption.objects.exists()


def test_an_unknown_passport_gets_a_clear_400_page(client, passport, notary_staff):
    token = passport_token(passport)
    Passport.objects.filter(pk=passport.pk).delete()
    client.force_login(notary_staff)
    response = client.get(scan_url(token))
    assert response.status_code == 400
    assert "Passeport introuvable" in response.content.decode()


# --- Anonymous: log in, come back -------------------------------------------------------------------


def test_an_anonymous_partner_logs_in_and_comes_back_to_the_scan_page(
    client, passport, consultation, notary_staff
):
    url = scan_url(passport)
    response = client.get(url)
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith("/fr/compte/connexion/?next=")
    login_page = client.get(login_url)
    assert login_page.status_code == 200
    response = client.post(
        login_url, {"login": "accueil@notaire-lafitte.fr", "password": DEFAULT_PASSWORD, "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(response["Location"])
    assert page.status_code == 200 and FREE_CONSULTATION in page.content.decode()


def test_an_anonymous_post_redeems_nothing(client, passport, consultation):
    response = client.post(redeem_url(passport, consultation))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    assert not Redemption.objects.exists()


# --- The desk: number + check code ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, code",
    [
        ("{number}", "{code}"),
        ("{number_lower}", "{code_lower}"),
        ("{spaced}", "{code_dashed}"),
        ("{short}", "{code}"),
    ],
)
def test_the_desk_finds_a_passport_by_number_and_check_code(client, passport, notary_staff, number, code):
    values = {
        "number": passport.number,
        "number_lower": passport.number.lower(),
        "spaced": passport.number.replace("-", " "),
        "short": f"{passport.year}-{passport.sequence}",  # no prefix, no leading zeros
        "code": passport.check_code,
        "code_lower": passport.check_code.lower(),
        "code_dashed": f" {passport.check_code[:3]}-{passport.check_code[3:]} ",
    }
    client.force_login(notary_staff)
    assert client.get(DESK).status_code == 200
    response = client.post(DESK, {"number": number.format(**values), "check_code": code.format(**values)})
    assert response.status_code == 302
    assert response["Location"] == scan_url(passport)
    assert client.get(response["Location"]).status_code == 200


def test_a_wrong_pair_gets_the_same_generic_error(client, gers, passport, notary_staff):
    other = passport_open(prospect=ProspectFactory(territory=gers, stage="candidate"))
    client.force_login(notary_staff)
    wrong_code = client.post(DESK, {"number": passport.number, "check_code": "ZZZZZZ"})
    other_code = client.post(DESK, {"number": passport.number, "check_code": other.check_code})
    no_such_number = client.post(DESK, {"number": "GERS-1999-9999", "check_code": passport.check_code})
    garbage = client.post(DESK, {"number": "bonjour", "check_code": "x"})
    bodies = []
    for response in (wrong_code, other_code, no_such_number, garbage):
        assert response.status_code == 400
        body = response.content.decode()
        assert "Aucun passeport ne correspond à ce numéro et à ce code de contrôle." in body
        bodies.append(body.split('id="form-errors"')[1].split("</div>")[0])
    assert len(set(bodies)) == 1  # word for word the same: nothing to learn about which was wrong


def test_the_desk_of_another_territory_does_not_find_the_passport(client, landes, passport):
    landes_staff = partner_staff(partner_in(landes))
    client.force_login(landes_staff)
    response = client.post(DESK, {"number": passport.number, "check_code": passport.check_code}, **LANDES)
    assert response.status_code == 400


def test_the_desk_is_rate_limited_per_user(client, passport, notary_staff):
    client.force_login(notary_staff)
    for _ in range(10):
        assert client.post(DESK, {"number": passport.number, "check_code": "ZZZZZZ"}).status_code == 400
    response = client.post(DESK, {"number": passport.number, "check_code": passport.check_code})
    assert response.status_code == 429
    assert "Trop de requêtes" in response.content.decode()


def test_the_desk_is_rate_limited_per_address_across_accounts(client, notary, passport, notary_staff):
    colleague = partner_staff(notary)
    for user in (notary_staff, colleague):
        client.force_login(user)
        for _ in range(5):
            assert client.post(DESK, {"number": passport.number, "check_code": "ZZZZZZ"}).status_code == 400
    assert client.post(DESK, {"number": passport.number, "check_code": "ZZZZZZ"}).status_code == 429
    # Another address is not limited by them.
    other = client.post(DESK, {"number": passport.number, "check_code": "ZZZZZZ"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 400
