import re

import pytest

from tests.open_data import AUCH

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "",
    "communes/",
    f"communes/{AUCH}/",
    "mentions-legales/",
    "confidentialite/",
    "accessibilite/",
]


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_visitor_can_read_every_public_page_in_french_and_english(client, gers_communes, lang, path):
    response = client.get(f"/{lang}/{path}")

    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()
    assert response.headers["Content-Language"] == lang


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_a_strict_content_security_policy_with_a_script_nonce(
    client, gers_communes, path
):
    response = client.get(f"/fr/{path}")

    header = response.headers["Content-Security-Policy"]
    directives = csp_directives(response)
    nonces = [v for v in directives["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag or 'type="application/json"' in tag


def test_each_response_gets_a_fresh_nonce(client, gers_communes):
    first = csp_directives(client.get("/fr/"))["script-src"]
    second = csp_directives(client.get("/fr/"))["script-src"]

    assert first != second


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_the_french_footer_credits_the_open_data_sources(client, gers_communes, path):
    response = client.get(f"/fr/{path}")

    assert "Sources : INSEE, IGN, DILA, La Poste" in response.content.decode()


def test_the_pages_forbid_framing_and_sniffing(client, gers_communes):
    response = client.get("/fr/")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=(self)" in response.headers["Permissions-Policy"]


def test_the_home_page_shows_the_territory_figures_from_the_communes(client, gers_communes):
    response = client.get("/fr/")

    figures = response.context["figures"]
    assert figures["communes"] == 40
    assert figures["epcis"] >= 2
    assert f"<div><dt>Communes</dt><dd>{figures['communes']}</dd></div>" in response.content.decode()


def test_the_sample_territory_description_is_labelled_as_sample_data(client, gers_communes):
    response = client.get("/fr/")

    body = response.content.decode()
    assert "Le Gers accueille les indépendants" in body
    assert '<span class="sample-badge">Donnée d\'exemple</span>' in body


def test_a_real_territory_description_carries_no_sample_label(client, gers_communes):
    gers_communes.is_sample = False
    gers_communes.save()

    response = client.get("/fr/")

    assert "sample-badge" not in response.content.decode()
    assert "Le Gers accueille les indépendants" in response.content.decode()


def test_the_root_url_redirects_to_the_french_home_page(client, gers_communes):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_the_home_page_links_to_each_language_version(client, gers_communes):
    body = client.get("/fr/").content.decode()

    for lang in ("fr", "en", "es", "pt"):
        assert f'<link rel="alternate" hreflang="{lang}" href="http://testserver/{lang}/">' in body


def test_robots_txt_keeps_crawlers_out_of_the_staff_area(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert "Disallow: /*/suivi/" in response.content.decode()
