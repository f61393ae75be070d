"""`manage.py load_sample_villages` on the real Gers communes: loaded once for the module (about 10 s)."""

import datetime
from io import BytesIO, StringIO

import pytest
from auditlog.context import disable_auditlog
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from sohosolo.accounts.models import Membership, Role, User
from sohosolo.accounts.sample import accounts_load_sample
from sohosolo.connectivity.models import Connectivity
from sohosolo.housing.models import HousingOffer, HousingPhoto
from sohosolo.services.models import Category, Service
from sohosolo.territories.models import Commune, Territory
from sohosolo.territories.services import commune_at_point, communes_import_geojson, territories_load_sample
from sohosolo.villages.models import MeasuredTravelTime, Village, VillagePhoto
from sohosolo.villages.sample import villages_reset_sample
from tests.open_data import GERS_GEOJSON

pytestmark = pytest.mark.django_db

COUNTED = {
    "villages": Village.objects,
    "village photos": VillagePhoto.objects,
    "travel times": MeasuredTravelTime.objects,
    "users": User.objects,
    "memberships": Membership.objects,
    "services": Service.objects,
    "connectivity": Connectivity.objects,
    "housing": HousingOffer.objects,
    "housing photos": HousingPhoto.objects,
}


def _counts() -> dict[str, int]:
    return {name: manager.count() for name, manager in COUNTED.items()}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The sample territories, the 458 Gers communes, the sample accounts, then accounts and villages twice."""
    first, second = StringIO(), StringIO()
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        gers = next(t for t, _ in territories_load_sample() if t.slug == "gers")
        communes_import_geojson(path=GERS_GEOJSON, territory=gers)
        accounts_load_sample(password="soho-solo-exemple")
        call_command("load_sample_villages", stdout=first, stderr=StringIO())
        after_first = _counts()
        # A second `make run` loads the accounts again (committee members now also hold village roles).
        accounts_load_sample(password="soho-solo-exemple")
        call_command("load_sample_villages", stdout=second, stderr=StringIO())
        after_second = _counts()
    yield {
        "gers": gers,
        "first": first.getvalue(),
        "second": second.getvalue(),
        "after_first": after_first,
        "after_second": after_second,
    }
    with django_db_blocker.unblock(), disable_auditlog():
        HousingOffer.objects.all().delete()
        Village.objects.all().delete()
        Service.objects.all().delete()
        Membership.objects.all().delete()
        User.objects.all().delete()
        Commune.objects.all().delete()
        Territory.objects.all().delete()


def test_about_thirty_published_sample_villages_are_created_among_the_real_gers_communes(loaded):
    villages = Village.objects.filter(territory=loaded["gers"]).select_related("commune")

    assert 28 <= villages.count() <= 36
    assert {v.commune.name for v in villages} >= {"Auch", "Lectoure", "Marciac", "Isle-Jourdain", "Cazaubon"}
    for village in villages:
        assert village.is_sample and village.status == "published"
        assert village.commune.territory_id == loaded["gers"].pk
        assert village.presentation_fr.startswith("Texte d'exemple.")
        assert village.presentation_en.startswith("Sample text.")
        assert village.presentation_es.startswith("Texto de ejemplo.")
        assert village.presentation_pt.startswith("Texto de exemplo.")
        assert village.product_title_fr and village.product_text_fr.startswith("Texte d'exemple.")
        assert village.product_photo.name and village.product_photo_alt.startswith("Illustration d'exemple")
        photos = list(village.photos.all())
        assert 1 <= len(photos) <= 3
        assert all(p.alt_text.startswith("Illustration d'exemple") for p in photos)
    assert Village.objects.get(slug="auch").product_title_fr == "Le tiers-lieu"
    assert Village.objects.get(slug="marciac").product_title_fr == "Le jazz"


def test_some_villages_show_a_measured_travel_time_instead_of_the_estimate(loaded):
    auch = Village.objects.get(slug="auch")

    toulouse = next(row for row in auch.travel_times() if row["city"] == "Toulouse")

    assert (toulouse["minutes"], toulouse["measured"]) == (70, True)
    assert MeasuredTravelTime.objects.count() >= 5


def test_the_sample_committee_member_serves_three_villages_and_every_village_has_a_committee(loaded):
    gers = loaded["gers"]
    comite = User.objects.get(email="comite@gers.soho-solo.example")

    assert set(Village.objects.editable_by(comite, gers).values_list("slug", flat=True)) == {
        "auch",
        "lectoure",
        "marciac",
    }
    for village in Village.objects.filter(territory=gers):
        members = User.objects.filter(
            memberships__role=Role.COMMITTEE,
            memberships__scope_type__model="village",
            memberships__scope_id=village.pk,
        )
        assert members.exists(), village
        others = members.exclude(pk=comite.pk)
        assert others.exists() and all(u.is_sample and u.last_name == "Exemple" for u in others)
        assert all(u.emailaddress_set.filter(verified=True, primary=True).exists() for u in others)


def test_sample_committee_accounts_log_in_with_the_sample_password(loaded):
    member = User.objects.filter(is_sample=True, email__contains=".auch@").first()

    assert member is not None
    assert member.check_password("soho-solo-exemple")


def test_about_300_services_cover_every_category_each_inside_its_commune(loaded):
    services = list(Service.objects.select_related("commune"))
    today = timezone.localdate()

    assert 250 <= len(services) <= 360
    assert {s.category for s in services} == set(Category.values)
    assert all(s.is_sample for s in services)
    for service in services:
        found = commune_at_point(lon=service.lon, lat=service.lat, territory=loaded["gers"])
        assert found == service.commune, service
        assert today - datetime.timedelta(days=366) <= service.last_verified <= today
        assert (service.market_day is not None) == (service.category == Category.MARKET)
    in_villages = sum(1 for s in services if hasattr(s.commune, "village"))
    assert in_villages > len(services) / 2 and in_villages < len(services)
    assert Service.objects.get(category="train_station", commune__name="Auch").name == "Gare d'Auch"


def test_every_gers_commune_gets_sample_connectivity(loaded):
    gers = loaded["gers"]

    assert Connectivity.objects.filter(commune__territory=gers).count() == gers.communes.count() == 458
    assert not Connectivity.objects.filter(is_sample=False).exists()
    assert not Connectivity.objects.exclude(source__icontains="exemple").exists()


def test_about_sixty_housing_offers_are_public_sample_offers_with_generated_photos(loaded):
    now = timezone.now()
    offers = HousingOffer.objects.select_related("village__commune", "author").prefetch_related("photos")

    assert 50 <= offers.count() <= 75
    assert HousingOffer.objects.public().count() == offers.count()
    assert {o.kind for o in offers} == {"house", "flat", "office", "land", "premises", "takeover"}
    assert {o.transaction for o in offers} == {"rent", "sale"}
    soon = 0
    for offer in offers:
        assert offer.is_sample and offer.village.is_sample
        assert offer.description_fr.startswith("Annonce d'exemple")
        assert datetime.timedelta(days=4) < offer.expires_at - now < datetime.timedelta(days=57)
        soon += offer.expires_at - now < datetime.timedelta(days=8)
        low, high = (450, 1400) if offer.transaction == "rent" else (90_000, 450_000)
        assert low <= offer.price <= high
        # Approximate position: rounded to about a hundred metres, near the village centre.
        assert round(offer.lat, 3) == offer.lat and abs(offer.lat - offer.village.commune.lat) < 0.01
        assert offer.author.memberships.filter(role=Role.COMMITTEE, scope_id=offer.village_id).exists()
        photos = list(offer.photos.all())
        assert 1 <= len(photos) <= 3
        assert all(p.thumbnail.name and p.alt_text.startswith("Illustration d'exemple") for p in photos)
    assert soon >= 1  # a few offers are about to expire, to show the reminder and the expiry


def test_generated_housing_photos_are_jpeg_without_exif(loaded):
    photo = HousingPhoto.objects.first()

    with photo.image.open("rb") as fh:
        image = Image.open(BytesIO(fh.read()))
    assert image.format == "JPEG"
    assert not image.getexif()
    with photo.thumbnail.open("rb") as fh:
        assert max(Image.open(BytesIO(fh.read())).size) <= 480


def test_running_the_command_twice_creates_nothing_new(loaded):
    assert loaded["after_second"] == loaded["after_first"]
    lines = [line for line in loaded["second"].splitlines() if "créé(s)" in line]
    assert lines and all(" : 0 créé(s)," in line for line in lines)
    assert "Services de proximité : 0 créé(s)" in loaded["second"]
    assert "Villages : " in loaded["first"] and "Villages : 0 créé(s)" not in loaded["first"]


def test_running_it_weeks_later_renews_the_expired_sample_offers_without_duplicating_them(loaded, settings):
    settings.DEBUG = True
    total = HousingOffer.objects.count()
    stale = list(HousingOffer.objects.order_by("pk").values_list("pk", flat=True)[:3])
    HousingOffer.objects.filter(pk__in=stale[:2]).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    HousingOffer.objects.filter(pk=stale[2]).update(status="expired")  # as the expiry job would leave it
    HousingOffer.objects.filter(pk=stale[2]).update(expires_at=timezone.now() - datetime.timedelta(days=9))
    withdrawn = HousingOffer.objects.order_by("-pk").first()
    HousingOffer.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    out = StringIO()

    call_command("load_sample_villages", stdout=out, stderr=StringIO())

    assert "Offres de logement expirées, renouvelées : 3 créé(s)" in out.getvalue()
    assert HousingOffer.objects.count() == total
    assert HousingOffer.objects.public().count() == total - 1
    assert HousingOffer.objects.get(pk=withdrawn.pk).status == "withdrawn"  # a withdrawal is respected


def test_resetting_deletes_only_the_sample_villages_and_what_was_made_for_them(loaded):
    gers = loaded["gers"]
    real = Service.objects.create(
        commune=Commune.objects.get(name="Auch"),
        category="bakery",
        name="Vraie boulangerie",
        lat=43.646,
        lon=0.586,
    )

    deleted = villages_reset_sample(territory=gers)

    assert deleted["Villages"] == loaded["after_first"]["villages"]
    assert deleted["Offres de logement"] == loaded["after_first"]["housing"]
    assert not Village.objects.exists() and not HousingOffer.objects.exists()
    assert list(Service.objects.all()) == [real]
    assert not Connectivity.objects.exists()
    assert not Membership.objects.filter(scope_type__model="village").exists()
    assert not User.objects.filter(email__contains=".auch@").exists()
    # The territory's sample accounts (accounts/sample.py) and the communes stay.
    assert User.objects.filter(email="comite@gers.soho-solo.example").exists()
    assert gers.communes.count() == 458


def test_the_command_refuses_to_run_when_debug_is_off(loaded):
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_sample_villages", stdout=StringIO())
