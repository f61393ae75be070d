"""Factories for prospects, their activities and consents (Faker fr_FR)."""

import factory
from factory.django import DjangoModelFactory

from sohosolo.prospects.models import Activity, ActivityKind, Prospect, Sector, Stage, Timing, WorkStatus
from tests.territories.factories import TerritoryFactory


class ProspectFactory(DjangoModelFactory):
    class Meta:
        model = Prospect

    territory = factory.SubFactory(TerritoryFactory)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"porteur{n}@exemple.fr")
    phone = factory.Sequence(lambda n: f"06 12 {n // 100 % 100:02d} {n % 100:02d} 00")
    current_location = "Lyon"
    activity = "Graphiste"
    sector = Sector.CREATIVE
    work_status = WorkStatus.FREELANCE
    adults = 2
    children = 1
    timing = Timing.SIX_TO_12
    stage = Stage.CONTACT
    consent_contact = True


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    prospect = factory.SubFactory(ProspectFactory)
    kind = ActivityKind.CALL
    text = factory.Faker("sentence", locale="fr_FR")
