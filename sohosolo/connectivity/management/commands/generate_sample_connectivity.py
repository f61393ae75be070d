"""Write the sample connectivity file (data/connectivity-sample-gers.csv) from the communes GeoJSON.

The values are invented but plausible: bigger communes get more fibre, faster DSL, 5G boxes and better
mobile coverage. They depend only on each commune's code and population, so running the command again
writes the same file byte for byte. Every row says it is sample data (source column and is_sample=1).
"""

import csv
import json
import random
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sohosolo.connectivity.models import OPERATORS
from sohosolo.connectivity.services import COLUMNS

DATA_DIR = Path(settings.BASE_DIR) / "data"
SOURCE = "Donnée d'exemple (générée)"
DATE = "2025-03-31"
LEVELS = [(0.15, "none"), (0.40, "basic"), (0.70, "good"), (9.99, "very_good")]
OPERATOR_BIAS = {"orange": 0.10, "sfr": 0.0, "bouygues": -0.02, "free": -0.08}


def _fibre_share(rng: random.Random, population: int) -> float:
    if population >= 5000:
        share = rng.uniform(88, 100)
    elif population >= 1500:
        share = rng.uniform(70, 99)
    elif population >= 500:
        share = rng.uniform(50, 98) if rng.random() < 0.6 else rng.uniform(20, 70)
    elif population >= 200:
        share = 0.0 if rng.random() < 0.45 else rng.uniform(10, 95)
    else:
        share = 0.0 if rng.random() < 0.6 else rng.uniform(5, 90)
    return round(min(share, 100.0), 1)


def _best_dsl(rng: random.Random, population: int) -> float:
    if population >= 3000:
        return float(rng.choice([30, 50, 65, 95]))
    if population >= 800:
        return float(rng.choice([8, 15, 30, 50]))
    return float(rng.choice([1, 2, 4, 8, 15]))


def _level(score: float) -> str:
    return next(level for limit, level in LEVELS if score < limit)


def sample_row(code: str, population: int) -> dict:
    """Plausible connectivity for one commune, the same every time for the same code and population."""
    rng = random.Random(f"soho-solo-connectivity:{code}")
    town = min(population / 3000, 1.0)
    terrain = rng.random()  # hills and valleys: some places are poorly served whatever their size
    row = {
        "code": code,
        "fibre_share_pct": f"{_fibre_share(rng, population):g}",
        "best_dsl_mbps": f"{_best_dsl(rng, population):g}",
        "fixed_5g": int(rng.random() < (0.7 if population >= 3000 else 0.3 if population >= 1000 else 0.05)),
        "satellite": 1,  # satellite offers cover all of mainland France
    }
    row["fixed_4g"] = int(row["fixed_5g"] or population >= 1000 or rng.random() < 0.8)
    for operator in OPERATORS:
        score = 0.1 + 0.5 * terrain + 0.35 * town + OPERATOR_BIAS[operator] + rng.uniform(-0.12, 0.12)
        row[f"mobile_{operator}"] = _level(score)
    row.update({"source": SOURCE, "date": DATE, "is_sample": 1})
    return row


class Command(BaseCommand):
    help = "Write the sample connectivity CSV for every commune of a GeoJSON file (deterministic)."

    def add_arguments(self, parser):
        parser.add_argument("--geojson", default=str(DATA_DIR / "gers-communes.geojson"))
        parser.add_argument("--output", default=str(DATA_DIR / "connectivity-sample-gers.csv"))

    def handle(self, *args, geojson, output, **options):
        try:
            features = json.loads(Path(geojson).read_text(encoding="utf-8"))["features"]
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"{geojson} : fichier GeoJSON illisible ({exc}).") from exc
        communes = sorted(
            (str(f["properties"]["insee"]), int(f["properties"].get("population") or 0)) for f in features
        )
        with open(output, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=[*COLUMNS, "is_sample"], lineterminator="\n")
            writer.writeheader()
            for code, population in communes:
                writer.writerow(sample_row(code, population))
        self.stdout.write(self.style.SUCCESS(f"{len(communes)} communes écrites dans {output}."))
