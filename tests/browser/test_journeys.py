"""What a participant and a programme administrator see, through the browser."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from qualify.testing.tests.helpers import prequalify
from tests.browser.steps import confirm_in_dialog

pytestmark = pytest.mark.browser


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_participant_sees_only_its_own_cases_and_what_to_do_next(page, live_server, live_cast):
    prequalify(live_cast.case_a, submit=False)  # the form the step needs (qualify/testing)
    sign_in(page, live_server, "lead@northwind.test")
    page.wait_for_url(f"{live_server.url}/")
    cards = page.get_by_test_id("case-card")
    assert cards.count() == 2
    assert "Submit your pre-qualification" in cards.first.inner_text()
    assert "Southbank" not in page.content()

    # take the next step from the case page and see it in the history
    page.get_by_role("link", name=re.compile("NWEN")).click()
    confirm_in_dialog(page, page.get_by_test_id("step-submit_prequalification").get_by_role("button"))
    assert page.get_by_test_id("case-state").inner_text() == "Pre-qualification submitted"
    assert "Ada Lead" in page.get_by_test_id("history").inner_text()

    # another organisation's case is simply not there
    response = page.goto(f"{live_server.url}/cases/{live_cast.case_b.reference}/")
    assert response.status == 404


def test_a_code_body_assessor_filters_the_overview_and_scopes_a_case_with_a_reason(page, live_server, live_cast):
    # Scope is confirmed by the Code Bodies (DOMAIN.md §10a), not by the Programme alone.
    sign_in(page, live_server, "rec@recmanager.test")
    page.wait_for_url(f"{live_server.url}/cases/")
    assert page.get_by_test_id("case-row").count() == 3
    assert page.get_by_test_id("case-total").inner_text() == "3"

    # htmx swaps the table when a filter changes, and the URL follows
    page.get_by_label("Route").select_option("SIT")
    # (waits through locators and the URL: the CSP refuses the eval a string wait_for_function needs)
    from playwright.sync_api import expect

    expect(page.get_by_test_id("case-row")).to_have_count(1)
    page.wait_for_url(lambda url: "route=SIT" in url)
    assert "NWMS" in page.get_by_test_id("case-row").inner_text()

    page.get_by_role("link", name=live_cast.case_a_mem.reference).click()
    step = page.get_by_test_id("step-scope")
    step.get_by_label("Reason (required)").fill("SIT evidence accepted; scope confirmed at QWG")
    step.get_by_role("button").click()
    assert page.get_by_test_id("case-state").inner_text() == "Scoped"
    assert "SIT evidence accepted" in page.get_by_test_id("history").inner_text()


def test_programme_admin_pages_through_the_overview_keeping_the_filter(page, live_server, live_cast):
    from playwright.sync_api import expect

    from qualify.cases.tests.helpers import more_cases

    more_cases(75)  # 50 of them suppliers, plus the cast's two
    sign_in(page, live_server, "admin@programme.test")
    page.wait_for_url(f"{live_server.url}/cases/")
    rows = page.get_by_test_id("case-row")
    expect(rows).to_have_count(50)
    page.get_by_label("Role").select_option("SUPPLIER")
    page.wait_for_url(lambda url: "role=SUPPLIER" in url)
    expect(page.get_by_test_id("case-total")).to_have_text("52")
    first_page = rows.first.inner_text()
    page.get_by_role("link", name="Next →").click()  # htmx swaps the table; the URL follows
    expect(rows).to_have_count(2)
    page.wait_for_url(lambda url: "cursor=" in url)
    assert "role=SUPPLIER" in page.url
    assert all("Supplier" in rows.nth(i).inner_text() for i in range(2))
    page.reload()  # the pushed URL is a real page
    expect(rows).to_have_count(2)
    page.get_by_role("link", name="← Previous").click()
    expect(rows).to_have_count(50)
    assert rows.first.inner_text() == first_page
    expect(page.get_by_role("link", name="← Previous")).to_have_count(0)


def test_sign_in_failure_says_so_without_revealing_which_part_was_wrong(page, live_server, live_cast):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("lead@northwind.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    message = page.get_by_role("alert").inner_text().lower()
    assert "enter a correct email and password" in message
