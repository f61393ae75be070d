from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sohosolo.core.decorators import public
from sohosolo.core.page_cache import cache_for_anonymous


@public
@require_safe
@cache_for_anonymous(300)
def home(request):
    territory = request.territory
    if territory is None:
        raise Http404("No territory is configured.")
    return render(request, "content/home.html", {"figures": territory.cached_figures()})


def _static_page(template: str):
    @public
    @require_safe
    @cache_for_anonymous(3600)
    def view(request):
        return render(request, template)

    return view


legal_notice = _static_page("content/legal_notice.html")
privacy = _static_page("content/privacy.html")
accessibility = _static_page("content/accessibility.html")


@public
@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /suivi/", "Disallow: /admin/", "Disallow: /*/suivi/", "Allow: /"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
