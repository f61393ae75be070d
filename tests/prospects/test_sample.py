"""Sample prospects: labelled, consistent with the services (ledger, stage history), idempotent."""

import pytest

from sohosolo.accounts.sample import accounts_load_sample
from sohosolo.prospects.models import ConsentRecord, Prospect, Stage, StageChange
from sohosolo.prospects.sample import COUNT, prospects_load_sample
from tests.villages.factories import village_in


@pytest.mark.django_db
def test_sample_prospects_are_labelled_consistent_and_idempotent(gers_communes):
    village_in(gers_communes)
    accounts_load_sample(password="x")
    created = prospects_load_sample(territory=gers_communes)
    assert created == COUNT + 1  # the sample prospect account's own project too
    prospects = Prospect.objects.of_territory(gers_communes)
    assert prospects.count() == COUNT + 1
    assert not prospects.filter(is_sample=False).exists()
    assert not prospects.exclude(email__endswith=".example").exists()
    installed = prospects.filter(stage=Stage.INSTALLED)
    assert installed.exists() and not installed.filter(installed_commune=None).exists()
    assert not prospects.filter(stage=Stage.LOST, lost_reason="").exists()
    assert (
        StageChange.objects.filter(prospect__in=installed, to_stage=Stage.INSTALLED).count()
        == installed.count()
    )
    assert (
        ConsentRecord.objects.filter(prospect__in=prospects, purpose="contact", granted=True).count()
        == COUNT + 1
    )
    assert prospects.filter(user__email="porteur@gers.soho-solo.example").exists()
    assert prospects_load_sample(territory=gers_communes) == 0
    assert Prospect.objects.of_territory(gers_communes).count() == COUNT + 1


@pytest.mark.django_db
def test_the_sample_prospect_account_is_a_candidate_with_an_open_passport(gers_communes):
    from sohosolo.passports.models import Passport

    village_in(gers_communes)
    accounts_load_sample(password="x")
    prospects_load_sample(territory=gers_communes)
    prospect = Prospect.objects.get(user__email="porteur@gers.soho-solo.example")
    assert prospect.stage == Stage.CANDIDATE and prospect.advisor is not None
    assert Passport.objects.get(prospect=prospect).is_valid
