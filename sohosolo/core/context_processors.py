from django.conf import settings
from django.urls import translate_url
from django.utils.text import capfirst
from django.utils.translation import get_language_info


def site(request):
    """Expose the territory, the language switcher links and the map settings to every template."""
    path = request.get_full_path()
    # Each language is named in itself (WCAG 3.1.2: the link carries lang="<code>").
    languages = [
        {
            "code": code,
            "name": capfirst(get_language_info(code)["name_local"]),
            "url": translate_url(path, code),
        }
        for code, _name in settings.LANGUAGES
    ]
    territory = getattr(request, "territory", None)
    user = getattr(request, "user", None)
    can_see_staff_area = bool(
        user is not None and user.is_authenticated and user.has_perm("accounts.view_staff_area", territory)
    )
    return {
        "territory": territory,
        "can_see_staff_area": can_see_staff_area,
        "can_manage_team": can_see_staff_area and user.has_perm("accounts.manage_team", territory),
        # Permission names only: core must not import the apps above it.
        "can_see_my_villages": bool(
            user is not None
            and user.is_authenticated
            and user.has_perm("villages.view_my_villages", territory)
        ),
        "can_see_my_partner": bool(
            user is not None
            and user.is_authenticated
            and user.has_perm("partners.view_my_partner", territory)
        ),
        "language_links": languages,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
