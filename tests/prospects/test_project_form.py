"""The public project form (/<lang>/projet/): a visitor leaves their project and gets an account.

Every refusal keeps what was typed (400, errors summary linking to the fields); robots are kept out by
a honeypot, a minimum fill time carried in a signed stamp and two rate limits; a known email or phone
adds a contact to the known prospect without saying so; the welcome email's one-time link opens
"Mon espace" once.
"""

import html
import re
import time
import zlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from sohosolo.accounts.models import Membership, Role, User
from sohosolo.core.models import OutboxMessage
from sohosolo.prospects.intake import SIGN_IN_LINK_DAYS
from sohosolo.prospects.models import (
    Activity,
    ActivityKind,
    Channel,
    ConsentRecord,
    ConsentSource,
    Prospect,
)
from sohosolo.prospects.project_forms import MIN_FILL_SECONDS, stamp_issue
from sohosolo.prospects.services import CONSENT_WORDING_VERSION
from tests.accounts.staff_factories import member
from tests.prospects.factories import ProspectFactory
from tests.villages.factories import village_in

pytestmark = pytest.mark.django_db

URL = "/fr/projet/"
THANKS = "/fr/projet/merci/"
REQUIRED = ["first_name", "last_name", "email", "current_location", "activity", "sector", "work_status"]
LINK = re.compile(r"https?://[^/\s\"]+(/(?:fr|en|es|pt)/projet/connexion/[^/\s\"]+/[^/\s\"]+/)")


def old_stamp(source: dict | None = None, seconds: int = 30) -> str:
    """A genuine stamp issued `seconds` ago: the form was shown, then filled by a person."""
    return stamp_issue(source or {}, issued_at=time.time() - seconds)


def answers(**overrides) -> dict:
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "lea.martin@exemple.fr",
        "phone": "06 12 34 56 78",
        "current_location": "Lyon",
        "activity": "Graphiste indépendante",
        "sector": "creative",
        "work_status": "freelance",
        "adults": "2",
        "children": "1",
        "children_ages": "4 ans",
        "timing": "6to12",
        "needs": ["rent", "coworking"],
        "message": "Nous cherchons une maison avec un jardin, près d'une école.",
        "heard_from": "social",
        "heard_from_detail": "Instagram",
        "consent_contact": "on",
        "consent_share_villages": "on",
        "website": "",
        "stamp": old_stamp(),
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.fixture(autouse=True)
def _emails_render_every_variable():
    """Tests render templates with string_if_invalid: no email may hold an undefined variable."""
    yield
    for message in OutboxMessage.objects.all():
        text = message.subject + message.body_text + message.body_html
        assert "INVALID_TEMPLATE_VARIABLE" not in text, (message.kind, text)


@pytest.fixture
def lavardens(gers):
    return village_in(gers, commune__name="Lavardens", slug="lavardens")


@pytest.fixture
def marciac(gers):
    return village_in(gers, commune__name="Marciac", slug="marciac")


@pytest.fixture
def advisor(gers):
    return member(gers, Role.ADVISOR, first_name="Camille")


def stamp_of(response) -> str:
    match = re.search(r'name="stamp" value="([^"]+)"', response.content.decode())
    assert match, "the form has no stamp"
    return html.unescape(match.group(1))


def sign_in_link(message: OutboxMessage) -> str:
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


# --- The page ---------------------------------------------------------------------------------------


