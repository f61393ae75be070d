from django.contrib.auth.decorators import login_not_required

# Every view is private unless marked public with this decorator (design §2, private by default).
public = login_not_required


def territory_or_404(request):
    """The territory of the request (design §8), or 404 when the platform has none yet."""
    from django.http import Http404

    if getattr(request, "territory", None) is None:
        raise Http404("No territory is configured.")
    return request.territory
