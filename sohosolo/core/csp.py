"""django-csp's middleware, with each policy built once per process instead of twice per response.

django-csp 4.0 builds the Content-Security-Policy and the report-only policy from the settings at every
response (a copy of every directive, then the string): for a short answer such as the map endpoint's,
that is more time than the answer itself. When a response carries no per-view change (no
``@csp_update``, ``@csp_replace`` or ``@csp`` decorator, nothing exempted) the policies are the same for
every response but for the nonce: this subclass builds them once with a placeholder where the nonce
goes, and puts the response's nonce in its place. Anything else, and any change of the settings
(``setting_changed``), goes back to django-csp's own code. Same headers, byte for byte (tested).
"""

import base64
import http.client as http_client
import os

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# Where a nonce goes in a policy built once, or in a page kept by a cache (sohosolo/core/*page_cache.py).
PLACEHOLDER = "csp-nonce-placeholder-9f1c"
# What a view or decorator sets on a response to change its policy: such responses take the long way.
PER_RESPONSE = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
    "_csp_exempt", "_csp_exempt_ro",
)  # fmt: skip
_built: dict[tuple[bool, bool], str] = {}


@receiver(setting_changed)
def _forget_policies(setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()


def new_nonce() -> str:
    """A fresh nonce, drawn as django-csp draws its own (16 random bytes, base64)."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def _policy(*, report_only: bool, with_nonce: bool) -> str:
    key = (report_only, with_nonce)
    if key not in _built:
        _built[key] = build_policy(nonce=PLACEHOLDER if with_nonce else None, report_only=report_only)
    return _built[key]


def _excluded(request, setting: str) -> bool:
    prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
    return request.path_info.startswith(tuple(prefixes))


class MemoizedCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        debug_page = response.status_code in (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND)
        if any(hasattr(response, name) for name in PER_RESPONSE) or (debug_page and settings.DEBUG):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        if not isinstance(nonce, str):
            nonce = None
        for header, report_only, setting in (
            (HEADER, False, "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _policy(report_only=report_only, with_nonce=nonce is not None)
            if policy and header not in response and not _excluded(request, setting):
                response[header] = policy.replace(PLACEHOLDER, nonce) if nonce else policy
        if getattr(request, "_csp_nonce", None) is None:
            # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
