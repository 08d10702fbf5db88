"""An administrator onboards an organisation (its Supplier participation and case in Wave 1) and invites its lead; the
lead opens the e-mailed link, sets a password and sees the case on their home; the dashboard counts it — each step
in a real browser."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from qualify.programme.tests.helpers import invitation_link
from tests.browser.test_assessment_journey import sign_in, sign_out
from tests.browser.test_deferral_journey import _fits

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a-fresh-long-passphrase-42"


def test_an_administrator_onboards_an_organisation_and_its_lead_joins_and_sees_the_case(page, live_server, live_cast):
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    sign_in(page, live_server, "admin@programme.test")
    page.get_by_text("Market", exact=True).click()  # the navigation's menu that holds the Programme's own pages
    page.get_by_role("link", name="Onboarding").click()
    page.get_by_text("Register an organisation").click()
    new = page.get_by_test_id("organisation-new")
    new.get_by_label("Name").fill("Eastfield Supply Ltd")
    new.get_by_label("Companies House number").fill("09876543")
    new.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eastfield Supply Ltd")

    page.get_by_text("Register a market participation").click()
    add = page.get_by_test_id("participation-add")
    add.get_by_label("MPID").fill("EFSU")
    add.get_by_label("Role").select_option("SUPPLIER")
    add.get_by_label("Route").select_option("QT")
    add.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("EFSU Supplier is registered")

    opening = page.get_by_test_id("case-open")
    opening.get_by_label("Wave").select_option("W1")
    opening.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("status")).to_contain_text("is open for EFSU Supplier")
    reference = page.get_by_test_id("participation-row").get_by_role("link", name="QC-").inner_text()
    _fits(page, "onboard-organisation")

    invite = page.get_by_test_id("invite")
    invite.get_by_label("Name").fill("Erin East")
    invite.get_by_label("E-mail").fill("erin@eastfield.test")
    invite.get_by_label("Role").select_option("LEAD")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("An invitation is on its way to erin@eastfield.test")
    sign_out(page)

    assert any("erin@eastfield.test" in m.to for m in mail.outbox)
    page.goto(live_server.url + invitation_link("erin@eastfield.test"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Eastfield Supply Ltd")
    _fits(page, "accept-invitation")
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password and sign in").click()
    page.wait_for_url(f"{live_server.url}{reverse('cases:home')}")
    expect(page.get_by_test_id("who")).to_contain_text("Erin East")
    expect(page.locator("main")).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("Pre-qualification submission")

    # The link was spent: opening it again is refused.
    sign_out(page)
    page.goto(live_server.url + invitation_link("erin@eastfield.test"))
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")

    # The Programme's dashboard counts the new case: three Suppliers now (the cast's two and Eastfield's), with
    # Wave 1's row linking to the list that holds it.
    sign_in(page, live_server, "admin@programme.test")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("by-role").get_by_role("row", name="Supplier")).to_contain_text("3")
    page.get_by_test_id("by-wave").get_by_role("link", name="Wave 1").first.click()
    expect(page.locator("main")).to_contain_text(reference)
