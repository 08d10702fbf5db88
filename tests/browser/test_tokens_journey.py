"""A programme administrator makes a read-only API token on the tokens page, sees it listed in words beside the
market system's token, and revokes it after confirming in the dialog (issue 16) — at a desktop and a phone width."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qualify.accounts.models import ApiToken, TokenScope
from qualify.accounts.services import api_token_create
from qualify.core.actor import system_actor
from tests.browser.a11y import axe_violations, overflow, screenshot
from tests.browser.steps import confirm_in_dialog
from tests.browser.test_assessment_journey import sign_in

pytestmark = pytest.mark.browser


def test_an_administrator_makes_a_read_only_token_and_revokes_it_after_confirming(page, live_server, live_cast):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    page.set_default_navigation_timeout(30_000)  # the live server's first answer, on a busy machine
    machine = api_token_create(
        actor=system_actor(), user=live_cast.user("machine"), name="registration", scope=TokenScope.REGISTER_GATING
    )
    sign_in(page, live_server, "admin@programme.test")
    page.goto(live_server.url + reverse("accounts:tokens"))
    form = page.get_by_test_id("token-create")
    form.get_by_label("Token name").fill("nightly report")
    form.get_by_label("Read only", exact=False).check()
    expect(form.get_by_label("Expires after").locator("option")).to_have_text(["30 days", "90 days", "1 year"])
    form.get_by_label("Expires after").select_option(label="30 days")
    form.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("token-secret")).to_contain_text("qfy_")
    mine = page.get_by_test_id("token-row").filter(has_text="nightly report")
    expect(mine).to_contain_text("Read only")
    expect(mine).to_contain_text("never used")
    theirs = page.get_by_test_id("token-row").filter(has_text=machine.token.prefix)
    expect(theirs).to_contain_text("Register and gating only")
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"tokens-{width}")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > innerWidth)"
            ".map(e => e.tagName + '.' + e.className).slice(0, 6)"
        )
        assert overflow(page) == 0, f"the tokens page scrolls sideways at {width} px: {wide}"
    page.set_viewport_size({"width": 1400, "height": 900})
    assert axe_violations(page) == []

    # Revoking asks first: going back keeps the token; saying yes revokes it.
    mine.get_by_role("button", name="Revoke").click()
    dialog = page.locator("dialog.confirm-dialog")
    expect(dialog).to_contain_text("cannot be used again")
    dialog.get_by_role("button", name="Go back").click()
    assert ApiToken.objects.get(name="nightly report").revoked_at is None
    confirm_in_dialog(page, mine.get_by_role("button", name="Revoke"), expect_text="nightly report")
    expect(page.locator(".messages")).to_contain_text("revoked")
    assert ApiToken.objects.get(name="nightly report").state == "revoked"
    expect(page.get_by_test_id("token-row").filter(has_text="nightly report")).to_contain_text("revoked")
