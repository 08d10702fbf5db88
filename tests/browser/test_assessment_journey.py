"""A BSC assessor raises a query on a submitted Initial QAD, the participant's lead answers it, and the assessor
closes it — each in a real browser, seeing what the other did."""

from __future__ import annotations

import json
import re

import pytest

from conftest import PASSWORD
from qualify.assessment.tests import journey
from tests.browser.steps import confirm_in_dialog

pytestmark = pytest.mark.browser

QUERY_TEXT = "Show how failed DIP messages are retried, with the runbook."
ANSWER_TEXT = "Failed messages are retried every five minutes from the exception queue."
NOTE = "Compare with the retry evidence Southbank sent."


def sign_in(page, live_server, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("who").wait_for()


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/accounts/login/"))


def test_assessor_raises_a_query_the_participant_answers_and_the_assessor_closes_it(page, live_server, live_cast):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    case = journey.to_initial_submitted(live_cast, live_cast.case_a)
    submission = journey.latest_submission(case)
    question = next(q for q in json.loads(submission.content)["questions"] if q["owner"] == "BSC")
    number = question["number"]

    # The BSC assessor finds the case in the review queue and raises a query on one of the BSC's questions.
    sign_in(page, live_server, "bsc@elexon.test")
    page.goto(f"{live_server.url}/assessment/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue · BSC (Elexon)")
    page.get_by_test_id("queue").get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Assessment · {case.reference}")
    raise_form = page.get_by_test_id(f"raise-{number}")
    raise_form.locator("summary").click()
    raise_form.get_by_label(f"Query on {number}").fill(QUERY_TEXT)
    raise_form.get_by_label("Internal note").fill(NOTE)
    raise_form.get_by_role("button", name="Raise query").click()
    expect(page.get_by_role("status")).to_contain_text(f"raised on {number}")
    expect(page.get_by_test_id("case-state")).to_have_text("Clarification (Initial QAD)")
    row = page.get_by_test_id("query-row")
    expect(row).to_contain_text("With the participant")
    reference = row.get_by_role("link").inner_text()
    expect(page.get_by_test_id("body-BSC")).to_contain_text("clock stopped")
    sign_out(page)

    # The participant's lead sees what it owes, opens the query (never the reviewers' note) and answers it.
    sign_in(page, live_server, "lead@northwind.test")
    page.get_by_role("link", name="Assessment", exact=True).click()
    owed = page.get_by_test_id("owed")
    expect(owed).to_contain_text(reference)
    expect(owed).to_contain_text(number)
    owed.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("quote")).to_contain_text(f"question {number}")
    expect(page.get_by_test_id("quote")).to_contain_text("Northwind Energy Ltd")
    expect(page.get_by_test_id("thread")).to_contain_text(QUERY_TEXT)
    expect(page.get_by_text(NOTE)).to_have_count(0)
    expect(page.get_by_role("button", name="Close query")).to_have_count(0)
    page.get_by_label("Answer", exact=True).fill(ANSWER_TEXT)
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("status")).to_contain_text(f"{reference} answered")
    expect(page.get_by_test_id("query-state")).to_have_text("Answered, with the reviewer")
    expect(page.get_by_role("button", name="Send answer")).to_have_count(0)
    sign_out(page)

    # The assessor reads the answer and closes the query.
    sign_in(page, live_server, "bsc@elexon.test")
    page.goto(f"{live_server.url}/assessment/queries/")
    page.get_by_test_id("query-table").get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("message-ANSWER")).to_contain_text(ANSWER_TEXT)
    expect(page.get_by_test_id("message-ANSWER")).to_contain_text("Ada Lead")
    expect(page.get_by_test_id("internal-note")).to_have_text(NOTE)
    page.get_by_label("Closing note").fill("Thank you: the runbook covers it.")
    confirm_in_dialog(page, page.get_by_role("button", name="Close query"), expect_text="can no longer answer")
    expect(page.get_by_role("status")).to_contain_text(f"{reference} closed")
    expect(page.get_by_test_id("query-state")).to_have_text("Closed")
    expect(page.get_by_test_id("message-CLOSED")).to_contain_text("Thank you: the runbook covers it.")
