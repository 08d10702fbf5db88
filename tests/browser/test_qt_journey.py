"""Qualification Testing in a real browser: a participant's lead imports a JUnit report, sees the progress, adds
evidence to the failed case, records a defect that gets a work-off plan, and generates the Test Completion Report;
a BSC assessor raises the work-off finding, agrees the plan and accepts the runs."""

from __future__ import annotations

import os

import pytest

from conftest import PASSWORD
from tests.browser.steps import confirm_in_dialog

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("QUALIFY_SCREENSHOTS", "")


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/**")


def _fits(page, width: int, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_lead_runs_qualification_testing_and_an_assessor_accepts_the_runs(browser, live_server, live_cast, tmp_path):
    from playwright.sync_api import expect

    from qualify.qad.tests.helpers import publish_sample as publish_qad
    from qualify.testing.tests.helpers import publish_sample, scoped
    from qualify.testing.tests.import_helpers import in_testing, junit_file

    publish_qad()
    publish_sample()
    case = live_cast.case_a
    required = list(scoped(in_testing(case)).required)
    ran, failed = required[:5], required[1]
    report = tmp_path / "qt-run.xml"
    report.write_bytes(junit_file(*ran, failed=failed))
    evidence = tmp_path / "failure-log.txt"
    evidence.write_text("12:04 acknowledgement missing\n", encoding="utf-8")
    base = f"{live_server.url}/testing/cases/{case.reference}"

    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, "lead@northwind.test")
        page.goto(f"{base}/imports/")
        page.get_by_label("Results file (JUnit XML, or the CSV export of an Azure DevOps test run)").set_input_files(
            str(report)
        )
        page.get_by_role("button", name="Preview the import").click()
        expect(page.get_by_test_id("count-added")).to_have_text("5")
        confirm_in_dialog(
            page, page.get_by_role("button", name="Apply the import"), expect_text="I have checked the preview"
        )
        expect(page.get_by_test_id("import-state")).to_have_text("Applied")

        page.goto(f"{live_server.url}/cases/{case.reference}/")
        expect(page.get_by_test_id("progress-passed")).to_have_text("4")
        expect(page.get_by_test_id("progress-failed")).to_have_text("1")

        page.goto(f"{base}/tests/{failed}/")
        page.get_by_label("Add evidence to this run").set_input_files(str(evidence))
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_test_id("evidence-link")).to_have_text("failure-log.txt")
        page.get_by_text("Record a defect").click()
        page.get_by_label("Title").fill("Acknowledgement missing after a registration")
        page.get_by_label("Owner").fill("Integration team")
        page.get_by_label("Severity").select_option("HIGH")
        page.get_by_test_id("record-defect").click()
        page.goto(f"{base}/defects/")
        page.get_by_role("link", name="DEF-").first.click()
        defect_url = page.url
        expect(page.get_by_test_id("defect-covered")).to_contain_text("Not covered")
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, "bsc@elexon.test")
        page.goto(defect_url)
        page.get_by_test_id("raise-finding").click()
        expect(page.get_by_test_id("finding-state")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, "lead@northwind.test")
        page.goto(defect_url)
        page.get_by_label("Work-off plan: what will be done, by whom and by when").fill(
            "Move the acknowledgement handler to the priority queue and retest next cycle."
        )
        page.get_by_test_id("propose-plan").click()
        expect(page.get_by_test_id("finding-state")).to_have_text("Work-off plan proposed")
        page.goto(f"{base}/completion-reports/")
        page.get_by_test_id("generate").click()
        expect(page.get_by_test_id("report-row").first).to_be_visible()
        expect(page.get_by_test_id("pdf").first).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_server, "bsc@elexon.test")
        page.goto(defect_url)
        page.get_by_test_id("agree-plan").click()
        expect(page.get_by_test_id("defect-covered")).to_contain_text("Covered")
        page.goto(f"{base}/")
        boxes = page.get_by_role("checkbox", name="Accept the run of")
        assert boxes.count() >= 1
        for index in range(boxes.count()):
            boxes.nth(index).check()
        page.get_by_label("I have reviewed every selected run and its evidence").check()
        page.get_by_test_id("bulk-accept").click()
        expect(page.get_by_role("status")).to_contain_text("ccepted")
        _fits(page, 1400, "qt-case")
        page.set_viewport_size({"width": 390, "height": 900})
        page.reload()
        _fits(page, 390, "qt-case")
    finally:
        context.close()
