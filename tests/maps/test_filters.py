"""The filters shared by the map and its results list (sohosolo.maps.filters)."""

import pytest

from sohosolo.maps.filters import FilterError, MapFilters, housing_matching, villages_matching
from sohosolo.villages.models import MeasuredTravelTime

pytestmark = pytest.mark.django_db


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_without_filters_every_published_village_of_the_territory_is_kept(gers, scenario):
    found = ids(villages_matching(MapFilters(territory=gers)))

    assert found == scenario.village_ids(scenario.match, scenario.no_fibre, scenario.far, scenario.no_school)


def test_fibre_keeps_villages_whose_commune_has_fibre(gers, scenario):
    found = ids(villages_matching(MapFilters(territory=gers, fibre=True)))

    assert found == scenario.village_ids(scenario.match, scenario.far, scenario.no_school)


def test_a_fibre_share_of_zero_is_no_fibre(gers, scenario):
    scenario.far.commune.connectivity.fibre_share_pct = 0
    scenario.far.commune.connectivity.save()

    assert scenario.far.pk not in ids(villages_matching(MapFilters(territory=gers, fibre=True)))


def test_school_and_doctor_look_in_the_village_commune(gers, scenario):
    schools = ids(villages_matching(MapFilters(territory=gers, primary_school=True)))
    doctors = ids(villages_matching(MapFilters(territory=gers, doctor=True)))

    assert schools == scenario.village_ids(scenario.match, scenario.no_fibre, scenario.far)
    assert doctors == scenario.village_ids(
        scenario.match, scenario.no_fibre, scenario.far, scenario.no_school
    )


def test_travel_time_uses_the_estimate_of_the_village_page(gers, scenario):
    found = ids(villages_matching(MapFilters(territory=gers, city="Toulouse", max_minutes=60)))

    assert found == scenario.village_ids(scenario.match, scenario.no_fibre, scenario.no_school)
    # The same figure as the village page shows.
    toulouse = next(r for r in scenario.match.travel_times() if r["city"] == "Toulouse")
    assert toulouse["minutes"] <= 60 and not toulouse["measured"]


def test_a_measured_travel_time_replaces_the_estimate(gers, scenario):
    MeasuredTravelTime.objects.create(village=scenario.far, city="Toulouse", minutes=55)
    MeasuredTravelTime.objects.create(village=scenario.match, city="Toulouse", minutes=75)

    found = ids(villages_matching(MapFilters(territory=gers, city="Toulouse", max_minutes=60)))

    assert scenario.far.pk in found
    assert scenario.match.pk not in found


def test_journey_one_fibre_school_and_an_hour_from_toulouse(gers, scenario):
    filters = MapFilters(territory=gers, fibre=True, primary_school=True, city="Toulouse", max_minutes=60)

    assert ids(villages_matching(filters)) == {scenario.match.pk}
    assert ids(housing_matching(filters)) == {scenario.house_rent.pk, scenario.flat_sale.pk}


def test_offers_are_public_ones_of_the_territory_only(gers, scenario):
    found = ids(housing_matching(MapFilters(territory=gers)))

    assert found == {
        o.pk for o in (scenario.house_rent, scenario.flat_sale, scenario.house_no_fibre, scenario.house_far)
    }
    assert not found & {o.pk for o in scenario.hidden}


def test_offer_criteria_select_offers(gers, scenario):
    rent = ids(housing_matching(MapFilters(territory=gers, transaction="rent")))
    flats = ids(housing_matching(MapFilters(territory=gers, housing_kind="flat")))
    cheap = ids(housing_matching(MapFilters(territory=gers, max_price=600)))

    assert scenario.flat_sale.pk not in rent and scenario.house_rent.pk in rent
    assert flats == {scenario.flat_sale.pk}
    assert cheap == {scenario.house_no_fibre.pk, scenario.house_far.pk}


def test_offer_criteria_do_not_hide_villages(gers, scenario):
    found = ids(villages_matching(MapFilters(territory=gers, housing_kind="flat", max_price=10)))

    assert len(found) == 4


def test_a_city_the_territory_does_not_list_is_refused(gers):
    with pytest.raises(FilterError) as error:
        MapFilters(territory=gers, city="Paris", max_minutes=60)

    assert error.value.field == "city"


def test_a_travel_time_needs_a_city(gers):
    with pytest.raises(FilterError) as error:
        MapFilters(territory=gers, max_minutes=60)

    assert error.value.field == "city"


def test_the_travel_filter_takes_the_same_queries_for_any_number_of_villages(
    gers, scenario, django_assert_num_queries
):
    from .factories import make_village

    filters = MapFilters(territory=gers, city="Toulouse", max_minutes=60)
    with django_assert_num_queries(3) as few:
        list(villages_matching(filters))
    for i in range(30):
        make_village(gers, name=f"Village {i}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(list(villages_matching(filters))) == 33