def test_the_form_page_is_public_with_the_short_form_the_details_and_unticked_consents(
    client, lavardens, gers, landes
):
    village_in(gers, draft=True, commune__name="Brouillonville")
    village_in(landes, commune__name="Loinville")

    response = client.get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in body and "Déposer mon projet" in body
    assert "Précisez votre projet (facultatif)" in body
    for name, autocomplete in [
        ("first_name", "given-name"),
        ("last_name", "family-name"),
        ("email", "email"),
        ("phone", "tel"),
    ]:
        assert re.search(rf'<input[^>]*name="{name}"[^>]*autocomplete="{autocomplete}"', body) or re.search(
            rf'<input[^>]*autocomplete="{autocomplete}"[^>]*name="{name}"', body
        ), name
    # Published villages of the territory only.
    assert "Lavardens" in body
    assert "Brouillonville" not in body and "Loinville" not in body
    # No consent is ticked in advance.
    for name in ["consent_contact", "consent_share_villages", "consent_newsletter"]:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body).group(0)
        assert "checked" not in tag, tag
    assert "adresse e-mail et téléphone" in body  # the sharing consent says what is shared
    # Not cacheable: it holds a CSRF token and a signed stamp.
    assert "no-store" in response["Cache-Control"]
    assert getattr(response, "page_cache_seconds", None) is None
    assert 'style="' not in body and "onclick" not in body


def test_a_village_page_link_ticks_that_village(client, lavardens, marciac):
    body = client.get(URL + "?village=lavardens").content.decode()

    tag = re.search(rf'<input[^>]*name="villages"[^>]*value="{lavardens.pk}"[^>]*>', body).group(0)
    assert "checked" in tag
    other = re.search(rf'<input[^>]*name="villages"[^>]*value="{marciac.pk}"[^>]*>', body).group(0)
    assert "checked" not in other


def test_the_form_page_stays_out_of_the_anonymous_page_cache(client, gers, settings):
    settings.PAGE_CACHE_ENABLED = True
    client.cookies.clear()

    first = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr")
    client.cookies.clear()
    second = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr")

    assert "X-Page-Cache" not in second
    assert stamp_of(first) != stamp_of(second)  # each visitor gets their own stamp


def test_the_confirmation_page_is_public_and_says_what_happens_next(client, gers):
    response = client.get(THANKS)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Ce qui va se passer" in body and "conseill" in body


# --- Success ---------------------------------------------------------------------------------------


def test_a_project_creates_the_prospect_and_the_account_and_redirects_to_the_confirmation(
    client, gers, lavardens
):
    response = client.post(URL, answers(villages=[str(lavardens.pk)]))

    assert response.status_code == 302
    assert response["Location"] == THANKS  # no personal data in the URL
    prospect = Prospect.objects.get()
    assert prospect.territory == gers and prospect.channel == Channel.FORM and prospect.language == "fr"
    assert (prospect.first_name, prospect.last_name, prospect.email) == (
        "Léa",
        "Martin",
        "lea.martin@exemple.fr",
    )
    assert prospect.phone_normalised == "0612345678"
    assert (prospect.adults, prospect.children, prospect.children_ages) == (2, 1, "4 ans")
    assert prospect.needs == ["rent", "coworking"] and prospect.timing == "6to12"
    assert list(prospect.villages.all()) == [lavardens]
    assert prospect.heard_from == "social" and prospect.heard_from_detail == "Instagram"
    assert prospect.consent_contact and prospect.consent_share_villages and not prospect.consent_newsletter
    assert abs(prospect.last_inbound_at - timezone.now()) < timedelta(seconds=10)
    # The account: no usable password, the prospect role in the territory.
    user = prospect.user
    assert user.email == "lea.martin@exemple.fr" and not user.has_usable_password()
    assert Membership.objects.filter(user=user, territory=gers, role=Role.PROSPECT).exists()
    # The welcome email, with a sign-in link.
    message = OutboxMessage.objects.get(to="lea.martin@exemple.fr")
    assert message.kind == "prospect_welcome" and message.language == "fr"
    assert "/fr/projet/connexion/" in message.body_text
    assert client.get(THANKS).status_code == 200


def test_every_consent_answer_is_in_the_ledger_with_its_wording_version_and_source(client, gers):
    client.post(URL, answers(consent_newsletter=None))

    rows = ConsentRecord.objects.order_by("purpose")
    assert [(r.purpose, r.granted) for r in rows] == [
        ("contact", True),
        ("newsletter", False),
        ("share_villages", True),
    ]
    assert {r.source for r in rows} == {ConsentSource.PROJECT_FORM}
    assert {r.wording_version for r in rows} == {CONSENT_WORDING_VERSION}


