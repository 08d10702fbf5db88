"""A board defers a case at its meeting; the Programme moves it to a later wave and resumes it from the case page,
and it is awaiting that board's decision again, its work kept — each step confirmed in a real browser."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from qualify.assessment.tests import journey
from qualify.core.actor import system_actor
from qualify.plan.services import wave_upsert
from tests.browser.steps import confirm_in_dialog
from tests.browser.test_assessment_journey import sign_in, sign_out

pytestmark = pytest.mark.browser

WIDTHS = (1400, 390)


def _fits(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The page has no sideways scrolling at a desktop and a phone width (screenshots on request)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        if os.environ.get("QUALIFY_SCREENSHOTS"):
            page.screenshot(path=f"{os.environ['QUALIFY_SCREENSHOTS']}/{name}-{width}.png", full_page=True)
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth)"
            ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} overflows at {width}px: {wide}"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_board_defers_and_the_programme_resumes_the_case_where_it_was(page, live_server, live_cast):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    case = journey.to_initial_submitted(live_cast, live_cast.case_a)
    case = journey.to_testing(live_cast, case)
    case = journey.to_final_submitted(live_cast, case)
    case = journey.to_awaiting_approval(live_cast, case)
    journey.table(live_cast, case, "REC")
    meeting = journey.meeting(live_cast, "REC")

    # The REC Code Manager's decision-maker records its deferral; the form will not go without the confirmation.
    sign_in(page, live_server, "decider@recmanager.test")  # the REC Code Manager's own decision-maker
    page.goto(live_server.url + reverse("assessment:meeting", args=[meeting.reference]))
    _fits(page, "meeting")
    form = page.get_by_test_id(f"decide-{case.reference}")
    form.get_by_label("Outcome").select_option("DEFER")
    form.get_by_label("Minutes").fill("Not ready for this wave; the next one.")
    # The step asks first, in a dialog that says what will happen; going back leaves the case as it was.
    form.get_by_role("button", name="Record decision").click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("I confirm this decision")
    dialog.get_by_role("button", name="Go back").click()
    expect(dialog).to_be_hidden()
    assert journey.fresh(case).state == "AWAITING_APPROVAL"
    confirm_in_dialog(page, form.get_by_role("button", name="Record decision"))
    expect(page.get_by_role("status")).to_contain_text("Defer")
    assert journey.fresh(case).state == "DEFERRED"
    sign_out(page)

    wave_upsert(actor=system_actor("browser test"), code="W2", name="Wave 2", sequence=2)
    sign_in(page, live_server, "admin@programme.test")
    page.goto(live_server.url + reverse("cases:detail", args=[case.reference]))
    expect(page.get_by_test_id("resumes-to")).to_contain_text("Awaiting approval")
    expect(page.get_by_test_id("resumes-to")).to_contain_text("after Wave 1")
    _fits(page, "case-deferred")
    page.locator("select[name=wave]").select_option("W2")
    page.locator("input[name=reason]").fill("Deferred by the REC Code Manager.")
    page.get_by_role("button", name="Set wave").click()
    expect(page.get_by_role("status")).to_contain_text("Wave 2")
    step = page.get_by_test_id("step-resume")
    expect(step.get_by_test_id("resume-target")).to_contain_text("Awaiting approval")
    step.get_by_label("Reason").fill("Wave 2 opens.")
    confirm_in_dialog(
        page, step.get_by_role("button", name="Resume in the new wave"), expect_text="I have checked the new wave"
    )
    expect(page.get_by_test_id("case-state")).to_have_text("Awaiting approval")
    _fits(page, "case-resumed")
