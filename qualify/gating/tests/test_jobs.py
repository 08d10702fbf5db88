"""Bulk gating jobs: upload an events file, decided in the background, progress, summary, result (issue 5)."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualify.audit.models import AuditEvent
from qualify.core.jobs import JobRun
from qualify.gating.models import GatingJob, JobState
from qualify.gating.services import gating_job_run
from qualify.gating.tasks import run_gating_job
from qualify.gating.tests.jobs import EVENTS, EXPECTED, events_csv, load_market, submit_and_run

pytestmark = pytest.mark.django_db

BAD_EVENTS = [*EVENTS[:7], EVENTS[7].replace("2026-01-10,SMART,,NOPE", "2026-01-10,SMART-ISH,,NOPE"), *EVENTS[8:]]


@pytest.fixture
def market(cast):
    load_market()
    return cast


def gate_command_output(tmp_path: Path, suffix: str = "csv") -> bytes:
    events = tmp_path / f"events.{suffix}"
    if suffix == "csv":
        events.write_bytes(events_csv())
    else:
        pl.read_csv(io.BytesIO(events_csv()), infer_schema=False).write_parquet(events)
    out = tmp_path / f"gate-result.{suffix}"
    call_command("gate", str(events), out=str(out), progress="never", stdout=StringIO())
    return out.read_bytes()


def result_rows(content: bytes, suffix: str) -> list[tuple[str, str, str, str]]:
    frame = pl.read_csv(io.BytesIO(content), infer_schema=False) if suffix == "csv" else pl.read_parquet(content)
    return [(r, o, s or "", g or "") for r, o, s, g in frame.select(pl.all().cast(pl.String)).iter_rows()]


def summary_of(rows: list[tuple[str, str, str, str]]) -> dict[str, object]:
    by_outcome: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    for _, outcome, reasons, _ in rows:
        by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
        for reason in filter(None, reasons.split(";")):
            by_reason[reason] = by_reason.get(reason, 0) + 1
    return {
        "total": len(rows),
        "by_outcome": dict(sorted(by_outcome.items())),
        "by_reason": dict(sorted(by_reason.items())),
    }


def upload(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


# --- the API --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_market_system_job_through_the_api_matches_the_gate_command(
    market, client_for, token_for, tmp_path, django_capture_on_commit_callbacks, suffix
):
    expected = gate_command_output(tmp_path, suffix)
    content = (tmp_path / f"events.{suffix}").read_bytes()
    client, auth = client_for(None), token_for("machine")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/gating/jobs", {"file": upload(content, f"march.{suffix}")}, **auth)
    assert response.status_code == 200, response.content
    posted = response.json()
    assert posted["reference"].startswith("GJ-")
    assert posted["state"] == "QUEUED"  # the task runs when the request's transaction commits

    job = client.get(f"/api/v1/gating/jobs/{posted['reference']}", **auth).json()
    assert job["state"] == "DONE"
    assert (job["total_rows"], job["processed_rows"], job["percent"]) == (8, 8, 100)
    assert job["summary"] == summary_of(result_rows(expected, suffix))
    assert job["file"] == f"march.{suffix}" and job["requested_by"] == "Registration system"

    result = client.get(job["result_url"], **auth)
    assert result.status_code == 200
    body = b"".join(result.streaming_content)
    assert result_rows(body, suffix) == result_rows(expected, suffix)
    assert result_rows(body, suffix) == EXPECTED  # with the GSP group of each point
    if suffix == "csv":
        assert body == expected
    assert result["Content-Disposition"].startswith("attachment")

    listed = client.get("/api/v1/gating/jobs", **auth).json()
    assert [j["reference"] for j in listed["items"]] == [posted["reference"]]


def test_a_bad_file_fails_the_job_naming_the_row_and_column_and_leaves_no_result(
    market, client_for, token_for, django_capture_on_commit_callbacks
):
    client, auth = client_for(None), token_for("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/gating/jobs", {"file": upload(events_csv(BAD_EVENTS), "bad.csv")}, **auth)
    reference = response.json()["reference"]
    job = client.get(f"/api/v1/gating/jobs/{reference}", **auth).json()
    assert job["state"] == "FAILED"
    assert "row 7 (line 8 of the file), column segment" in job["error"]
    assert job["summary"] is None and job["result_url"] is None
    stored = GatingJob.objects.get(reference=reference)
    assert stored.result_name == ""
    folder = f"gating/jobs/{stored.uuid.hex}"
    assert storages["default"].listdir(folder)[1] == ["events.csv"]  # the input, and no result
    missing = client.get(f"/api/v1/gating/jobs/{reference}/result", **auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_an_upload_that_is_not_csv_or_parquet_is_refused(market, client_for, token_for):
    response = client_for(None).post(
        "/api/v1/gating/jobs", {"file": upload(b"hello", "events.xlsx")}, **token_for("admin")
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "file_type_not_allowed"
    assert not GatingJob.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(market, client_for, token_for, settings):
    settings.QUALIFY_GATING_MAX_BYTES = 100
    response = client_for(None).post(
        "/api/v1/gating/jobs", {"file": upload(events_csv(), "events.csv")}, **token_for("admin")
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "file_too_large"
    assert not GatingJob.objects.exists()


def test_the_job_waits_for_the_commit_and_the_task_runs_only_a_queued_job(market):
    job = submit_and_run(market.actor("admin"))
    assert job.state == JobState.DONE
    audited = AuditEvent.objects.count()
    finished_at = job.finished_at

    assert run_gating_job.enqueue(str(job.uuid)).return_value == "DONE"  # a second delivery of the task changes nothing
    assert gating_job_run(job_id=str(job.uuid)) == "DONE"
    job.refresh_from_db()
    assert (job.state, job.finished_at, AuditEvent.objects.count()) == (JobState.DONE, finished_at, audited)
    actions = list(AuditEvent.objects.filter(object_id=str(job.uuid)).order_by("seq").values_list("action", flat=True))
    assert actions == ["gating.job.submit", "gating.gatingjob.start", "gating.gatingjob.finish"]


def test_a_submitted_job_stays_queued_until_its_transaction_commits(market, django_capture_on_commit_callbacks):
    from qualify.gating.services import gating_job_submit

    content = events_csv()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = gating_job_submit(
            actor=market.actor("bsc"), upload=io.BytesIO(content), name="events.csv", size=len(content)
        )
        job.refresh_from_db()
        assert job.state == JobState.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.state == JobState.DONE


def test_progress_inside_a_transaction_is_written_at_most_every_half_second(market, monkeypatch, tmp_path):
    from qualify.core import jobs

    job = submit_and_run(market.actor("admin"))
    clock = iter([100.0, 100.2, 100.6])
    monkeypatch.setattr(jobs.time, "monotonic", lambda: next(clock))
    written: list[tuple[int, int | None]] = []
    monkeypatch.setattr(jobs, "job_progress", lambda job, *, processed, total: written.append((processed, total)))
    run = JobRun(job=job, work_dir=tmp_path, inline=True)
    run.progress(1, 3)
    run.progress(2, 3)
    run.progress(3, 3)
    assert written == [(1, 3), (3, 3)]


# --- tenancy and permissions ---------------------------------------------------------------------------------------


def test_another_staff_members_job_is_not_found_and_programme_admins_see_every_job(market, client_for, token_for):
    job = submit_and_run(market.actor("bsc"))
    machine = token_for("machine")
    api = client_for(None)
    for url in (f"/api/v1/gating/jobs/{job.reference}", f"/api/v1/gating/jobs/{job.reference}/result"):
        response = api.get(url, **machine)
        assert response.status_code == 404
        assert response.json()["error"] == {"code": "not_found", "message": "No such gating job.", "details": {}}
    assert api.get("/api/v1/gating/jobs", **machine).json()["items"] == []
    assert client_for("rec").get(f"/gating/jobs/{job.reference}/").status_code == 404
    assert client_for("rec").get(f"/gating/jobs/{job.reference}/result/").status_code == 404

    admin = token_for("admin")
    assert api.get(f"/api/v1/gating/jobs/{job.reference}", **admin).status_code == 200
    assert [j["reference"] for j in api.get("/api/v1/gating/jobs", **admin).json()["items"]] == [job.reference]
    assert client_for("admin").get(f"/gating/jobs/{job.reference}/").status_code == 200
    assert client_for("bsc").get(f"/gating/jobs/{job.reference}/").status_code == 200


@pytest.mark.parametrize("who", ["lead_a", "viewer_a", "lead_b"])
def test_participants_cannot_submit_or_see_jobs(market, client_for, token_for, who):
    job = submit_and_run(market.actor("admin"))
    page = client_for(who)
    assert page.get("/gating/").status_code == 403
    assert page.get(f"/gating/jobs/{job.reference}/").status_code == 403
    assert page.post("/gating/jobs/", {"file": upload(events_csv(), "e.csv")}).status_code == 403
    api, auth = client_for(None), token_for(who)
    response = api.post("/api/v1/gating/jobs", {"file": upload(events_csv(), "e.csv")}, **auth)
    assert response.status_code == 403
    assert api.get(f"/api/v1/gating/jobs/{job.reference}", **auth).status_code == 403
    assert GatingJob.objects.count() == 1


# --- the pages ----------------------------------------------------------------------------------------------------


def test_staff_upload_on_the_page_watch_it_finish_and_download_what_the_gate_command_writes(
    market, client_for, tmp_path, django_capture_on_commit_callbacks
):
    expected = gate_command_output(tmp_path)
    client = client_for("dip")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/gating/jobs/", {"file": upload(events_csv(), "events.csv")})
    job = GatingJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/gating/jobs/{job.reference}/"

    page = client.get(response["Location"]).content.decode()
    assert 'data-state="DONE"' in page
    assert "hx-get" not in page  # finished: the progress fragment stops polling
    blocked = summary_of(result_rows(expected, "csv"))["by_outcome"]["BLOCK"]  # type: ignore[index]
    block = page[page.index('data-testid="outcome-BLOCK"') :]
    block = block[: block.index("</tr>")]
    assert "<code>BLOCK</code>" in block and "must not go ahead" in block and f"<td>{blocked}</td>" in block
    download = client.get(f"/gating/jobs/{job.reference}/result/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == expected
    assert f"{job.reference}-result.csv" in download["Content-Disposition"]
    listing = client.get("/gating/").content.decode()
    assert job.reference in listing and "events.csv" in listing


def test_a_running_job_page_polls_its_progress_fragment(market, client_for):
    from qualify.core.jobs import job_progress
    from qualify.gating.services import gating_job_submit

    content = events_csv()
    job = gating_job_submit(
        actor=market.actor("admin"), upload=io.BytesIO(content), name="events.csv", size=len(content)
    )
    client = client_for("admin")
    queued = client.get(f"/gating/jobs/{job.reference}/progress/").content.decode()
    assert f'hx-get="/gating/jobs/{job.reference}/progress/"' in queued and 'hx-trigger="every 1s"' in queued

    from qualify.core.actor import system_actor
    from qualify.core.workflow import apply_transition
    from qualify.gating.workflow import GATING_JOB_WORKFLOW

    job = apply_transition(GATING_JOB_WORKFLOW, actor=system_actor("gating worker"), instance=job, name="start")
    job_progress(job, processed=4, total=8)
    running = client.get(f"/gating/jobs/{job.reference}/progress/").content.decode()
    assert 'value="50"' in running and "4 of 8 events" in running and "hx-get" in running


def test_a_failed_job_page_shows_the_error_and_no_download(market, client_for):
    job = submit_and_run(market.actor("admin"), events_csv(BAD_EVENTS))
    page = client_for("admin").get(f"/gating/jobs/{job.reference}/").content.decode()
    assert "row 7 (line 8 of the file), column segment" in page
    assert "The file “events.csv” could not be decided" in page  # the failure names what was uploaded
    assert "result-link" not in page
    assert client_for("admin").get(f"/gating/jobs/{job.reference}/result/").status_code == 404


def test_a_page_upload_without_a_file_shows_the_form_again(market, client_for):
    response = client_for("admin").post("/gating/jobs/", {})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()


def test_the_job_list_costs_the_same_queries_for_two_jobs_or_ten(market, client_for):
    client = client_for("admin")
    admin = market.actor("admin")
    for _ in range(2):
        submit_and_run(admin)
    client.get("/gating/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/gating/").status_code == 200
    for _ in range(8):
        submit_and_run(admin)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/gating/").content.decode()
    assert page.count('data-testid="job-row"') == 10
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as api_many:
        client.get("/api/v1/gating/jobs")
    assert len(api_many) <= len(few) + 1


def test_the_jobs_page_documents_the_events_file_and_its_example_passes_every_check(market, client_for):
    from qualify.gating.choices import EVENT_COLUMNS
    from qualify.gating.reasons import Reason

    client = client_for("admin")
    page = client.get("/gating/").content.decode()
    described = page[page.index('data-testid="events-format"') :]
    for column in EVENT_COLUMNS:
        assert f"<code>{column}</code>" in described
    assert "MIGRATE, APPOINT, REGISTER" in described and "SMART, ADVANCED, UMS" in described
    assert "The Supplier is not qualified and operational on the date." in described  # a reason, in words
    assert all(f"<code>{r.value}</code>" in described for r in Reason)

    example = client.get("/gating/events-example.csv")
    assert example.status_code == 200 and example["Content-Disposition"].endswith('filename="events-example.csv"')
    assert example.content.splitlines()[0] == b",".join(c.encode() for c in EVENT_COLUMNS)

    job = submit_and_run(market.actor("admin"), example.content, name="events-example.csv")
    assert job.state == JobState.DONE and job.summary["total"] == 3


def test_the_orphan_sweep_keeps_a_jobs_events_file_and_result_and_removes_what_no_job_names(market, settings, tmp_path):
    import os
    import time

    from qualify.core import storedfiles

    settings.MEDIA_ROOT = tmp_path
    job = submit_and_run(market.actor("admin"))
    assert job.state == JobState.DONE and job.input_name and job.result_name
    stray = tmp_path / "gating" / "jobs" / ("0" * 32) / "events.csv"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"ref,kind\n")
    long_ago = time.time() - 3 * 24 * 3600
    for path in tmp_path.rglob("*"):
        os.utime(path, (long_ago, long_ago))

    report = storedfiles.sweep()

    assert report.removed == [f"gating/jobs/{'0' * 32}/events.csv"]
    assert (tmp_path / job.input_name).exists() and (tmp_path / job.result_name).exists()
