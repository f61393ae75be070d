from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from sohosolo.housing.models import HousingOffer, HousingStatus
from sohosolo.services.models import Category
from sohosolo.villages.models import Village

from .factories import FAR_FROM_TOULOUSE, NEAR_TOULOUSE, give_fibre, make_offer, make_service, make_village


@dataclass
class Scenario:
    """Villages and offers of the Gers built so that each filter keeps a known subset."""

    match: Village  # fibre, school, doctor, ≈ 44 min from Toulouse
    no_fibre: Village  # school, doctor, near
    far: Village  # fibre, school, doctor, ≈ 102 min
    no_school: Village  # fibre, doctor, near
    draft: Village  # everything, but a draft
    other_territory: Village  # everything, in the Landes
    house_rent: HousingOffer  # in `match`, 750 €/month
    flat_sale: HousingOffer  # in `match`, 150 000 €
    house_no_fibre: HousingOffer  # in `no_fibre`
    house_far: HousingOffer  # in `far`
    hidden: list[HousingOffer]  # draft, expired, withdrawn, or in a draft village

    def village_ids(self, *villages) -> set[int]:
        return {v.pk for v in villages}


def _equip(village: Village, *, fibre=True, school=True, doctor=True) -> Village:
    if fibre:
        give_fibre(village)
    if school:
        make_service(village.commune, Category.PRIMARY_SCHOOL, name=f"École de {village.commune.name}")
    if doctor:
        make_service(village.commune, Category.DOCTOR, name=f"Cabinet médical de {village.commune.name}")
    return village


@pytest.fixture
def scenario(gers, landes) -> Scenario:
    match = _equip(make_village(gers, name="Lavardens", position=NEAR_TOULOUSE, is_sample=True))
    no_fibre = _equip(make_village(gers, name="Sansfibre", position=(43.55, 1.0)), fibre=False)
    far = _equip(make_village(gers, name="Lointain", position=FAR_FROM_TOULOUSE))
    no_school = _equip(make_village(gers, name="Sansecole", position=(43.65, 0.95)), school=False)
    draft = _equip(make_village(gers, name="Brouillon", position=(43.58, 0.97), status="draft"))
    other = _equip(make_village(landes, name="Landais", position=(43.9, -0.5)))
    now = timezone.now()
    house_rent = make_offer(match, title_fr="Maison de village avec jardin", price=750, is_sample=True)
    flat_sale = make_offer(match, kind="flat", transaction="sale", price=150_000, title_fr="Appartement")
    house_no_fibre = make_offer(no_fibre, price=600)
    house_far = make_offer(far, price=500)
    hidden = [
        make_offer(match, status=HousingStatus.DRAFT, title_fr="Brouillon d'offre"),
        make_offer(
            match,
            status=HousingStatus.PUBLISHED,
            title_fr="Offre périmée",
            expires_at=now - timedelta(minutes=1),
        ),
        make_offer(match, status=HousingStatus.WITHDRAWN, title_fr="Offre retirée"),
        make_offer(draft, title_fr="Offre d'un village brouillon"),
        make_offer(other, title_fr="Offre landaise"),
    ]
    return Scenario(
        match=match,
        no_fibre=no_fibre,
        far=far,
        no_school=no_school,
        draft=draft,
        other_territory=other,
        house_rent=house_rent,
        flat_sale=flat_sale,
        house_no_fibre=house_no_fibre,
        house_far=house_far,
        hidden=hidden,
    )
