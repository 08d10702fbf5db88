"""A consultation in the browser: a participant submits two comments; the Programme answers one and exports the
working log; a Code Body answers the other; after the close the Programme reports the outcome to QWG, which publishes
the consolidated comments log in the library beside the version."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from conftest import PASSWORD
from qualify.core.actor import system_actor
from qualify.library.services import consultation_open
from qualify.library.tests.helpers import make_artefact, make_version
from tests.browser.steps import confirm_in_dialog

pytestmark = pytest.mark.browser


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def add_comment(page, clause: str, text: str) -> None:
    form = page.get_by_test_id("comment-form")
    form.get_by_label("Section or clause").fill(clause)
    form.get_by_label("Comment:", exact=True).fill(text)
    form.get_by_label("Proposed change").fill(f"Reword {clause}")
    form.get_by_label("Category").select_option("CLARIFICATION")
    form.get_by_role("button", name="Submit comment").click()
    page.get_by_text(f"Your comment on {clause} is submitted.").wait_for()


def test_participant_comments_the_programme_and_a_code_body_answer_and_the_log_is_published(
    page, live_server, live_cast, tmp_path
):
    version = make_version(make_artefact(short_name="QA&P Annex 2"), "0.2")
    now = timezone.now()
    consultation = consultation_open(
        actor=system_actor("journey"),
        title="QA&P Annex 2 v0.2",
        versions=[version],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
    )

    # the participant finds the open consultation and submits two comments
    sign_in(page, live_server, "lead@northwind.test")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/library/consultations/")
    page.get_by_role("link", name=consultation.reference).click()
    assert page.get_by_test_id("consultation-status").inner_text() == "Open"
    add_comment(page, "3.2", "The PIT exit criteria are ambiguous.")
    add_comment(page, "5.1", "Which evidence does the REC Code Manager expect?")
    rows = page.get_by_test_id("own-comment")
    assert rows.count() == 2 and "Submitted" in rows.first.inner_text()
    page.get_by_role("button", name="Sign out").click()

    # the programme administrator answers one comment in the consolidated comments log
    sign_in(page, live_server, "admin@programme.test")
    page.wait_for_url(f"{live_server.url}/cases/")
    page.goto(f"{live_server.url}/library/consultations/{consultation.uuid}/log/")
    entries = page.get_by_test_id("log-comment")
    assert entries.count() == 2
    first = entries.first
    assert "Northwind Energy Ltd" in first.inner_text() and "(published as Respondent 1)" in first.inner_text()
    first.get_by_label("Response").fill("Agreed: the criteria are now listed in a table.")
    first.get_by_label("Status").select_option("ACCEPTED")
    first.get_by_label("Resulting change").fill("New table 3.2a")
    first.get_by_role("button", name="Save answer").click()
    page.get_by_text("Answer recorded").wait_for()
    assert page.get_by_test_id("answered").inner_text() == "1"

    # and exports the log to Excel
    with page.expect_download() as download_info:
        page.get_by_test_id("export-log").click()
    download = download_info.value
    assert download.suggested_filename == f"{consultation.reference}-comments-log.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet.max_row == 3
    assert [c.value for c in sheet[2]][1:11] == [
        "Northwind Energy Ltd",
        "MHHS-DEL1234 QA&P Annex 2",
        "0.2",
        "3.2",
        "Clarification",
        "The PIT exit criteria are ambiguous.",
        "Reword 3.2",
        "Agreed: the criteria are now listed in a table.",
        "Accepted",
        "New table 3.2a",
    ]
    assert sheet.cell(row=3, column=5).value == "5.1" and sheet.cell(row=3, column=10).value is None

    page.get_by_role("button", name="Sign out").click()

    # an Elexon assessor answers the other comment for the BSC
    sign_in(page, live_server, "bsc@elexon.test")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/library/consultations/{consultation.uuid}/log/")
    second = page.get_by_test_id("log-comment").nth(1)
    second.get_by_label("Response").fill("Elexon will publish the evidence list.")
    second.get_by_label("Status").select_option("NOTED")
    second.get_by_role("button", name="Save answer").click()
    page.get_by_text("Answer recorded").wait_for()
    assert "Answered for Elexon (BSC) by Bo Assessor" in page.get_by_test_id("log-comment").nth(1).inner_text()
    page.get_by_role("button", name="Sign out").click()

    # after the close, the Programme reports the outcome to QWG, which publishes the log as a library document
    with time_machine.travel(consultation.closes_at + dt.timedelta(hours=1), tick=True):
        sign_in(page, live_server, "admin@programme.test")
        page.wait_for_url(f"{live_server.url}/cases/")
        page.goto(f"{live_server.url}/library/consultations/{consultation.uuid}/log/")
        form = page.get_by_test_id("qwg-report-form")
        form.get_by_label("Minutes reference").fill("QWG minutes 11 Mar")
        form.get_by_label("Document number of the comments log").fill("MHHS-DEL3317")
        confirm_in_dialog(page, form.get_by_role("button", name="Record the QWG report"), expect_text="published")
        page.get_by_test_id("qwg-reported").wait_for()
        assert "recorded by Pat Programme" in page.get_by_test_id("qwg-reported").inner_text()

        page.goto(f"{live_server.url}/library/versions/{version.uuid}/")
        assert page.get_by_test_id("version-status").inner_text() == "Approved by the Programme"
        page.get_by_test_id("comments-log-link").click()
        assert "QA&P Annex 2 Consolidated Comments Log v1.0" in page.locator("h1").inner_text()
        assert page.get_by_test_id("log-concerns").inner_text() == "MHHS-DEL1234 QA&P Annex 2 v0.2"
        with page.expect_download() as download_info:
            page.get_by_test_id("file-link").click()
    published = tmp_path / "published.xlsx"
    download_info.value.save_as(published)
    sheet = load_workbook(published).active
    assert [sheet.cell(row=r, column=2).value for r in (2, 3)] == ["Respondent 1", "Respondent 1"]
    assert [sheet.cell(row=r, column=12).value for r in (2, 3)] == ["The Programme", "Elexon (BSC)"]


def test_a_visitor_filters_the_library_and_pages_through_it_without_losing_the_filter(page, live_server, live_cast):
    from playwright.sync_api import expect

    from qualify.library.services import approval_record, version_approve
    from qualify.library.tests.helpers import member

    admin = system_actor("journey")
    for i in range(58):
        version = make_version(
            make_artefact(f"MHHS-DEL{7000 + i}", f"Doc {i:02d}", "Testing" if i < 55 else "Migration"), "1.0"
        )
        version_approve(actor=admin, version=version)
        for body in version.artefact.required_bodies:
            approval_record(
                actor=member(body),  # each governance body's decision is its own members'
                version=version,
                body=body,
                decision="APPROVE",
                decided_on=dt.date(2026, 1, 5),
                minutes_reference="M-1",
            )

    page.goto(f"{live_server.url}/library/")
    rows = page.get_by_test_id("baseline-row")
    expect(rows).to_have_count(50)
    page.get_by_label("Theme").select_option("Testing")  # htmx swaps the list; the URL follows
    page.wait_for_url(lambda url: "theme=Testing" in url)  # (no wait_for_function: the CSP refuses its eval)
    expect(page.get_by_test_id("library-page")).to_have_text("Documents 1 to 50 of 55")
    page.get_by_role("link", name="Next →").click()
    expect(rows).to_have_count(5)
    page.wait_for_url(lambda url: "page=2" in url)
    assert "theme=Testing" in page.url
    expect(page.get_by_label("Theme")).to_have_value("Testing")
    assert "Migration" not in page.get_by_test_id("theme").inner_text()
    page.get_by_role("link", name="← Previous").click()
    expect(rows).to_have_count(50)
