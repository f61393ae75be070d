"""The memoized CSP middleware writes the same headers as django-csp's own, nonce or not, and leaves
responses with a per-view policy to django-csp."""

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from sohosolo.core.csp import MemoizedCSPMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def directives(header: str | None) -> dict[str, str]:
    """The policy as directive → value (django-csp orders directives as a set iterates)."""
    if header is None:
        return {}
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {part[0]: (part[1] if len(part) > 1 else "") for part in parts}


def answer(middleware_class, view, nonce: str | None):
    request = RequestFactory().get("/fr/")

    def get_response(request):
        if nonce:
            request._csp_nonce = nonce
        return view(request)

    response = middleware_class(get_response)(request)
    return response, request


def page(request):
    return HttpResponse("<p>page</p>")


@csp_update({"img-src": ["https://example.org"]})
def updated(request):
    return HttpResponse("<p>page</p>")


@csp_exempt()
def exempt(request):
    return HttpResponse("<p>page</p>")


@pytest.mark.parametrize("view", [page, updated, exempt])
@pytest.mark.parametrize("nonce", [None, "bm9uY2Utb25lLXR3by10aHI="])
def test_the_headers_are_django_csp_s_own(view, nonce):
    ours, _ = answer(MemoizedCSPMiddleware, view, nonce)
    theirs, _ = answer(CSPMiddleware, view, nonce)

    for header in HEADERS:
        assert directives(ours.get(header)) == directives(theirs.get(header))
    assert ("Content-Security-Policy" in ours) == (view is not exempt)


def test_each_response_carries_its_own_nonce():
    first, _ = answer(MemoizedCSPMiddleware, page, "Zmlyc3Qtbm9uY2UtdmFsdWU=")
    second, _ = answer(MemoizedCSPMiddleware, page, "c2Vjb25kLW5vbmNlLXZhbHVl")

    assert "'nonce-Zmlyc3Qtbm9uY2UtdmFsdWU='" in directives(first["Content-Security-Policy"])["script-src"]
    assert "'nonce-c2Vjb25kLW5vbmNlLXZhbHVl'" in directives(second["Content-Security-Policy"])["script-src"]
    assert (
        "nonce"
        not in directives(answer(MemoizedCSPMiddleware, page, None)[0]["Content-Security-Policy"])[
            "script-src"
        ]
    )


def test_a_changed_setting_is_followed():
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}},
        CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'self'"]}},
    ):
        response, _ = answer(MemoizedCSPMiddleware, page, None)
        assert response["Content-Security-Policy"] == "default-src 'none'"
        assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    response, _ = answer(MemoizedCSPMiddleware, page, None)
    assert "Content-Security-Policy-Report-Only" not in response
    assert directives(response["Content-Security-Policy"])["default-src"] == "'self'"


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get("/fr/")
    middleware = MemoizedCSPMiddleware(page)
    middleware.process_request(request)
    middleware.process_response(request, page(request))

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