def test_the_utm_parameters_and_the_referrer_of_the_visit_are_stored(client, gers):
    page = client.get(
        URL
        + "?utm_source=newsletter&utm_medium=email&utm_campaign=printemps&utm_term=tele&utm_content=bouton",
        HTTP_REFERER="https://www.exemple-magazine.fr/article-campagne#commentaires",
    )
    stamp = stamp_of(page)

    with time_machine.travel(timezone.now() + timedelta(seconds=20)):
        response = client.post(URL, answers(stamp=stamp))

    assert response.status_code == 302
    prospect = Prospect.objects.get()
    assert (prospect.utm_source, prospect.utm_medium, prospect.utm_campaign) == (
        "newsletter",
        "email",
        "printemps",
    )
    assert (prospect.utm_term, prospect.utm_content) == ("tele", "bouton")
    assert prospect.referrer == "https://www.exemple-magazine.fr/article-campagne"
    assert prospect.landing_url.startswith("http://testserver/fr/projet/?utm_source=newsletter")


def test_the_source_cannot_be_forged_in_the_post(client, gers):
    response = client.post(
        URL + "?utm_source=forge",
        {**answers(), "utm_source": "forge", "referrer": "https://forge.example", "landing_url": "x"},
    )

    assert response.status_code == 302
    prospect = Prospect.objects.get()
    assert (prospect.utm_source, prospect.referrer, prospect.landing_url) == ("", "", "")


def test_the_email_is_in_the_visitors_language(client, gers):
    response = client.post("/en/projet/", answers())

    assert response.status_code == 302 and response["Location"] == "/en/projet/merci/"
    assert Prospect.objects.get().language == "en"
    message = OutboxMessage.objects.get(kind="prospect_welcome")
    assert message.language == "en"
    # Rendered under translation.override("en"): the page's language and the link's prefix.
    assert '<html lang="en">' in message.body_html
    assert "/en/projet/connexion/" in message.body_text
    assert User.objects.get().preferred_language == "en"


# --- Errors keep every answer ----------------------------------------------------------------------


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_missing_required_field_keeps_every_other_answer(client, lavardens, missing):
    data = answers(villages=[str(lavardens.pk)], consent_newsletter="on", **{missing: ""})

    response = client.post(URL, data)

    body = response.content.decode()
    assert response.status_code == 400
    assert not Prospect.objects.exists() and not User.objects.exists()
    assert "Le formulaire contient des erreurs" in body
    assert f'id="id_{missing}_error"' in body
    if missing in ("sector", "work_status"):
        href = "#id_work_status_0" if missing == "work_status" else "#id_sector"
        assert f'href="{href}"' in body
    else:
        assert f'href="#id_{missing}"' in body
        field = re.search(rf'<input[^>]*name="{missing}"[^>]*>', body).group(0)
        assert 'aria-invalid="true"' in field and f"id_{missing}_error" in field
    for name in ["first_name", "last_name", "email", "current_location", "activity", "phone"]:
        if name != missing:
            assert f'value="{html.escape(data[name], quote=True)}"' in body or (
                f'value="{data[name]}"' in body
            ), name
    assert "Nous cherchons une maison avec un jardin" in body
    for name, value in [
        ("villages", str(lavardens.pk)),
        ("needs", "rent"),
        ("timing", "6to12"),
        ("consent_contact", "on"),
        ("consent_newsletter", "on"),
    ]:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', body) or re.search(
            rf'<input[^>]*name="{name}"[^>]*>', body
        )
        assert "checked" in tag.group(0), name
    if missing != "sector":
        assert re.search(r'<option value="creative" selected>', body)


def test_the_contact_consent_is_required_with_a_clear_error(client, gers):
    response = client.post(URL, answers(consent_contact=None))

    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "sans votre accord, les conseillers du territoire ne peuvent pas vous contacter" in body
    assert 'href="#id_consent_contact"' in body
    assert not Prospect.objects.exists() and not OutboxMessage.objects.exists()
    assert 'value="Léa"' in body


