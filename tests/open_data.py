"""Paths and well-known values of the real open data in data/ (see data/README.md)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
GERS_GEOJSON = DATA_DIR / "gers-communes.geojson"
FRANCE_CSV = DATA_DIR / "france-communes.csv"
AUCH = "32013"  # INSEE code of Auch, prefecture of the Gers
SUBSET_SIZE = 40  # communes in the small Gers file built by the gers_subset_file fixture
