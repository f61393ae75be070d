import logging
import uuid

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .decorators import public

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value written")
    cache.delete(key)


def _check_storage() -> None:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        if not default_storage.exists(name):
            raise RuntimeError("storage did not keep the file written")
    finally:
        default_storage.delete(name)


HEALTH_CHECKS = {"database": _check_database, "cache": _check_cache, "storage": _check_storage}


@public
@never_cache
def healthz(request):
    """Report the health of the database, the cache and the storage; 503 when one fails."""
    results = {}
    for name, check in HEALTH_CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
            logger.warning("healthz: %s failed: %s", name, exc)
            results[name] = "error"
    healthy = all(v == "ok" for v in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results}, status=200 if healthy else 503
    )


def _error_page(request, status: int, title: str, message: str):
    return render(
        request, "errors/error.html", {"status": status, "title": title, "message": message}, status=status
    )


@public
def bad_request(request, exception=None):
    return _error_page(request, 400, _("Requête incorrecte"), _("La requête n'a pas pu être comprise."))


@public
def permission_denied(request, exception=None):
    return _error_page(
        request, 403, _("Accès refusé"), _("Vous n'avez pas les droits nécessaires pour voir cette page.")
    )


@public
def page_not_found(request, exception=None):
    return _error_page(
        request, 404, _("Page introuvable"), _("La page demandée n'existe pas ou n'est plus disponible.")
    )


@public
def server_error(request):
    return _error_page(
        request,
        500,
        _("Erreur du serveur"),
        _("Une erreur inattendue s'est produite. L'équipe a été prévenue ; merci de réessayer plus tard."),
    )


@public
def ratelimited(request, exception=None):
    return _error_page(
        request,
        429,
        _("Trop de requêtes"),
        _(
            "Vous avez envoyé trop de requêtes en peu de temps. Merci de patienter quelques minutes avant de réessayer."
        ),
    )
