from django import template

from sohosolo.services.models import Category

register = template.Library()


@register.simple_tag
def services_by_category(commune) -> list[dict]:
    """The commune's services grouped by category, in the fixed order of the list (crèche, schools…).

    Reads `commune.services.all()`, so a caller that prefetched `commune__services` runs no query.
    """
    groups: dict[str, list] = {}
    for service in sorted(commune.services.all(), key=lambda s: (s.category_rank, s.name.casefold())):
        groups.setdefault(service.category, []).append(service)
    labels = dict(Category.choices)
    return [
        {"category": category, "label": labels.get(category, category), "services": services}
        for category, services in groups.items()
    ]
