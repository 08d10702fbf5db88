"""The Programme loads a QT test catalogue, sees its problems by line, publishes it once baselined (confirming),
and a participant reads it by role on a phone-sized screen, in a real browser."""

from __future__ import annotations

import os

import pytest

from conftest import PASSWORD
from qualify.testing.tests.helpers import library_version, sample_text
from tests.browser.steps import confirm_in_dialog

pytestmark = pytest.mark.browser
# Set to a folder to keep screenshots of each page at both widths (for a person to look at).
SHOTS = os.environ.get("QUALIFY_SCREENSHOTS", "")


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _fits(page, width: int, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1400, 390])
def test_the_programme_publishes_a_catalogue_and_a_participant_reads_it_by_role(
    browser, live_server, live_cast, tmp_path, width
):
    from playwright.sync_api import expect

    bad = tmp_path / "catalogue-bad.yaml"
    bad.write_text(sample_text().replace("batch: MIGRATION", "batch: MIGRATON", 1), encoding="utf-8")
    good = tmp_path / "catalogue.yaml"
    good.write_text(sample_text(), encoding="utf-8")
    library_version("1.0")

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "admin@programme.test")
        page.wait_for_url(f"{live_server.url}/**")
        page.goto(f"{live_server.url}/testing/catalogues/")
        page.get_by_label("Test catalogue file (YAML, JSON or Excel)").set_input_files(str(bad))
        page.get_by_role("button", name="Validate and load").click()
        expect(page.get_by_test_id("file-problems")).to_contain_text("'MIGRATON' is not one of the batches listed")
        _fits(page, width, "catalogue-problems")
        page.get_by_label("Test catalogue file (YAML, JSON or Excel)").set_input_files(str(good))
        page.get_by_role("button", name="Validate and load").click()
        expect(page.get_by_role("status")).to_contain_text("Test catalogue v1.0 loaded as a draft.")
        confirm_in_dialog(page, page.get_by_test_id("publish"), expect_text="can never be changed")
        expect(page.get_by_test_id("published")).not_to_contain_text("Draft")
        expect(page.get_by_test_id("artefact")).to_contain_text("MHHS-DEL9001 v1.0")
        _fits(page, width, "catalogue-admin")
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, "viewer@northwind.test")
        page.wait_for_url(f"{live_server.url}/**")
        page.goto(f"{live_server.url}/testing/catalogues/")
        page.get_by_role("link", name="v1.0").click()
        page.get_by_label("Role").select_option("MEM")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_test_id("case-total")).to_have_text("13")
        expect(page.get_by_role("heading", name="Functional 1: registration and appointments")).to_be_visible()
        expect(page.get_by_test_id("publish")).to_have_count(0)
        _fits(page, width, "catalogue-mem")
        page.goto(f"{live_server.url}/testing/catalogues/1.0/?page=2")
        expect(page.get_by_test_id("case-pager")).to_contain_text("Page 2 of 2")
        _fits(page, width, "catalogue-page-2")
    finally:
        context.close()
