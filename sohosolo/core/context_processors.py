from django.conf import settings
from django.urls import translate_url


def site(request):
    """Expose the territory, the language switcher links and the map settings to every template."""
    path = request.get_full_path()
    languages = [
        {"code": code, "name": name, "url": translate_url(path, code)} for code, name in settings.LANGUAGES
    ]
    return {
        "territory": getattr(request, "territory", None),
        "language_links": languages,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
