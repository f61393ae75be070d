"""The passport opens on the candidate transition and is revoked when the prospect is lost."""

import pytest

from sohosolo.passports.models import ChecklistStep, Passport
from sohosolo.passports.tokens import PassportCodeError, passport_from_token, passport_token
from sohosolo.prospects.services import prospect_transition
from tests.prospects.factories import ProspectFactory


@pytest.mark.django_db
def test_passport_opens_on_candidate_and_is_revoked_when_lost(gers):
    prospect = ProspectFactory(territory=gers, stage="qualified")
    prospect_transition(prospect=prospect, to="candidate", by=None)
    passport = Passport.objects.get(prospect=prospect)
    assert passport.number.startswith("GERS-") and passport.number.endswith("-0001")
    assert len(passport.check_code) == 6 and passport.is_valid
    assert ChecklistStep.objects.filter(territory=gers).count() == 7
    token = passport_token(passport)
    assert passport_from_token(token) == passport
    prospect_transition(prospect=prospect, to="lost", by=None, reason="abandoned")
    passport.refresh_from_db()
    assert passport.revoked_at is not None
    with pytest.raises(PassportCodeError) as exc:
        passport_from_token(token)
    assert exc.value.reason == "revoked"
    with pytest.raises(PassportCodeError) as exc:
        passport_from_token(token[:-2] + "xx")
    assert exc.value.reason == "forged"


@pytest.mark.django_db
def test_numbers_follow_each_other_per_territory(gers):
    numbers = []
    for _ in range(3):
        prospect = ProspectFactory(territory=gers, stage="qualified")
        prospect_transition(prospect=prospect, to="candidate", by=None)
        numbers.append(Passport.objects.get(prospect=prospect).number[-4:])
    assert numbers == ["0001", "0002", "0003"]


@pytest.mark.django_db
def test_a_validly_signed_value_of_another_shape_is_refused_as_forged(gers):
    """A value signed with the same salt but not by passport_token (here with a timestamp) is not a code."""
    from django.core import signing

    from sohosolo.passports.tokens import SALT

    prospect = ProspectFactory(territory=gers, stage="qualified")
    prospect_transition(prospect=prospect, to="candidate", by=None)
    passport = Passport.objects.get(prospect=prospect)
    other = signing.TimestampSigner(salt=SALT).sign_object(
        {"p": passport.pk, "n": passport.number}, compress=True
    )
    with pytest.raises(PassportCodeError) as exc:
        passport_from_token(other)
    assert exc.value.reason == "forged"
