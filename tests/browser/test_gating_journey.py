"""The programme administrator uploads a small events file, watches the job reach done, reads the summary and
downloads the result, in a real browser."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from conftest import PASSWORD
from qualify.gating.models import GatingJob
from qualify.gating.services import gating_job_run
from qualify.gating.tests.jobs import events_csv, load_market

pytestmark = pytest.mark.browser


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_uploads_events_watches_the_job_finish_and_downloads_the_result(
    page, live_server, live_cast, tmp_path, settings
):
    from playwright.sync_api import expect

    # The job is held in the queue (a dummy backend) so the browser sees it waiting, then the worker is run from
    # here while the page polls its progress fragment.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    load_market()
    events = tmp_path / "march events.csv"
    events.write_bytes(events_csv())
    expected = tmp_path / "expected.csv"
    call_command("gate", str(events), out=str(expected), progress="never", stdout=StringIO())

    sign_in(page, live_server, "admin@programme.test")
    page.wait_for_url(f"{live_server.url}/cases/")
    page.goto(f"{live_server.url}/gating/")
    page.get_by_label("Events file (CSV or Parquet)").set_input_files(str(events))
    page.get_by_role("button", name="Upload and decide").click()

    page.wait_for_url(f"{live_server.url}/gating/jobs/GJ-*/")
    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("data-state", "QUEUED")
    expect(page.get_by_test_id("job-percent")).to_have_text("0%")
    gating_job_run(job_id=str(GatingJob.objects.get().uuid))
    expect(progress).to_have_attribute("data-state", "DONE", timeout=20_000)
    expect(page.get_by_test_id("job-percent")).to_have_text("100%")
    expect(page.get_by_test_id("job-summary")).to_contain_text("8 events decided")

    with page.expect_download() as info:
        page.get_by_test_id("result-link").click()
    download = info.value
    assert download.suggested_filename.endswith("-result.csv")
    saved = tmp_path / "downloaded.csv"
    download.save_as(saved)
    assert saved.read_bytes() == expected.read_bytes()

    page.goto(f"{live_server.url}/gating/")
    expect(page.get_by_test_id("job-row")).to_have_count(1)
    expect(page.get_by_test_id("job-row")).to_contain_text("march events.csv")
