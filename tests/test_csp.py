"""A Content-Security-Policy on every response, and pages that keep to it (issue 14).

The pages sampled are every page whose address has no parameters (read from the URL configuration, so a new page is
sampled without being listed here), the API's documentation and JSON, the register's hot read, a case's own page and
a 404, each as a member of staff and as a participant. A page keeps to the policy when it has no inline event handler
(``onclick=``), no ``style=`` attribute and no inline ``<script>`` without the response's nonce.
"""

from __future__ import annotations

import re

import pytest
from csp.middleware import CSPMiddleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""type\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)


def _plain_paths(resolver: URLResolver, prefix: str = "") -> list[str]:
    paths: list[str] = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if "<" in route or "(?P" in route:
            continue
        if isinstance(pattern, URLResolver):
            paths.extend(_plain_paths(pattern, route))
        elif isinstance(pattern, URLPattern):
            paths.append("/" + route.lstrip("^").rstrip("$"))
    return paths


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def _keeps_to_the_policy(path: str, response: HttpResponse) -> None:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{path} has no Content-Security-Policy"
    policy = _directives(header)
    assert policy["default-src"] == ["'self'"], path
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"], path
    assert "'unsafe-inline'" not in policy.get("style-src", []), path
    if "text/html" not in response.headers.get("Content-Type", ""):
        return
    html = response.content.decode()
    assert not HANDLER.search(html), f"{path} has an inline event handler"
    assert not STYLE_ATTRIBUTE.search(html), f"{path} has a style attribute"
    nonces = [word for word in policy["script-src"] if word.startswith("'nonce-")]
    for attributes in SCRIPT.findall(html):
        if "src=" in attributes or DATA_BLOCK.search(attributes):
            continue
        assert nonces, f"{path} has an inline script but the policy names no nonce"
        nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
        assert f'nonce="{nonce}"' in attributes, f"{path}: an inline script without the nonce"


@pytest.mark.parametrize("who", ["admin", "lead_a"])
def test_every_sampled_response_has_the_policy_and_keeps_to_it(cast, client_for, who):
    client = client_for(who)
    paths = [
        *_plain_paths(get_resolver()),
        reverse("cases:detail", args=[cast.case_a.reference]),
        "/no-such-page/",
    ]
    assert len(paths) > 40  # the URL configuration was read
    for path in paths:
        _keeps_to_the_policy(path, client.get(path))


def test_an_anonymous_visitor_and_an_api_client_get_it_too(client, cast, token_for):
    _keeps_to_the_policy("/accounts/login/", client.get("/accounts/login/"))
    response = client.get("/api/v1/cases", **token_for("admin"))
    assert response.status_code == 200
    _keeps_to_the_policy("/api/v1/cases", response)
    # The register's hot read answers ahead of the middleware (qualify/register/hot.py) and sets the header itself.
    hot = client.get("/api/v1/register/NWEN/SUPPLIER", **token_for("admin"))
    assert hot.status_code == 200
    _keeps_to_the_policy("the hot read", hot)


@pytest.mark.django_db
def test_an_inline_script_carries_the_nonce_the_header_names():
    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">let x = 1;</script>')

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(template.render({}, request))

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = CSPMiddleware(view)(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode())
    assert nonce is not None and len(nonce[1]) >= 16
    assert f"'nonce-{nonce[1]}'" in _directives(response.headers["Content-Security-Policy"])["script-src"]
