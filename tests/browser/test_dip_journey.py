"""A participant's lead uploads the interface specification they hold and a zip of sample messages, and reads the
summary and the violations, at desk width and on a phone."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from qualify.dip.tests.helpers import BAD_BATCH, GOOD_BATCH, SPEC, as_json, zipped

pytestmark = pytest.mark.browser


def fits(page, width: int) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} is wider than {width} px"


def test_a_lead_uploads_a_specification_and_a_zip_and_reads_the_summary(page, live_server, live_cast, tmp_path):
    from playwright.sync_api import expect

    messages = tmp_path / "sample messages.zip"
    messages.write_bytes(
        zipped({"good.json": as_json(GOOD_BATCH), "bad.json": as_json(BAD_BATCH), "notes.txt": b"not a message"})
    )
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("lead@northwind.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/dip/")
    fits(page, 390)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_label("OpenAPI document (YAML or JSON)").set_input_files(str(SPEC))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_test_id("schema-names")).to_contain_text("ReadingBatch")
    fits(page, 390)
    page.set_viewport_size({"width": 1400, "height": 900})

    page.get_by_label("Messages (JSON files, or zips of them)").set_input_files(str(messages))
    page.get_by_role("button", name="Validate").click()
    summary = page.get_by_test_id("run-summary")
    expect(summary).to_contain_text("2 messages: 1 valid, 1 invalid")
    expect(page.get_by_test_id("skipped")).to_contain_text("notes.txt")
    expect(page.get_by_test_id("violations")).to_contain_text("$.items[2].mpid")
    fits(page, 1400)
    fits(page, 390)
