"""The passport's QR code: an SVG drawn by segno, holding the absolute URL of the scan page.

The URL carries the signed token of ``tokens.passport_token``: a partner's staff member opens it with a
phone camera. It is built in the territory's default language, the language of the partners who scan
it, whatever the language the holder reads their passport in.
"""

import segno
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Passport
from .tokens import passport_token

SCAN_URL_NAME = "passports_scan:scan"


def scan_language(passport: Passport) -> str:
    """The language of the scan URL: the territory's own, if the site offers it."""
    offered = {code for code, _name in settings.LANGUAGES}
    language = passport.territory.default_language
    return language if language in offered else settings.LANGUAGE_CODE


def scan_path(passport: Passport) -> str:
    token = passport_token(passport)
    language = scan_language(passport)
    with translation.override(language):
        try:
            return reverse(SCAN_URL_NAME, args=[token])
        except NoReverseMatch:  # the scan page is not installed yet: its documented address
            return f"/{language}/passeport/scan/{token}/"


def scan_url(request, passport: Passport) -> str:
    """The absolute URL a partner's phone opens, on the host the holder uses (the territory's)."""
    return request.build_absolute_uri(scan_path(passport))


def qr_svg(url: str, *, label: str) -> SafeString:
    """An inline SVG QR code of ``url`` (no size: the stylesheet sizes it), named ``label``.

    Only presentation attributes (stroke, fill), never a style attribute: the strict CSP allows it.
    """
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="passport-qr")
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))  # noqa: S308
