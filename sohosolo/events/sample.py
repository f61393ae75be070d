"""Sample event series (development only; shown as « Donnée d'exemple »).

For the sample territories of Gers and Landes: « Les Mercredis de l'installation », the free
information meeting every other Wednesday at 18:00 at the chamber of commerce (real address), and
« Club Soho Solo », the members' breakfast on the first Friday of the month at 8:30 in a coworking
space (an example place). Series have ``is_sample=True`` and are looked up by (territory, slug):
loading twice creates nothing new and keeps what staff changed; the occurrences of the coming six
months are materialised each time.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from sohosolo.territories.models import Territory

from .models import Audience, EventKind, Series
from .recurrence import from_local_naive, materialise

SAMPLE_NOTE = {
    "fr": "Donnée d'exemple. ",
    "en": "Sample data. ",
    "es": "Dato de ejemplo. ",
    "pt": "Dado de exemplo. ",
}

PLACES = {
    "gers": {
        "city": "Auch",
        "cci": ("CCI du Gers, 1 place Jean David, 32000 Auch", 43.6465, 0.5855),
        "coworking": ("Espace de coworking (lieu d'exemple), 32000 Auch", 43.6453, 0.5868),
    },
    "landes": {
        "city": "Mont-de-Marsan",
        "cci": ("CCI des Landes, 293 avenue du Maréchal Foch, 40000 Mont-de-Marsan", 43.8937, -0.5006),
        "coworking": ("Espace de coworking (lieu d'exemple), 40000 Mont-de-Marsan", 43.8927, -0.4990),
    },
}

PROJECT_QUESTION = {
    "key": "q1",
    "label": {
        "fr": "Où en est votre projet ?",
        "en": "Where does your project stand?",
        "es": "¿En qué punto está su proyecto?",
        "pt": "Em que ponto está o seu projeto?",
    },
    "required": False,
}


def _mercredis(city: str) -> dict:
    return {
        "slug": "mercredis-de-l-installation",
        "kind": EventKind.INFO_MEETING,
        "title": {
            "fr": "Les Mercredis de l'installation",
            "en": "Moving-in Wednesdays",
            "es": "Los miércoles de la instalación",
            "pt": "As quartas-feiras da instalação",
        },
        "description": {
            "fr": f"Réunion d'information gratuite à {city}, un mercredi sur deux : s'installer à la campagne "
            "comme indépendant ou télétravailleur, les villages d'accueil, le logement, l'accompagnement "
            "et le passeport. Ouvert à tous, sur inscription.",
            "en": f"Free information meeting in {city}, every other Wednesday: moving to the countryside as a "
            "freelancer or remote worker, welcoming villages, housing, support and the passport. Open to "
            "all, registration required.",
            "es": f"Reunión informativa gratuita en {city}, un miércoles de cada dos: instalarse en el campo "
            "como autónomo o teletrabajador, los pueblos de acogida, la vivienda y el acompañamiento.",
            "pt": f"Reunião de informação gratuita em {city}, uma quarta-feira sim, outra não: instalar-se no "
            "campo como independente ou em teletrabalho, as aldeias de acolhimento, a habitação e o apoio.",
        },
        "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        "weekday": 2,  # Wednesday
        "time": time(18, 0),
        "duration_minutes": 90,
        "capacity": 25,
        "audience": Audience.PUBLIC,
        "place": "cci",
        "questions": [PROJECT_QUESTION],
    }


def _club(city: str) -> dict:
    return {
        "slug": "club-soho-solo",
        "kind": EventKind.CLUB,
        "title": {
            "fr": "Club Soho Solo",
            "en": "Soho Solo Club",
            "es": "Club Soho Solo",
            "pt": "Clube Soho Solo",
        },
        "description": {
            "fr": f"Le petit-déjeuner professionnel des Solos installés, le premier vendredi du mois à {city} : "
            "se rencontrer, échanger des contacts et des conseils, accueillir les nouveaux.",
            "en": f"The professional breakfast of installed Solos, on the first Friday of the month in {city}: "
            "meet, swap contacts and tips, welcome newcomers.",
            "es": f"El desayuno profesional de los Solos instalados, el primer viernes del mes en {city}.",
            "pt": f"O pequeno-almoço profissional dos Solos instalados, na primeira sexta-feira do mês em {city}.",
        },
        "rrule": "FREQ=MONTHLY;BYDAY=1FR",
        "weekday": 4,  # Friday
        "time": time(8, 30),
        "duration_minutes": 90,
        "capacity": 20,
        "audience": Audience.MEMBERS,
        "place": "coworking",
        "questions": [],
    }


def _first_start(spec: dict, today: date) -> date:
    """The first date of the rule from today: the next such weekday, or the next month's first one."""
    if spec["rrule"].startswith("FREQ=MONTHLY"):
        day = today.replace(day=1)
        while True:
            first = day + timedelta(days=(spec["weekday"] - day.weekday()) % 7)
            if first >= today:
                return first
            day = (day + timedelta(days=32)).replace(day=1)
    return today + timedelta(days=(spec["weekday"] - today.weekday()) % 7)


def events_load_sample(*, territory: Territory, now: datetime | None = None) -> dict[str, int]:
    """Create the sample series of a sample territory (if missing) and materialise them."""
    now = now or timezone.now()
    places = PLACES.get(territory.slug)
    counts = {"series": 0, "occurrences": 0}
    if places is None:
        return counts
    tzname = territory.time_zone or "Europe/Paris"
    today = now.astimezone(ZoneInfo(tzname)).date()
    for spec in (_mercredis(places["city"]), _club(places["city"])):
        with transaction.atomic():
            series = Series.objects.filter(territory=territory, slug=spec["slug"]).first()
            if series is None:
                address, lat, lon = places[spec["place"]]
                start = datetime.combine(_first_start(spec, today), spec["time"])
                series = Series(
                    territory=territory,
                    slug=spec["slug"],
                    kind=spec["kind"],
                    rrule=spec["rrule"],
                    dtstart=from_local_naive(start, tzname),
                    timezone=tzname,
                    duration_minutes=spec["duration_minutes"],
                    capacity=spec["capacity"],
                    address=address,
                    lat=lat,
                    lon=lon,
                    audience=spec["audience"],
                    questions=spec["questions"],
                    is_published=True,
                    is_sample=True,
                )
                for code, text in spec["title"].items():
                    setattr(series, f"title_{code}", text)
                for code, text in spec["description"].items():
                    setattr(series, f"description_{code}", SAMPLE_NOTE.get(code, "") + text)
                series.save()
                counts["series"] += 1
            counts["occurrences"] += materialise(series, now=now).created
    return counts
