"""The intake service behind the project form (sohosolo.prospects.intake).

A new contact gets a prospect and an account; a known email or phone adds a contact to the known
prospect without overwriting what the advisors know; sign-in links are one-time, last seven days and
are never sent where they could open someone else's account or skip a second factor.
"""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from sohosolo.accounts.models import Membership, Role, User
from sohosolo.core.models import OutboxMessage
from sohosolo.prospects import intake
from sohosolo.prospects.intake import (
    ContactConsentRequired,
    IntakeError,
    advisors_to_tell,
    project_intake,
    sign_in_link_allowed,
    sign_in_tokens,
    sign_in_user,
)
from sohosolo.prospects.models import Activity, ActivityKind, Channel, ConsentRecord, Prospect
from tests.accounts.factories import UserFactory
from tests.accounts.staff_factories import member, verified_user
from tests.prospects.factories import ProspectFactory
from tests.villages.factories import village_in

pytestmark = pytest.mark.django_db

CONSENTS = {"contact": True, "share_villages": True, "newsletter": False}


def answers(**overrides) -> dict:
    return {
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "lea.martin@exemple.fr",
        "phone": "06 12 34 56 78",
        "current_location": "Lyon",
        "activity": "Graphiste",
        "sector": "creative",
        "work_status": "freelance",
        "adults": 2,
        "children": 1,
        "children_ages": "4 ans",
        "timing": "6to12",
        "anywhere": False,
        "needs": ["rent"],
        "message": "Une maison avec un jardin.",
        "heard_from": "press",
        "heard_from_detail": "",
        **overrides,
    }


def submit(territory, consents=None, **kwargs):
    kwargs.setdefault("answers", answers())
    return project_intake(territory=territory, consents=consents or CONSENTS, **kwargs)


@pytest.fixture(autouse=True)
def _emails_render_every_variable():
    """Tests render templates with string_if_invalid: no email may hold an undefined variable."""
    yield
    for message in OutboxMessage.objects.all():
        text = message.subject + message.body_text + message.body_html
        assert "INVALID_TEMPLATE_VARIABLE" not in text, (message.kind, text)


@pytest.fixture
def lavardens(gers):
    return village_in(gers, commune__name="Lavardens")


@pytest.fixture
def notify():
    with mock.patch.object(intake, "committees_notify_new_prospect") as patched:
        yield patched


# --- New contacts ----------------------------------------------------------------------------------


def test_a_new_contact_gets_a_prospect_an_account_a_role_and_a_welcome_email(gers, lavardens, notify):
    source = {
        "utm_source": "salon",
        "referrer": "https://exemple.fr/",
        "landing_url": "https://gers/fr/projet/",
    }

    result = submit(gers, villages=[lavardens], language="es", source=source, base_url="https://gers.test/")

    prospect = result.prospect
    assert result.created and result.match == "" and result.sign_in_link_sent
    assert prospect.channel == Channel.FORM and prospect.language == "es" and prospect.territory == gers
    assert (prospect.utm_source, prospect.referrer) == ("salon", "https://exemple.fr/")
    assert prospect.user == result.user
    user = result.user
    assert not user.has_usable_password() and user.preferred_language == "es"
    assert (user.first_name, user.last_name) == ("Léa", "Martin")
    assert Membership.objects.filter(user=user, territory=gers, role=Role.PROSPECT).count() == 1
    address = EmailAddress.objects.get(user=user)
    assert address.email == user.email and address.primary and not address.verified
    message = OutboxMessage.objects.get()
    assert message.kind == "prospect_welcome" and message.language == "es" and message.territory == gers
    assert "https://gers.test/es/projet/connexion/" in message.body_text
    notify.assert_called_once_with(prospect=prospect, villages=[lavardens])
    assert ConsentRecord.objects.filter(prospect=prospect).count() == 3
    assert not Activity.objects.filter(kind=ActivityKind.FORM).exists()


def test_an_existing_account_is_reused_and_given_the_prospect_role_once(gers, landes, notify):
    user = verified_user(email="lea.martin@exemple.fr")
    Membership.objects.create(user=user, territory=gers, role=Role.PROSPECT)
    Membership.objects.create(user=user, territory=landes, role=Role.MEMBER)

    result = submit(gers, answers=answers(email="Lea.Martin@Exemple.fr"))

    assert result.user == user and result.prospect.user == user
    assert User.objects.count() == 1
    assert Membership.objects.filter(user=user, territory=gers, role=Role.PROSPECT).count() == 1
    assert result.sign_in_link_sent
    assert user.has_usable_password()  # a password the person chose is untouched


