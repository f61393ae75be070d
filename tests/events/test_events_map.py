"""The "événements" layer of the map: the next scheduled date of each published series that has a
position, through the map API (GET /api/v1/map) and its popup (/<lang>/carte/fiche/event/<id>/)."""

import pytest

from sohosolo.events import map_layer
from sohosolo.events.models import OccurrenceStatus
from sohosolo.maps import layers

from . import agenda_helpers as helpers

pytestmark = pytest.mark.django_db
frozen = helpers.frozen
scenario = helpers.scenario

GERS_BBOX = "-0.5,43.0,1.6,44.3"


@pytest.fixture(autouse=True)
def registered():
    """The layer as EventsConfig.ready() registers it; the registry is left as it was found."""
    saved = (dict(layers.SOURCES), dict(layers.LAYERS), dict(layers.ALIASES))
    map_layer.register()
    yield
    for registry, before in zip((layers.SOURCES, layers.LAYERS, layers.ALIASES), saved, strict=True):
        registry.clear()
        registry.update(before)


def get_map(client, layers_param: str = "event", **params):
    return client.get("/api/v1/map", {"bbox": GERS_BBOX, "zoom": "9", "layers": layers_param, **params})


def popup(client, pk: int, lang: str = "fr"):
    return client.get(f"/{lang}/carte/fiche/event/{pk}/")


def test_the_layer_is_registered_through_the_maps_hook():
    assert layers.SOURCES["event"].popup_template == "events/_map_popup.html"
    assert str(layers.LAYERS["event"].label) == "Événements"
    assert layers.ALIASES["events"] == ["event"]


def test_the_map_shows_the_next_date_of_each_placed_series(client, scenario):
    body = get_map(client).json()

    s = scenario
    assert sorted(body["items"]) == sorted(
        [
            [s.nov25.pk, 43.6465, 0.5855, "event", "Mercredi de l'installation"],
            [s.club_dec4.pk, 43.7612, 0.5162, "event", "Club Soho Solo"],
        ]
    )  # not the later Mercredis, not the online workshop, not the draft, not the Landes
    assert body["counts"] == {"event": 2}


def test_a_cancelled_next_date_gives_way_to_the_following_one(client, scenario):
    scenario.nov25.status = OccurrenceStatus.CANCELLED
    scenario.nov25.save()

    ids = [item[0] for item in get_map(client, "events").json()["items"]]

    assert scenario.dec9.pk in ids and scenario.nov25.pk not in ids


def test_the_other_territory_sees_its_own_events(client, scenario):
    body = get_map(client, territory="landes", bbox="-2,43,0,44.5").json()

    assert [item[0] for item in body["items"]] == [scenario.landes.pk]


def test_the_popup_names_the_event_its_date_and_links_its_page(client, scenario):
    response = popup(client, scenario.club_dec4.pk)

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert '<h3 class="map-popup-title" tabindex="-1">Club Soho Solo</h3>' in body
    assert "Petit-déjeuner du Club" in body
    assert '<time datetime="2026-12-04T08:30:00+01:00">Vendredi 4 décembre 2026, 08:30</time>' in body
    assert "30 places restantes · réservé aux membres" in body
    assert f'<a href="/fr/agenda/club-soho-solo/{scenario.club_dec4.pk}/">Voir le rendez-vous' in body
    english = popup(client, scenario.club_dec4.pk, "en").content.decode()
    assert f'href="/en/agenda/club-soho-solo/{scenario.club_dec4.pk}/"' in english


@pytest.mark.parametrize("which", ["draft", "landes", "past", "cancelled", "online"])
def test_what_the_map_does_not_show_has_no_popup(client, scenario, which):
    occurrence = {
        "draft": scenario.draft,
        "landes": scenario.landes,
        "past": scenario.past,
        "cancelled": scenario.dec23,
        "online": scenario.workshop_dec10,
    }[which]

    assert popup(client, occurrence.pk).status_code == 404
