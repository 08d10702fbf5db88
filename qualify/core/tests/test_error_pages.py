"""The error pages look like the site (navigation, a way back) with DEBUG off, in every settings module that the
tests run; the API keeps its JSON error shape under /api/; the favicon answers."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from qualify.core.glossary import GLOSSARY

pytestmark = pytest.mark.django_db


def _nav_and_way_back(html: str) -> None:
    assert 'aria-label="Main"' in html  # the site's navigation
    assert 'data-testid="way-back"' in html
    assert f'href="{reverse("cases:home")}"' in html
    assert "Traceback" not in html and "technical" not in html.lower()


@override_settings(DEBUG=False)
def test_a_missing_page_is_the_sites_404_with_navigation(client_for):
    response = client_for("lead_a").get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    _nav_and_way_back(html)
    assert "We could not find that page" in html


@override_settings(DEBUG=False)
def test_a_case_of_another_organisation_is_the_same_404_page(cast, client_for):
    response = client_for("lead_b").get(reverse("cases:detail", args=[cast.case_a.reference]))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_page_for_staff_only_is_the_sites_403_with_navigation(client_for):
    response = client_for("lead_a").get(reverse("gating:jobs"))
    assert response.status_code == 403
    html = response.content.decode()
    _nav_and_way_back(html)
    assert "You cannot open this page" in html


@override_settings(DEBUG=False)
def test_a_form_without_its_csrf_token_is_the_sites_403_page(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.user("lead_a"))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    html = response.content.decode()
    _nav_and_way_back(html)
    assert "That form could not be sent" in html


@override_settings(DEBUG=False)
def test_a_bad_request_is_the_sites_400_page(client_for):
    response = client_for("lead_a").get("/", HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    html = response.content.decode()
    _nav_and_way_back(html)
    assert "could not be understood" in html


@override_settings(DEBUG=False, ROOT_URLCONF="qualify.core.tests.error_urls")
def test_a_crash_is_the_self_contained_500_page(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.user("lead_a"))
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    _nav_and_way_back(html)
    assert "Something went wrong on our side" in html
    assert "a bug, on purpose" not in html  # the error itself is logged, never shown


@override_settings(DEBUG=False)
def test_an_unknown_api_path_answers_the_apis_json_error(token_for):
    response = Client().get("/api/v1/no-such-endpoint", headers=token_for("lead_a"))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
    assert set(response.json()["error"]) == {"code", "message", "details"}


@override_settings(DEBUG=False, ROOT_URLCONF="qualify.core.tests.error_urls")
def test_a_crash_under_the_api_answers_the_apis_json_error():
    response = Client(raise_request_exception=False).get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "server_error", "message": "Something went wrong on our side.", "details": {}}
    }


def test_the_favicon_answers_at_the_root_and_is_linked_from_every_page(client_for):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client_for("lead_a").get(reverse("cases:home")).content.decode()


def test_the_glossary_explains_every_term_the_issue_names_under_its_own_anchor():
    html = Client().get(reverse("core:glossary")).content.decode()
    for slug in ["mpid", "qad", "pit", "sit", "qt", "rttm", "tcr", "pab", "qag", *[f"m{n}" for n in range(10, 17)]]:
        assert f'id="{slug}"' in html
    assert len({t.slug for t in GLOSSARY}) == len(GLOSSARY)
