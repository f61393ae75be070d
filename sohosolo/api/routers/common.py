"""Helpers shared by the public list routers: territory filter, pagination, field errors."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError

from sohosolo.territories.models import Territory


def field_error(field: str, message: str) -> ValidationError:
    """A 422 answer that names the query parameter at fault, like ninja's own."""
    return ValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


def territory_from_slug(slug: str | None) -> Territory | None:
    if not slug:
        return None
    territory = Territory.objects.filter(slug=slug).first()
    if territory is None:
        raise field_error("territory", f"Unknown territory: {slug}")
    return territory


class PageFilters(Schema):
    territory: str | None = Field(None, description="Territory slug, e.g. gers.", max_length=50)
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=100)


def page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(request: HttpRequest, queryset: QuerySet, *, page: int, page_size: int) -> dict:
    """count/page/page_size/next/previous/items, like /api/v1/communes: one count, one page query."""
    count = queryset.count()
    start = (page - 1) * page_size
    items = list(queryset[start : start + page_size])
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "next": page_url(request, page + 1) if start + page_size < count else None,
        "previous": page_url(request, page - 1) if page > 1 else None,
        "items": items,
    }


def absolute_url(request: HttpRequest, view_name: str, *args) -> str | None:
    """The public page of an object, or None while that page does not exist yet."""
    from django.urls import NoReverseMatch, reverse

    try:
        return request.build_absolute_uri(reverse(view_name, args=args))
    except NoReverseMatch:
        return None
