"""Irreversible steps ask before acting, in a real browser: pressing the step's button opens a dialog that says what
will happen; going back from it changes nothing; only "Yes" takes the step. Walked over the steps the cast reaches:
submitting a pre-qualification and withdrawing a case (participant's lead), revoking an API token (destructive, in
red), publishing a QAD version (Programme)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tests.browser.test_assessment_journey import sign_in, sign_out

pytestmark = pytest.mark.browser


def ask_and_go_back(page: Any, button: Any, says: str, unchanged: Callable[[], bool]) -> Any:
    """Press the button: the dialog says what will happen; "Go back" closes it and nothing has changed."""
    from playwright.sync_api import expect

    button.click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(says)
    dialog.get_by_role("button", name="Go back").click()
    expect(dialog).to_be_hidden()
    page.reload()
    assert unchanged(), "the step was taken although the person went back"
    return dialog


def test_each_irreversible_step_asks_in_a_dialog_and_going_back_changes_nothing(page, live_server, live_cast):
    from playwright.sync_api import expect

    from qualify.accounts.models import ApiToken
    from qualify.accounts.services import api_token_create
    from qualify.cases.models import QualificationCase
    from qualify.core.actor import system_actor
    from qualify.qad.models import QadVersion
    from qualify.qad.services import qad_version_load
    from qualify.qad.tests.helpers import SAMPLE
    from qualify.testing.tests.helpers import prequalify

    expect.set_options(timeout=15_000)
    case = live_cast.case_a
    prequalify(case, submit=False)
    token = api_token_create(actor=system_actor(), user=live_cast.user("lead_a"), name="ERP link").token
    qad_version_load(actor=system_actor("tests"), text=SAMPLE.read_text(encoding="utf-8"), source_name="sample")

    def state() -> str:
        return str(QualificationCase.objects.get(pk=case.pk).state)

    sign_in(page, live_server, "lead@northwind.test")
    page.goto(live_server.url + reverse("cases:detail", args=[case.reference]))
    submit = page.get_by_test_id("step-submit_prequalification").get_by_role("button")
    ask_and_go_back(page, submit, "can no longer be changed", lambda: state() == "DRAFT")

    withdraw = page.get_by_test_id("step-withdraw")
    withdraw.get_by_label("Reason (required)").fill("Leaving the market.")
    dialog = ask_and_go_back(page, withdraw.get_by_role("button"), "closed for good", lambda: state() == "DRAFT")
    assert "danger" in (page.get_by_test_id("step-withdraw").get_by_role("button").get_attribute("class") or "")

    page.goto(live_server.url + reverse("accounts:tokens"))
    revoke = page.get_by_role("button", name="Revoke")
    assert "danger" in (revoke.get_attribute("class") or "")  # destructive steps look different
    revoke.click()
    expect(dialog).to_contain_text("refused from now on")
    assert "danger" in (dialog.locator("[data-confirm-go]").get_attribute("class") or "")
    dialog.get_by_role("button", name="Go back").click()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None

    # Saying yes takes the step.
    page.reload()
    page.get_by_role("button", name="Revoke").click()
    dialog.get_by_role("button", name="Yes", exact=False).click()
    expect(page.get_by_role("status")).to_contain_text("revoked")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    sign_out(page)

    sign_in(page, live_server, "admin@programme.test")
    page.goto(live_server.url + reverse("qad:version_detail", args=["3.2"]))
    ask_and_go_back(
        page,
        page.get_by_test_id("publish"),
        "can never change",
        lambda: QadVersion.objects.get(version="3.2").published_at is None,
    )
