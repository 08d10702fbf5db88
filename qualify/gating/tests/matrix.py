"""Permission matrix rows for the gating pages and endpoints (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, STAFF, endpoint, every, page

PARTICIPANTS = [*A_MEMBERS, "lead_b"]
NOT_ADMIN_STAFF = [key for key in STAFF if key != "admin"]
# A job is seen by its requester and by programme administrators; other staff get "not found".
ADMINS_JOB = {**every(PARTICIPANTS, 403), **every(NOT_ADMIN_STAFF, 404), "admin": 200}
job = lambda c: c.gating_job.reference  # noqa: E731
register_import = lambda c: c.register_import_job.reference  # noqa: E731
ADMINS_ONLY = {**every([*PARTICIPANTS, *NOT_ADMIN_STAFF], 403), "admin": 200, "machine": 403}


def prepare(cast):  # type: ignore[no-untyped-def]
    """A finished bulk job and a queued register import, submitted by the programme administrator."""
    import io

    from qualify.gating.tests.jobs import submit_and_run
    from qualify.register.import_jobs import register_import_job_submit
    from qualify.register.tests.test_import_register import HEADER, ROWS

    cast.gating_job = submit_and_run(cast.actor("admin"))
    assert cast.gating_job.state == "DONE", cast.gating_job.error_message
    content = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    cast.register_import_job = register_import_job_submit(
        actor=cast.actor("admin"), upload=io.BytesIO(content), name="register.csv", size=len(content)
    )


_EVENT = {
    "ref": "m1",
    "kind": "REGISTER",
    "mpan": "1200000000009",
    "date": "2026-02-01",
    "segment": "SMART",
    "supplier": "NWEN",
    "mem": "",
    "data_service": "",
    "settlement": "LEGACY",
}

ROWS = [
    endpoint(
        "POST /gating/decisions",
        lambda c: "/api/v1/gating/decisions",
        {**every([*A_MEMBERS, "lead_b"], 403), **every(STAFF, 200), "machine": 200},
        method="post",
        data=lambda c: {"events": [_EVENT]},
    ),
    page("gating:jobs", lambda c: reverse("gating:jobs"), {**every(PARTICIPANTS, 403), **every(STAFF, 200)}),
    page("gating:example", lambda c: reverse("gating:example"), {**every(PARTICIPANTS, 403), **every(STAFF, 200)}),
    # Without a file the form comes back with its error (422); the upload itself is tested in test_jobs.py.
    page(
        "gating:job_upload",
        lambda c: reverse("gating:job_upload"),
        {**every(PARTICIPANTS, 403), **every(STAFF, 422)},
        method="post",
    ),
    page("gating:job", lambda c: reverse("gating:job", args=[job(c)]), ADMINS_JOB),
    page("gating:job_progress", lambda c: reverse("gating:job_progress", args=[job(c)]), ADMINS_JOB),
    page("gating:job_result", lambda c: reverse("gating:job_result", args=[job(c)]), ADMINS_JOB),
    endpoint(
        "POST /gating/jobs",
        lambda c: "/api/v1/gating/jobs",
        {**every(PARTICIPANTS, 403), **every(STAFF, 422), "machine": 422},
        method="post",
    ),
    endpoint(
        "GET /gating/jobs",
        lambda c: "/api/v1/gating/jobs",
        {**every(PARTICIPANTS, 403), **every(STAFF, 200), "machine": 200},
    ),
    endpoint("GET /gating/jobs/{reference}", lambda c: f"/api/v1/gating/jobs/{job(c)}", {**ADMINS_JOB, "machine": 404}),
    endpoint(
        "GET /gating/jobs/{reference}/result",
        lambda c: f"/api/v1/gating/jobs/{job(c)}/result",
        {**ADMINS_JOB, "machine": 404},
    ),
    endpoint(
        "POST /register/import",
        lambda c: "/api/v1/register/import",
        {**every([*PARTICIPANTS, *NOT_ADMIN_STAFF], 403), "admin": 422, "machine": 403},
        method="post",
    ),
    endpoint("GET /register-imports", lambda c: "/api/v1/register-imports", ADMINS_ONLY),
    endpoint(
        "GET /register-imports/{reference}", lambda c: f"/api/v1/register-imports/{register_import(c)}", ADMINS_ONLY
    ),
]