def test_a_verified_secondary_address_leads_to_its_account(gers, notify):
    owner = verified_user(email="principale@exemple.fr")
    EmailAddress.objects.create(user=owner, email="lea.martin@exemple.fr", verified=True)

    result = submit(gers)

    assert result.user == owner and result.sign_in_link_sent
    assert User.objects.count() == 1


def test_an_unverified_address_of_another_account_gets_no_account_and_no_link(gers, notify):
    owner = verified_user(email="principale@exemple.fr")
    EmailAddress.objects.create(user=owner, email="lea.martin@exemple.fr", verified=False)

    result = submit(gers)

    assert result.user is None and result.prospect.user is None and not result.sign_in_link_sent
    assert User.objects.count() == 1
    assert OutboxMessage.objects.get().kind == "prospect_received"


def test_the_contact_consent_is_required(gers):
    with pytest.raises(ContactConsentRequired) as refused:
        submit(gers, consents={"contact": False, "share_villages": True, "newsletter": True})

    assert refused.value.field == "consent_contact"
    assert not Prospect.objects.exists() and not User.objects.exists()


def test_a_village_of_another_territory_or_unpublished_is_refused(gers, landes):
    for village in [village_in(landes), village_in(gers, draft=True)]:
        with pytest.raises(IntakeError) as refused:
            submit(gers, villages=[village])
        assert refused.value.field == "villages"
    assert not Prospect.objects.exists()


# --- Known contacts --------------------------------------------------------------------------------


def test_a_known_email_fills_only_empty_fields_adds_villages_and_records_the_consents(
    gers, lavardens, notify
):
    other = village_in(gers, commune__name="Marciac")
    known = ProspectFactory(
        territory=gers,
        email="lea.martin@exemple.fr",
        phone="",
        activity="Illustratrice",
        current_location="",
        adults=None,
        needs=["buy"],
        consent_share_villages=False,
        last_inbound_at=timezone.now() - timedelta(days=400),
    )
    known.villages.add(lavardens)
    version = known.version

    result = submit(gers, villages=[lavardens, other], answers=answers(adults=3, needs=["rent", "buy"]))

    assert not result.created and result.match == "email" and result.prospect.pk == known.pk
    known.refresh_from_db()
    assert known.activity == "Illustratrice" and known.adults == 3 and known.current_location == "Lyon"
    assert known.phone == "06 12 34 56 78" and known.needs == ["rent", "buy"]
    assert set(known.villages.all()) == {lavardens, other}
    assert known.version == version + 1
    assert timezone.now() - known.last_inbound_at < timedelta(seconds=10)
    assert known.consent_share_villages
    notify.assert_called_once_with(prospect=known, villages=[other])
    activity = Activity.objects.get(prospect=known, kind=ActivityKind.FORM)
    assert activity.data["match"] == "email" and activity.data["consents_applied"]
    assert set(activity.data["filled"]) >= {"phone", "adults", "current_location", "needs"}
    assert "Graphiste" in activity.text and "Lavardens" in activity.text
    assert known.user == result.user and result.sign_in_link_sent


def test_a_known_phone_with_another_email_changes_nothing_on_the_record(gers, lavardens, notify):
    known = ProspectFactory(
        territory=gers,
        email="vraie@exemple.fr",
        phone="0612345678",
        activity="",
        consent_share_villages=False,
    )
    version = known.version

    result = submit(gers, villages=[lavardens], answers=answers(email="autre@exemple.fr"))

    known.refresh_from_db()
    assert result.match == "phone" and result.user is None and not result.sign_in_link_sent
    assert known.activity == "" and known.email == "vraie@exemple.fr" and known.version == version
    assert not known.villages.exists() and not known.consent_share_villages and known.user is None
    assert not ConsentRecord.objects.filter(prospect=known).exists()
    notify.assert_not_called()
    activity = Activity.objects.get(prospect=known, kind=ActivityKind.FORM)
    assert activity.data["consents_applied"] is False
    assert activity.data["answers"]["email"] == "autre@exemple.fr"
    assert "vérifiez" in activity.text
    assert list(OutboxMessage.objects.filter(to="autre@exemple.fr").values_list("kind", flat=True)) == [
        "prospect_received"
    ]


