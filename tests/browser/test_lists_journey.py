"""A list's column headings sort it, in a real browser: the overview's order turns round on a second click, and the
lists fit a phone (a wide table scrolls inside its card, never the page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qualify.cases.services import case_open
from qualify.core.actor import system_actor
from qualify.participants.services import organisation_create, participation_create
from tests.browser.a11y import overflow
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.browser


def test_a_column_heading_sorts_the_overview_and_the_lists_fit_a_phone(page, live_server, live_cast):
    from playwright.sync_api import expect

    system = system_actor("lists journey")
    # First by organisation name, last by case reference: the two orders differ.
    aardvark = organisation_create(actor=system, name="Aardvark Energy")
    newest = case_open(
        actor=system, participation=participation_create(actor=system, organisation=aardvark, mpid="AARD", role="MEM")
    )
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server, "admin@programme.test")
    page.wait_for_url(f"{live_server.url}/cases/")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(4)
    assert newest.reference in rows.first.inner_text()

    page.get_by_test_id("sort-case").click()
    page.wait_for_url(lambda url: "sort=case" in url)
    expect(rows.last).to_contain_text(newest.reference)
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Case")

    page.get_by_test_id("sort-case").click()
    page.wait_for_url(lambda url: "sort=-case" in url)
    expect(rows.first).to_contain_text(newest.reference)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Case")
    assert page.get_by_test_id("export-csv").get_attribute("href").endswith("sort=-case")

    page.set_viewport_size({"width": 390, "height": 844})
    lists = ("cases:list", "participants:list", "assessment:queries", "reporting:findings", "library:index")
    for name in lists:
        path = reverse(name)
        page.goto(f"{live_server.url}{path}")
        assert overflow(page) == 0, f"{path} scrolls sideways at 390 px"