def test_an_invalid_phone_is_refused_and_an_empty_one_is_fine(client, gers):
    refused = client.post(URL, answers(phone="appelez-moi"))
    assert refused.status_code == 400
    assert "numéro de téléphone ne semble pas valide" in html.unescape(refused.content.decode())

    assert client.post(URL, answers(phone="")).status_code == 302
    assert Prospect.objects.get().phone == ""


def test_an_incomplete_form_sent_at_once_shows_only_what_to_correct(client, gers):
    fresh = stamp_issue({"utm_source": "salon"})

    response = client.post(URL, answers(first_name="", stamp=fresh))

    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Indiquez votre prénom." in body
    assert "trop vite" not in body and "pas pu être vérifié" not in body
    assert stamp_of(response) == fresh  # its time (and the visit's source) still count
    with time_machine.travel(timezone.now() + timedelta(seconds=MIN_FILL_SECONDS + 1)):
        assert client.post(URL, answers(stamp=stamp_of(response))).status_code == 302
    assert Prospect.objects.get().utm_source == "salon"


# --- Robots ------------------------------------------------------------------------------------------


def test_a_filled_honeypot_is_refused_and_nothing_is_recorded(client, gers):
    response = client.post(URL, answers(website="http://spam.example"))

    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "réservé à la détection des robots" in body
    assert not Prospect.objects.exists() and not OutboxMessage.objects.exists()
    assert 'value="Lyon"' in body


def test_a_post_faster_than_the_minimum_fill_time_is_refused_and_the_answers_kept(client, gers):
    fresh = stamp_issue({}, issued_at=time.time() - (MIN_FILL_SECONDS - 1))

    response = client.post(URL, answers(stamp=fresh))

    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "envoyé trop vite" in body
    assert not Prospect.objects.exists()
    assert 'value="Graphiste indépendante"' in body
    # The same stamp comes back: sending again a few seconds later works.
    assert stamp_of(response) == fresh
    with time_machine.travel(timezone.now() + timedelta(seconds=MIN_FILL_SECONDS + 1)):
        assert client.post(URL, answers(stamp=stamp_of(response))).status_code == 302
    assert Prospect.objects.count() == 1


@pytest.mark.parametrize(
    "stamp",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("eyJ0IjoxfQ:1abcde:forged-signature", id="forged"),
    ],
)
def test_a_missing_or_forged_stamp_is_refused_and_a_fresh_one_given(client, gers, stamp):
    data = answers(stamp=stamp) if stamp is not None else answers(stamp=None)

    response = client.post(URL, data)

    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Le formulaire n'a pas pu être vérifié" in body
    assert not Prospect.objects.exists()
    assert 'value="Martin"' in body
    assert stamp_of(response) not in ("", stamp)


def test_a_stamp_signed_with_another_salt_is_refused(client, gers):
    from django.core import signing

    stamp = signing.dumps({"t": time.time() - 60, "s": {"utm_source": "forge"}}, salt="another")

    response = client.post(URL, answers(stamp=stamp))

    assert response.status_code == 400
    assert not Prospect.objects.exists()


def test_an_expired_stamp_is_refused(client, gers):
    stamp = old_stamp()

    with time_machine.travel(timezone.now() + timedelta(days=3)):
        response = client.post(URL, answers(stamp=stamp))

    assert response.status_code == 400
    assert "Le formulaire n'a pas pu être vérifié" in html.unescape(response.content.decode())


def _window_start(period: int) -> int:
    """A time just after a django-ratelimit window of `period` seconds opens for 127.0.0.1."""
    offset = zlib.crc32(b"127.0.0.1") % period
    day = 20_000 * 86_400  # a fixed day (2024-10-04 UTC)
    return day + offset + 1


