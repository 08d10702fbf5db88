"""The main pages of each role, in Chromium at 1400 px and 390 px: none scrolls sideways, none has a serious or
critical accessibility violation (axe-core), no table is wider than its card at desktop widths, and a picture of each
role's first page is kept for reviewers (``QUALIFY_SCREENSHOTS``; bin/test keeps them under ``artifacts/screenshots``).

Desktop widths 1280 px to 1920 px lay a page out alike: the content column is capped (``main``'s max-width), which
the test checks at both ends, so the tables are measured once, at 1400 px, for the whole range."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from conftest import PASSWORD
from tests.browser.a11y import axe_violations, main_width, overflow, screenshot, tables_wider_than_their_card

pytestmark = pytest.mark.browser
WIDTHS = (1400, 390)
DESKTOP = (1280, 1920)  # the range the tables must fit, laid out as at 1400 px (checked)

# Each role's pages, first its own start page; each entry: a name and how to reach it from the cast.
Pages = list[tuple[str, Callable[[Any], str]]]
PARTICIPANT: Pages = [
    ("home", lambda c: reverse("cases:home")),
    ("case", lambda c: reverse("cases:detail", args=[c.case_a.reference])),
    ("qad", lambda c: reverse("qad:case", args=[c.case_a.reference])),
    ("assessment", lambda c: reverse("assessment:case", args=[c.case_a.reference])),
    ("inbox", lambda c: reverse("notifications:inbox")),
    ("library", lambda c: reverse("library:index")),
]
ASSESSOR: Pages = [
    ("overview", lambda c: reverse("cases:list")),
    ("queue", lambda c: reverse("assessment:queue")),
    ("assessment", lambda c: reverse("assessment:case", args=[c.case_a.reference])),
    ("case", lambda c: reverse("cases:detail", args=[c.case_a.reference])),
]
ROLES: dict[str, tuple[str, Pages]] = {
    "participant-lead": ("lead@northwind.test", PARTICIPANT),
    "participant-contributor": ("contrib@northwind.test", PARTICIPANT[:3]),
    "participant-viewer": ("viewer@northwind.test", PARTICIPANT[:3]),
    "bsc-assessor": ("bsc@elexon.test", ASSESSOR),
    "rec-assessor": ("rec@recmanager.test", ASSESSOR[:2]),
    "dip-assessor": ("dip@dipmanager.test", ASSESSOR[:2]),
    "bsc-pab-member": (
        "board@pab.test",
        [("board", lambda c: reverse("assessment:board")), ("overview", lambda c: reverse("cases:list"))],
    ),
    "programme-admin": (
        "admin@programme.test",
        [
            ("overview", lambda c: reverse("cases:list")),
            ("dashboard", lambda c: reverse("reporting:dashboard")),
            ("onboarding", lambda c: reverse("programme:home")),
            ("organisations", lambda c: reverse("participants:list")),
            ("plan", lambda c: reverse("plan:plan")),
            ("lifecycle", lambda c: reverse("cases:lifecycle")),
            ("search", lambda c: reverse("search:results") + "?q=North"),
            ("bulk-gating", lambda c: reverse("gating:jobs")),
        ],
    ),
}


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_every_roles_main_pages_fit_the_window_and_pass_the_accessibility_check(browser, live_server, live_cast):
    from qualify.qad.tests.helpers import open_qad, publish_sample

    publish_sample()
    open_qad(live_cast.case_a, live_cast.actor("lead_a"))
    problems: list[str] = []
    checked_desktop_range = False
    for role, (email, pages) in ROLES.items():
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server.url, email)
        if not checked_desktop_range:  # the content column is as wide at 1280 px and at 1920 px as at 1400 px
            widths = []
            for width in (*DESKTOP, WIDTHS[0]):
                page.set_viewport_size({"width": width, "height": 900})
                widths.append(main_width(page))
            assert len(set(widths)) == 1, f"the content column changes width across {DESKTOP}: {widths}"
            checked_desktop_range = True
        for index, (name, url) in enumerate(pages):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(live_server.url + url(live_cast))
                assert response is not None and response.status == 200, f"{role} {name}: {response and response.status}"
                page.wait_for_load_state("networkidle")
                if (extra := overflow(page)) > 0:
                    problems.append(f"{role} {name} at {width} px scrolls sideways by {extra} px")
                if width == WIDTHS[0]:
                    problems += [f"{role} {name}: {line}" for line in axe_violations(page)]
                    problems += [f"{role} {name} at {width} px: {line}" for line in tables_wider_than_their_card(page)]
                if index == 0:
                    screenshot(page, f"{role}-{name}-{width}")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_navigation_fits_one_line_at_1400_px_and_folds_into_a_menu_at_390_px(browser, live_server, live_cast):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server.url, "admin@programme.test")  # the longest navigation: every staff page
    nav = page.locator("#site-nav")
    items = nav.locator(":scope > ul > li")
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
    assert len(tops) == 1, f"the navigation wraps onto {len(tops)} lines at 1400 px"
    page.get_by_text("Market", exact=True).click()
    page.get_by_role("link", name="Onboarding").click()
    assert page.url.endswith(reverse("programme:home"))

    page.set_viewport_size({"width": 390, "height": 800})
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible() and not nav.is_visible()
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert overflow(page) == 0
    context.close()


def test_an_assessor_opens_a_pdf_evidence_file_beside_the_answers(browser, live_server, live_cast):
    from playwright.sync_api import expect

    from qualify.assessment.tests import journey

    case = journey.to_initial_submitted(live_cast, live_cast.case_a)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server.url, "bsc@elexon.test")
    page.goto(live_server.url + reverse("assessment:case", args=[case.reference]))
    link = page.get_by_test_id("view-evidence").first
    expect(link).to_be_visible()
    with page.expect_response(lambda r: "/evidence/" in r.url and r.request.resource_type == "document") as shown:
        link.click()
    assert shown.value.status == 200 and shown.value.headers["content-type"] == "application/pdf"
    frame = page.frame(name="evidence-viewer")
    assert frame is not None
    frame.wait_for_url(live_server.url + (link.get_attribute("href") or "?"))  # the file opened beside the answers
    assert overflow(page) == 0
    context.close()
