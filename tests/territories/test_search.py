import pytest

from sohosolo.core.text import search_key
from sohosolo.territories.models import Commune

from .factories import CommuneFactory, TerritoryFactory


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Castéra-Verduzan", "castera verduzan"),
        ("CASTÉRA", "castera"),
        ("L'Isle-Jourdain", "l isle jourdain"),
        ("Saint-Œuf-en-Chœur", "saint oeuf en choeur"),
        ("  Ægypte  ", "aegypte"),
        ("", ""),
        (None, ""),
    ],
)
def test_search_key_folds_accents_case_and_punctuation(text, key):
    assert search_key(text) == key


@pytest.mark.django_db
class TestCommuneSearch:
    @pytest.fixture
    def communes(self):
        gers = TerritoryFactory(slug="gers")
        return {
            "verduzan": CommuneFactory(
                territory=gers, code="32083", name="Castéra-Verduzan", postcodes=["32410"]
            ),
            "lectourois": CommuneFactory(
                territory=gers, code="32082", name="Castéra-Lectourois", postcodes=["32700"]
            ),
            "auch": CommuneFactory(territory=gers, code="32013", name="Auch", postcodes=["32000"]),
        }

    def test_castera_without_accent_finds_castera_verduzan(self, communes):
        found = list(Commune.objects.search("castera"))

        assert communes["verduzan"] in found
        assert communes["auch"] not in found

    def test_a_search_with_punctuation_and_capitals_finds_the_commune(self, communes):
        assert list(Commune.objects.search("CASTÉRA—verduzan")) == [communes["verduzan"]]

    def test_a_postcode_finds_the_communes_it_serves(self, communes):
        assert list(Commune.objects.search("32410")) == [communes["verduzan"]]

    def test_the_start_of_a_postcode_or_official_code_finds_communes(self, communes):
        assert set(Commune.objects.search("320")) == {
            communes["verduzan"],
            communes["lectourois"],
            communes["auch"],
        }
        assert list(Commune.objects.search("32000")) == [communes["auch"]]

    def test_an_empty_search_returns_every_commune(self, communes):
        assert Commune.objects.search("  - ").count() == 3

    def test_a_search_is_limited_to_the_territory_asked_for(self, communes):
        landes = TerritoryFactory(slug="landes")
        CommuneFactory(territory=landes, code="40999", name="Castéra-des-Landes")

        found = Commune.objects.of_territory(communes["auch"].territory).search("castera")

        assert set(found) == {communes["verduzan"], communes["lectourois"]}

    def test_communes_are_listed_in_alphabetical_order_ignoring_accents(self, communes):
        CommuneFactory(territory=communes["auch"].territory, code="32100", name="Éauze")
        CommuneFactory(territory=communes["auch"].territory, code="32101", name="Condom")

        names = list(Commune.objects.values_list("name", flat=True))

        assert names == ["Auch", "Castéra-Lectourois", "Castéra-Verduzan", "Condom", "Éauze"]