def test_the_sixth_post_in_a_minute_gets_the_429_page(client, gers):
    start = datetime.fromtimestamp(_window_start(60), tz=UTC)
    with time_machine.travel(start, tick=False):
        statuses = [
            client.post(URL, answers(email=f"personne{i}@exemple.fr", phone="")).status_code for i in range(6)
        ]
        limited = client.post(URL, answers(email="autre@exemple.fr", phone=""))
        assert client.get(URL).status_code == 200  # reading the form is not limited

    assert statuses == [302] * 5 + [429]
    assert limited.status_code == 429 and "Trop de requêtes" in limited.content.decode()
    assert Prospect.objects.count() == 5


def test_the_fifty_first_post_in_a_day_gets_the_429_page(client, gers):
    start = _window_start(86_400)
    statuses = []
    with time_machine.travel(datetime.fromtimestamp(start, tz=UTC), tick=False) as traveller:
        for minute in range(10):
            traveller.move_to(datetime.fromtimestamp(start + 60 * minute, tz=UTC))
            statuses += [client.post(URL, {}).status_code for _ in range(5)]
        traveller.move_to(datetime.fromtimestamp(start + 600, tz=UTC))
        fifty_first = client.post(URL, {}).status_code
        traveller.move_to(datetime.fromtimestamp(start + 3600, tz=UTC))
        later_that_day = client.post(URL, {}).status_code

    assert statuses == [400] * 50  # refused forms, but counted
    assert fifty_first == 429 and later_that_day == 429


# --- Known contacts ----------------------------------------------------------------------------------


def test_a_known_email_in_another_case_adds_a_contact_to_the_known_prospect(
    client, gers, advisor, lavardens, marciac
):
    other_advisor = member(gers, Role.ADVISOR)
    known = ProspectFactory(
        territory=gers,
        email="lea.martin@exemple.fr",
        phone="",
        activity="Illustratrice",
        message="",
        advisor=advisor,
        last_inbound_at=timezone.now() - timedelta(days=200),
    )
    known.villages.add(lavardens)
    first = client.post(URL, answers())
    assert first.status_code == 302

    response = client.post(
        URL,
        answers(email="Lea.MARTIN@Exemple.fr", villages=[str(lavardens.pk), str(marciac.pk)]),
    )

    assert response.status_code == 302 and response["Location"] == THANKS  # the same confirmation
    assert Prospect.objects.count() == 1
    known.refresh_from_db()
    assert known.activity == "Illustratrice"  # what the advisor knew is kept
    assert known.phone == "06 12 34 56 78"  # an empty field was filled
    assert set(known.villages.all()) == {lavardens, marciac}
    assert abs(known.last_inbound_at - timezone.now()) < timedelta(seconds=10)
    forms = Activity.objects.filter(prospect=known, kind=ActivityKind.FORM)
    assert forms.count() == 2
    assert "Nouveau contact via le formulaire" in forms.first().text
    # The assigned advisor is told, not the others.
    told = OutboxMessage.objects.filter(kind="prospect_known_contact")
    assert {m.to for m in told} == {advisor.email}
    assert other_advisor.email not in {m.to for m in told}
    # The visitor gets the usual email (the same address: the link goes to its owner).
    assert OutboxMessage.objects.filter(kind="prospect_welcome", to="lea.martin@exemple.fr").count() == 2


def test_a_known_phone_adds_a_contact_without_giving_the_typed_email_a_sign_in_link(client, gers, advisor):
    admin = member(gers, Role.TERRITORY_ADMIN)
    known = ProspectFactory(territory=gers, email="vraie@exemple.fr", phone="+33 6 12 34 56 78", activity="")

    response = client.post(URL, answers(email="intrus@exemple.fr", phone="06.12.34.56.78"))

    assert response.status_code == 302 and response["Location"] == THANKS
    assert Prospect.objects.count() == 1
    known.refresh_from_db()
    assert known.email == "vraie@exemple.fr" and known.activity == ""  # nothing changed on the record
    assert known.user is None
    assert not User.objects.filter(email="intrus@exemple.fr").exists()
    activity = Activity.objects.get(prospect=known, kind=ActivityKind.FORM)
    assert activity.data["match"] == "phone" and "intrus@exemple.fr" in str(activity.data)
    # No sign-in link to the typed address: a neutral acknowledgement instead.
    to_typed = OutboxMessage.objects.filter(to="intrus@exemple.fr")
    assert [m.kind for m in to_typed] == ["prospect_received"]
    assert "/projet/connexion/" not in to_typed[0].body_text + to_typed[0].body_html
    assert not OutboxMessage.objects.filter(kind="prospect_welcome").exists()
    # Nobody assigned: every advisor and admin of the territory is told, with a warning.
    told = OutboxMessage.objects.filter(kind="prospect_known_contact")
    assert {m.to for m in told} == {advisor.email, admin.email}
    assert "seul le téléphone correspond" in told[0].body_text