def test_an_email_match_wins_over_a_phone_match(gers, notify):
    by_phone = ProspectFactory(territory=gers, email="x@exemple.fr", phone="06 12 34 56 78")
    by_email = ProspectFactory(territory=gers, email="lea.martin@exemple.fr", phone="")

    result = submit(gers)

    assert result.prospect == by_email and result.match == "email"
    assert not Activity.objects.filter(prospect=by_phone, kind=ActivityKind.FORM).exists()


def test_an_anonymised_prospect_is_not_matched(gers, notify):
    ProspectFactory(territory=gers, email="lea.martin@exemple.fr", anonymised_at=timezone.now())

    assert submit(gers).created


def test_a_known_prospect_tied_to_another_account_gets_no_link_for_the_typed_address(gers, notify):
    owner = verified_user(email="compte@exemple.fr")
    ProspectFactory(territory=gers, email="lea.martin@exemple.fr", user=owner)

    result = submit(gers)

    assert result.match == "email" and result.user is None and not result.sign_in_link_sent
    assert not User.objects.filter(email="lea.martin@exemple.fr").exists()
    assert OutboxMessage.objects.get(to="lea.martin@exemple.fr").kind == "prospect_received"


def test_the_advisors_told_are_the_assigned_one_or_all_the_staff_of_the_territory(gers, landes):
    advisor = member(gers, Role.ADVISOR)
    admin = member(gers, Role.TERRITORY_ADMIN)
    member(gers, Role.COMMITTEE)
    member(landes, Role.ADVISOR)

    assigned = ProspectFactory(territory=gers, advisor=advisor)
    unassigned = ProspectFactory(territory=gers)

    assert advisors_to_tell(assigned) == [advisor]
    assert advisors_to_tell(unassigned) == [advisor, admin]


def test_the_advisor_email_is_in_the_advisors_language(gers, notify):
    advisor = member(gers, Role.ADVISOR, preferred_language="en")
    ProspectFactory(territory=gers, email="lea.martin@exemple.fr", advisor=advisor)

    submit(gers, language="fr")

    told = OutboxMessage.objects.get(kind="prospect_known_contact")
    assert told.to == advisor.email and told.language == "en"
    assert '<html lang="en">' in told.body_html


# --- Sign-in links -----------------------------------------------------------------------------------


def _token_parts(user):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(user.pk)), sign_in_tokens.make_token(user)


def test_a_token_dies_once_the_user_has_signed_in(gers):
    user = UserFactory(password=None)
    uid, token = _token_parts(user)
    assert sign_in_user(uid, token) == user

    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])

    assert sign_in_user(uid, token) is None


def test_a_token_lasts_seven_days(gers):
    user = UserFactory(password=None)
    uid, token = _token_parts(user)

    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert sign_in_user(uid, token) == user
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        assert sign_in_user(uid, token) is None


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda gers: UserFactory(is_staff=True), id="django-staff"),
        pytest.param(lambda gers: UserFactory(admin=True), id="superuser"),
        pytest.param(lambda gers: member(gers, Role.ADVISOR), id="advisor"),
        pytest.param(lambda gers: member(gers, Role.TERRITORY_ADMIN), id="territory-admin"),
        pytest.param(lambda gers: UserFactory(is_active=False), id="inactive"),
    ],
)
def test_accounts_that_need_more_than_an_email_get_no_link(gers, make, notify):
    user = make(gers)

    assert not sign_in_link_allowed(user)
    uid, token = _token_parts(user)
    assert sign_in_user(uid, token) is None


def test_an_account_with_a_second_factor_gets_no_link(gers, notify):
    user = verified_user(email="lea.martin@exemple.fr")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})

    result = submit(gers)

    assert result.user == user and not result.sign_in_link_sent
    message = OutboxMessage.objects.get()
    assert message.kind == "prospect_received" and "/projet/connexion/" not in message.body_text
    assert "/fr/compte/connexion/" in message.body_text  # the normal login
