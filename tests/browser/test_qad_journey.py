"""A contributor completes a QAD section with evidence, reloads half-way without losing anything, and submits the
Initial QAD, in a real browser."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from qualify.cases.services import case_transition
from qualify.qad.tests.helpers import PDF, complete, open_qad, publish_sample
from qualify.testing.tests.helpers import prequalify
from tests.browser.steps import confirm_in_dialog

pytestmark = pytest.mark.browser


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def case_in_pit(cast):
    admin = cast.actor("admin")
    case = cast.case_a
    prequalify(case)  # the pre-qualification form, submitted with its case step
    # A Code Body assessor confirms scope (qualify/testing/apps.py).
    case = case_transition(actor=cast.actor("bsc"), case=case, name="scope", comment="scope for the QAD journey")
    return case_transition(actor=admin, case=case, name="start_pit", comment="start_pit for the QAD journey")


def test_contributor_completes_a_section_with_evidence_and_submits_the_initial_qad(
    page, live_server, live_cast, tmp_path
):
    from playwright.sync_api import expect

    # Autosave waits for a pause in typing and then a round trip; leave room for a busy CI machine.
    expect.set_options(timeout=15_000)
    publish_sample()
    case = case_in_pit(live_cast)
    # Every other section is already answered by the lead; the contributor does section 4.5 in the browser.
    complete(open_qad(case, live_cast.actor("lead_a")), live_cast.actor("lead_a"), skip_sections=("4.5",))
    evidence = tmp_path / "DIP monitoring runbook.pdf"
    evidence.write_bytes(PDF + b"runbook")

    sign_in(page, live_server, "contrib@northwind.test")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/{case.reference}/")
    page.get_by_test_id("qad-link").click()
    expect(page.get_by_test_id("missing")).to_contain_text("4.5.2 needs evidence attached")
    page.get_by_role("link", name=re.compile("4.5 Connecting to the Data Integration Platform")).click()
    # Answer only once the section page has loaded and htmx has wired its autosave (a change before that is lost).
    page.wait_for_url(re.compile(r"/sections/"))
    page.wait_for_load_state("load")  # deferred scripts, htmx among them, have run by the load event

    def question(number: str):  # type: ignore[no-untyped-def]
        return page.get_by_test_id(f"question-{number}")

    def saved(number: str) -> None:
        expect(question(number).get_by_test_id("saved")).to_be_visible()

    question("4.5.1").get_by_label("Yes").check()
    saved("4.5.1")
    question("4.5.2").get_by_label("Answer to 4.5.2").press_sequentially("Alerts page the on-call engineer.")
    saved("4.5.2")

    # Reload half-way: what was typed is there.
    page.reload()
    expect(question("4.5.1").get_by_label("Yes")).to_be_checked()
    expect(question("4.5.2").get_by_label("Answer to 4.5.2")).to_have_value("Alerts page the on-call engineer.")

    question("4.5.3").get_by_label("Answer to 4.5.3").fill("Keys live in an HSM; certificates renew yearly.")
    question("4.5.3").get_by_label("Answer to 4.5.3").press("Tab")
    saved("4.5.3")
    question("4.5.4").get_by_label("Answer to 4.5.4").fill("12000")
    question("4.5.4").get_by_label("Answer to 4.5.4").press("Tab")
    saved("4.5.4")
    question("4.5.5").get_by_label("Direct connection").check()
    saved("4.5.5")
    question("4.5.6").get_by_label("Answer to 4.5.6").fill("Corrected and resent from the exception queue.")
    question("4.5.6").get_by_label("Answer to 4.5.6").press("Tab")
    saved("4.5.6")
    question("4.5.7").get_by_label("Answer to 4.5.7").fill("2026-01-15")
    question("4.5.7").get_by_label("Answer to 4.5.7").press("Tab")
    saved("4.5.7")

    # Upload the evidence once against 4.5.2, then attach the same file to 4.5.3.
    upload = page.get_by_test_id("upload-4.5.2")
    upload.get_by_label("Upload a file").set_input_files(str(evidence))
    upload.get_by_role("button", name="Upload and attach").click()
    expect(page.get_by_role("status")).to_contain_text("DIP monitoring runbook.pdf uploaded")
    expect(page.get_by_test_id("evidence-4.5.2")).to_contain_text("DIP monitoring runbook.pdf")
    # The page has one shared evidence picker: open it for 4.5.3, search by name, attach.
    question("4.5.3").get_by_test_id("pick-4.5.3").click()
    picker = page.get_by_test_id("evidence-picker")
    expect(picker).to_be_visible()
    expect(picker.get_by_role("heading")).to_have_text("Attach an uploaded file to 4.5.3")
    # Type only once htmx has settled the swapped-in picker (its search box listens from then on).
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)
    picker.get_by_label("File name contains").fill("no such file")
    expect(picker).to_contain_text("No uploaded file's name contains")
    picker.get_by_label("File name contains").fill("runbook")
    picker.get_by_role("button", name="Attach DIP monitoring runbook.pdf").click()
    expect(page.get_by_role("status")).to_contain_text("DIP monitoring runbook.pdf attached")
    expect(page.get_by_test_id("evidence-4.5.3")).to_contain_text("DIP monitoring runbook.pdf")
    assert page.url.endswith("#q-Q-4_5_3")
    expect(question("4.5.6").get_by_label("Answer to 4.5.6")).to_have_value(
        "Corrected and resent from the exception queue."
    )

    page.get_by_role("link", name=re.compile("QAD of")).click()
    expect(page.get_by_test_id("complete")).to_be_visible()
    confirm_in_dialog(page, page.get_by_test_id("submit-initial"), expect_text="cannot be changed afterwards")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Initial QAD QAD-")
    expect(page.get_by_test_id("sha256")).to_have_text(re.compile("^[0-9a-f]{64}$"))

    page.goto(f"{live_server.url}/cases/{case.reference}/")
    expect(page.get_by_test_id("case-state")).to_have_text("Initial QAD submitted")


def test_without_javascript_the_evidence_picker_is_a_page_of_its_own(browser, live_server, live_cast):
    from playwright.sync_api import expect

    from qualify.qad.tests.helpers import upload_pdf

    publish_sample()
    case = case_in_pit(live_cast)
    lead = live_cast.actor("lead_a")
    qad = open_qad(case, lead)
    upload_pdf(qad, lead, ["Q-4.5.2"], name="Key management policy.pdf")
    upload_pdf(qad, lead, [], name="Interface test log.pdf")

    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, live_server, "contrib@northwind.test")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/qad/cases/{case.reference}/sections/4.5/")
        page.get_by_test_id("pick-4.5.3").click()
        expect(page.get_by_role("heading", level=2)).to_have_text("Attach an uploaded file to 4.5.3")
        page.get_by_label("File name contains").fill("policy")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_test_id("evidence-choice")).to_have_count(1)
        page.get_by_role("button", name="Attach Key management policy.pdf").click()
        expect(page.get_by_role("status")).to_contain_text("Key management policy.pdf attached")
        expect(page.get_by_test_id("evidence-4.5.3")).to_contain_text("Key management policy.pdf")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