def test_a_prospect_of_another_territory_with_the_same_email_is_not_merged(client, gers, landes):
    ProspectFactory(territory=landes, email="lea.martin@exemple.fr")

    client.post(URL, answers())

    assert Prospect.objects.filter(territory=gers).count() == 1
    assert not Activity.objects.filter(kind=ActivityKind.FORM).exists()


# --- The sign-in link ----------------------------------------------------------------------------------


def test_the_sign_in_link_opens_mon_espace_once(client, gers):
    client.post(URL, answers())
    link = sign_in_link(OutboxMessage.objects.get(kind="prospect_welcome"))
    user = User.objects.get()
    assert not EmailAddress.objects.get(user=user).verified

    page = client.get(link)
    assert page.status_code == 200 and "Me connecter et ouvrir Mon espace" in page.content.decode()
    assert "_auth_user_id" not in client.session  # opening the link (a mail scanner) signs nobody in

    response = client.post(link)

    assert response.status_code == 302 and response["Location"] == "/fr/mon-espace/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    space = client.get("/fr/mon-espace/")
    assert space.status_code == 200 and "lea.martin@exemple.fr" in space.content.decode()

    client.logout()
    again = client.post(link)
    assert again.status_code == 400
    body = again.content.decode()
    assert "Ce lien de connexion ne fonctionne plus" in body and 'href="/fr/compte/connexion/"' in body
    assert "_auth_user_id" not in client.session
    assert client.get(link).status_code == 400


def test_the_sign_in_link_expires_after_seven_days(client, gers):
    client.post(URL, answers())
    link = sign_in_link(OutboxMessage.objects.get(kind="prospect_welcome"))

    with time_machine.travel(timezone.now() + timedelta(days=SIGN_IN_LINK_DAYS, hours=1)):
        response = client.post(link)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + timedelta(days=SIGN_IN_LINK_DAYS - 1)):
        assert client.post(link).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/fr/projet/connexion/MQ/abc-123/",
        "/fr/projet/connexion/zzzz/abc-123/",
        "/fr/projet/connexion/MQ/nohyphen/",
    ],
)
def test_a_wrong_sign_in_link_shows_a_clear_page(client, gers, path):
    response = client.get(path)

    assert response.status_code == 400
    assert "Se connecter" in response.content.decode()


def test_a_link_of_one_user_does_not_open_another_account(client, gers):
    client.post(URL, answers())
    link = sign_in_link(OutboxMessage.objects.get(kind="prospect_welcome"))
    other = User.objects.create_user(email="autre@exemple.fr")
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = link.split("/")[4]
    forged = link.replace(f"/{uid}/", f"/{urlsafe_base64_encode(force_bytes(other.pk))}/")

    assert client.post(forged).status_code == 400


def test_a_used_link_opened_while_signed_in_offers_mon_espace(client, gers):
    client.post(URL, answers())
    link = sign_in_link(OutboxMessage.objects.get(kind="prospect_welcome"))
    client.post(link)

    again = client.get(link)

    assert again.status_code == 400
    assert 'href="/fr/mon-espace/"' in again.content.decode()


def test_a_staff_address_gets_no_sign_in_link(client, gers, advisor):
    response = client.post(URL, answers(email=advisor.email))

    assert response.status_code == 302
    message = OutboxMessage.objects.get(to=advisor.email, kind__startswith="prospect_")
    assert message.kind == "prospect_received"
    assert "/projet/connexion/" not in message.body_text
