from datetime import time

from django.core.cache import cache
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from sohosolo.core.text import search_key

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Une couleur au format #RRGGBB est attendue."))


# The open data names days in French; show them in the reader's language.
DAY_NAMES = {
    "lundi": _("lundi"),
    "mardi": _("mardi"),
    "mercredi": _("mercredi"),
    "jeudi": _("jeudi"),
    "vendredi": _("vendredi"),
    "samedi": _("samedi"),
    "dimanche": _("dimanche"),
}


def figures_cache_key(territory_id: int) -> str:
    return f"territories:figures:{territory_id}:v1"


class Territory(models.Model):
    """The area a programme serves: its communes, staff, languages and branding."""

    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=120)
    hostnames = models.JSONField(
        _("noms d'hôte"), default=list, blank=True, help_text=_("Noms de domaine qui servent ce territoire.")
    )
    description = models.TextField(_("description"), blank=True)
    languages = models.JSONField(_("langues proposées"), default=list, blank=True)
    default_language = models.CharField(_("langue par défaut"), max_length=8, default="fr")
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")
    colour = models.CharField(_("couleur"), max_length=7, default="#1f5c3d", validators=[hex_colour])
    logo = models.ImageField(_("logo"), upload_to="territories/logos/", blank=True)
    yearly_goal_families = models.PositiveIntegerField(
        _("objectif annuel de familles installées"), default=0, validators=[MinValueValidator(0)]
    )
    main_cities = models.JSONField(
        _("villes principales"),
        default=list,
        blank=True,
        help_text=_('Liste de {"name": …, "lat": …, "lon": …} pour les temps de trajet.'),
    )
    travel_detour_factor = models.FloatField(
        _("coefficient de détour"),
        default=1.3,
        validators=[MinValueValidator(1.0)],
        help_text=_("Distance routière estimée = distance à vol d'oiseau × ce coefficient."),
    )
    travel_speed_kmh = models.FloatField(
        _("vitesse moyenne (km/h)"), default=70, validators=[MinValueValidator(10)]
    )
    is_sample = models.BooleanField(
        _("donnée d'exemple"), default=False, help_text=_("Affiche la mention « Donnée d'exemple ».")
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.hostnames = sorted({h.strip().lower() for h in self.hostnames if h.strip()})
        super().save(*args, **kwargs)

    def cached_figures(self) -> dict:
        """The key figures, cached: they change only when communes are imported."""
        key = figures_cache_key(self.pk)
        figures = cache.get(key)
        if figures is None:
            figures = self.figures()
            cache.set(key, figures, 3600)
        return figures

    def figures(self) -> dict:
        """Key figures computed from the real commune data."""
        agg = self.communes.aggregate(
            communes=Count("id"), population=Sum("population"), area=Sum("area_km2")
        )
        epcis = self.communes.exclude(epci_code="").values("epci_code").distinct().count()
        area = agg["area"] or 0
        population = agg["population"] or 0
        return {
            "communes": agg["communes"],
            "population": population,
            "area_km2": round(area),
            "density": round(population / area) if area else None,
            "epcis": epcis,
        }


class CommuneQuerySet(models.QuerySet):
    def of_territory(self, territory: Territory) -> "CommuneQuerySet":
        return self.filter(territory=territory)

    def search(self, query: str) -> "CommuneQuerySet":
        """Accent-, case- and punctuation-insensitive search on the name or a postcode."""
        key = search_key(query)
        if not key:
            return self
        if key.isdigit():
            return self.filter(models.Q(postcodes__icontains=key) | models.Q(code__startswith=key))
        return self.filter(search_name__contains=key)

    def containing_bbox(self, lon: float, lat: float) -> "CommuneQuerySet":
        return self.filter(min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat)


class Commune(models.Model):
    """An official municipality, keyed by (country, official code): the INSEE code in France."""

    country = models.CharField(_("pays"), max_length=2, default="FR")
    code = models.CharField(_("code officiel"), max_length=12)
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), related_name="communes", on_delete=models.PROTECT, null=True
    )
    name = models.CharField(_("nom"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    departement = models.CharField(_("département"), max_length=3, blank=True, db_index=True)
    postcodes = models.JSONField(_("codes postaux"), default=list, blank=True)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    epci_code = models.CharField(_("code de l'intercommunalité"), max_length=12, blank=True, db_index=True)
    epci_name = models.CharField(_("intercommunalité"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude du centre"))
    lon = models.FloatField(_("longitude du centre"))
    boundary = models.JSONField(_("contour (GeoJSON)"), null=True, blank=True)
    min_lat = models.FloatField(null=True, editable=False)
    max_lat = models.FloatField(null=True, editable=False)
    min_lon = models.FloatField(null=True, editable=False)
    max_lon = models.FloatField(null=True, editable=False)
    area_km2 = models.FloatField(_("superficie (km²)"), null=True, blank=True)
    townhall_address = models.CharField(_("adresse de la mairie"), max_length=300, blank=True)
    townhall_lat = models.FloatField(_("latitude de la mairie"), null=True, blank=True)
    townhall_lon = models.FloatField(_("longitude de la mairie"), null=True, blank=True)
    townhall_phone = models.CharField(_("téléphone de la mairie"), max_length=40, blank=True)
    townhall_email = models.EmailField(_("e-mail de la mairie"), blank=True)
    townhall_website = models.URLField(_("site de la mairie"), max_length=300, blank=True)
    townhall_opening_hours = models.JSONField(_("horaires de la mairie"), default=list, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["search_name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="commune_country_code_unique")
        ]
        indexes = [models.Index(fields=["territory", "search_name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_name = search_key(self.name)
        if self.boundary:
            self.min_lon, self.min_lat, self.max_lon, self.max_lat = shape(self.boundary).bounds
        else:
            self.min_lon = self.max_lon = self.lon
            self.min_lat = self.max_lat = self.lat
        super().save(*args, **kwargs)

    @property
    def density(self) -> int | None:
        if self.population and self.area_km2:
            return round(self.population / self.area_km2)
        return None

    def opening_hours_display(self) -> list[dict]:
        """Town-hall hours as [{"first": day, "last": day, "slots": [(open, close), …]}], days translated."""
        rows = []
        for row in self.townhall_opening_hours or []:
            if len(row) != 3:
                continue
            try:
                slots = [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in row[2]]
            except (TypeError, ValueError):
                continue
            rows.append(
                {
                    "first": DAY_NAMES.get(row[0], row[0]),
                    "last": DAY_NAMES.get(row[1], row[1]),
                    "slots": slots,
                }
            )
        return rows
