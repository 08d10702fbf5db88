"""``POST /api/v1/register/import``: the register import for programme administrators, as the command (issue 5), run
as a background job with progress, read back at ``/api/v1/register-imports/{reference}`` (issue 14)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from qualify.core import clock
from qualify.core.actor import system_actor
from qualify.core.jobs import JobState, jobs_recover
from qualify.core.workflow import apply_transition
from qualify.participants.models import MarketParticipation, Organisation
from qualify.register.import_jobs import REGISTER_IMPORT_JOB_WORKFLOW, register_import_job_submit
from qualify.register.imports import register_import
from qualify.register.models import RegisterEvent, RegisterImportJob
from qualify.register.tests.test_import_register import HEADER, ROWS

pytestmark = pytest.mark.django_db

URL = "/api/v1/register/import"


def csv_file(lines: list[str], name: str = "register.csv") -> io.BytesIO:
    handle = io.BytesIO(("\n".join(lines) + "\n").encode())
    handle.name = name
    return handle


def counts() -> tuple[int, int, int]:
    return Organisation.objects.count(), MarketParticipation.objects.count(), RegisterEvent.objects.count()


def post_and_run(client, auth, data, capture):  # type: ignore[no-untyped-def]
    """Post a file; the job runs when the request commits (the immediate task backend); answer the job read back."""
    with capture(execute=True):
        response = client.post(URL, data, **auth)
    assert response.status_code == 202, response.content
    queued = response.json()
    assert queued["state"] == "QUEUED" and queued["reference"].startswith("RI-")
    read = client.get(f"/api/v1/register-imports/{queued['reference']}", **auth)
    assert read.status_code == 200
    return read.json()


def test_programme_admin_imports_the_register_in_the_background_and_a_reimport_changes_nothing(
    cast, client_for, token_for, django_capture_on_commit_callbacks
):
    client, auth = client_for(None), token_for("admin")
    before = counts()
    first = post_and_run(
        client,
        auth,
        {"file": csv_file([HEADER, *ROWS]), "reason": "initial load for the test"},
        django_capture_on_commit_callbacks,
    )
    assert first["state"] == "DONE"
    assert first["result"] == {
        "rows": 6,
        "organisations_created": 2,
        "participations_created": 3,
        "events_created": 6,
        "events_already_recorded": 0,
    }
    assert (first["processed_rows"], first["total_rows"], first["percent"]) == (6, 6, 100)
    assert (first["error"], first["problems"], first["requested_by"]) == ("", [], "Pat Programme")
    after = counts()
    assert after == (before[0] + 2, before[1] + 3, before[2] + 6)
    imported = RegisterEvent.objects.filter(reference="register.csv").first()
    assert imported is not None and imported.recorded_by_name == "Pat Programme"  # run as the uploader

    again = post_and_run(client, auth, {"file": csv_file([HEADER, *ROWS])}, django_capture_on_commit_callbacks)
    assert again["result"]["events_created"] == 0 and again["result"]["events_already_recorded"] == 6
    assert counts() == after
    listed = client.get("/api/v1/register-imports", **auth).json()["items"]
    assert [j["reference"] for j in listed] == [again["reference"], first["reference"]]


def test_a_bad_row_fails_the_job_naming_row_and_column_and_nothing_is_saved(
    cast, client_for, token_for, django_capture_on_commit_callbacks
):
    before = counts()
    rows = [*ROWS[:4], ROWS[4].replace("SERVICE_ACTIVATED,2025-06-01", "SERVICE_ACTIVATED,2025-06-31")]
    job = post_and_run(
        client_for(None), token_for("admin"), {"file": csv_file([HEADER, *rows])}, django_capture_on_commit_callbacks
    )
    assert job["state"] == "FAILED" and job["result"] is None
    assert "row 5 (line 6), column date" in job["error"]
    assert job["problems"] == [{"row": 5, "column": "date", "message": "'2025-06-31' is not a calendar date"}]
    assert job["problem_count"] == 1
    assert counts() == before


def test_a_file_with_many_bad_rows_keeps_its_first_problems_and_their_count(cast):
    rows = [f"Org {n},AB{n:02d},SUPPLIER,QUALIFIED,2025-13-01," for n in range(150)]
    content = ("\n".join([HEADER, *rows]) + "\n").encode()
    job = register_import_job_submit(
        actor=cast.actor("admin"), upload=io.BytesIO(content), name="big.csv", size=len(content)
    )
    from qualify.register.import_jobs import register_import_job_run

    assert register_import_job_run(job_id=str(job.uuid)) == "FAILED"
    job.refresh_from_db()
    assert job.problem_count >= 150 and 0 < len(job.problems) <= RegisterImportJob.PROBLEMS_KEPT
    assert job.problems[0]["row"] == 1 and len(job.error_message) <= 4000


def test_the_import_reports_its_progress(cast):
    seen: list[tuple[int, int | None]] = []
    register_import(
        actor=system_actor(),
        text="\n".join([HEADER, *ROWS]),
        source_name="r.csv",
        reason="x",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(0, 6), (6, 6)]  # before and after the events are written, in one bulk insert


def test_an_import_whose_worker_died_is_queued_again_and_runs_to_done(cast, django_capture_on_commit_callbacks):
    content = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    job = register_import_job_submit(
        actor=cast.actor("admin"), upload=io.BytesIO(content), name="r.csv", size=len(content), reason="load"
    )
    job = apply_transition(REGISTER_IMPORT_JOB_WORKFLOW, actor=system_actor(), instance=job, name="start")
    RegisterImportJob.objects.filter(pk=job.pk).update(heartbeat_at=clock.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_recover().retried == [f"register_import_job:{job.uuid}"]
    job.refresh_from_db()
    assert (job.state, job.attempts, job.result["events_created"]) == (JobState.DONE, 2, 6)


def test_a_missing_empty_or_unreadable_file_is_422_at_once(cast, client_for, token_for):
    client, auth = client_for(None), token_for("admin")
    assert client.post(URL, {}, **auth).status_code == 422
    latin = io.BytesIO("organisation,mpid\nCaf\xe9,ABCD\n".encode("latin-1"))
    latin.name = "register.csv"
    response = client.post(URL, {"file": latin}, **auth)
    assert response.status_code == 422
    assert "UTF-8" in response.json()["error"]["message"]
    empty = io.BytesIO(b"")
    empty.name = "register.csv"
    assert client.post(URL, {"file": empty}, **auth).status_code == 422
    assert not RegisterImportJob.objects.exists()


@pytest.mark.parametrize("who", ["bsc", "machine", "auditor", "lead_a"])
def test_only_programme_admins_import_the_register_or_read_imports(cast, client_for, token_for, who):
    content = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    job = register_import_job_submit(
        actor=cast.actor("admin"), upload=io.BytesIO(content), name="r.csv", size=len(content)
    )
    before = counts()
    client, auth = client_for(None), token_for(who)
    assert client.post(URL, {"file": csv_file([HEADER, *ROWS])}, **auth).status_code == 403
    assert client.get("/api/v1/register-imports", **auth).status_code == 403
    assert client.get(f"/api/v1/register-imports/{job.reference}", **auth).status_code == 403
    assert counts() == before
    assert RegisterImportJob.objects.count() == 1
