"""A case's runs, defects and assurance in the permission matrix (rows joined to testing/tests/matrix.py's ROWS).

``prepare`` puts case A in testing with one run of a DIP batch case, one of a functional case and one defect.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

EDITORS = ["lead_a", "contributor_a"]
ASSURERS = ["bsc", "rec", "dip", "admin"]
NOT_ASSURERS = [k for k in SIGNED_IN if k not in ASSURERS]
SEES_A = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}


def prepare(cast: Any) -> None:
    from qualify.testing.services.defects import defect_record
    from qualify.testing.services.execution import execution_add
    from qualify.testing.tests.runs_setup import in_testing, required_by_batch

    dip, other = required_by_batch(in_testing(cast.case_a))
    lead = cast.actor("lead_a")
    cast.dip_run = execution_add(actor=lead, case=cast.case_a, test_case_id=dip[0], status="PASSED")
    cast.fn_test = other[0]
    cast.fn_run = execution_add(actor=lead, case=cast.case_a, test_case_id=other[0], status="FAILED")
    cast.defect = defect_record(
        actor=lead, case=cast.case_a, title="Matrix defect", owner="Ops", severity="LOW", execution=cast.fn_run
    )


ref = lambda c: c.case_a.reference  # noqa: E731


def _refused_for(allowed: dict[str | None, int], refused: int) -> dict[str | None, int]:
    """Every signed-in person gets ``refused`` unless named in ``allowed``; organisation B's lead gets 404."""
    return {**every(SIGNED_IN, refused), "lead_b": 404, **allowed}


ROWS = [
    page("testing:case", lambda c: reverse("testing:case", args=[ref(c)]), SEES_A),
    page("testing:progress_panel", lambda c: reverse("testing:progress_panel", args=[ref(c)]), SEES_A),
    page("testing:test_case", lambda c: reverse("testing:test_case", args=[ref(c), c.fn_test]), SEES_A),
    page("testing:defects", lambda c: reverse("testing:defects", args=[ref(c)]), SEES_A),
    page("testing:defect", lambda c: reverse("testing:defect", args=[c.defect.reference]), SEES_A),
    page(
        "testing:run_record",
        lambda c: reverse("testing:run_record", args=[ref(c), c.fn_test]),
        _refused_for(every(EDITORS, 302), 403),
        method="post",
        data=lambda c: {"status": "PASSED"},
    ),
    page(
        "testing:run_evidence",
        lambda c: reverse("testing:run_evidence", args=[str(c.fn_run.uuid)]),
        _refused_for(every(EDITORS, 302), 403),
        method="post",
    ),
    page(
        "testing:defect_record",
        lambda c: reverse("testing:defect_record", args=[ref(c)]),
        _refused_for(every(EDITORS, 302), 403),
        method="post",
        data=lambda c: {"title": "Seen in matrix", "owner": "Ops", "severity": "LOW"},
    ),
    # Whoever can see the defect posts a step and is sent back to it, told whether the step was taken.
    page(
        "testing:defect_transition",
        lambda c: reverse("testing:defect_transition", args=[c.defect.reference]),
        _refused_for(every([*A_MEMBERS, *STAFF], 302), 403),
        method="post",
        data=lambda c: {"name": "fix"},
    ),
    page(
        "testing:defect_work_off",
        lambda c: reverse("testing:defect_work_off", args=[c.defect.reference]),
        _refused_for(every([*A_MEMBERS, *STAFF], 302), 403),
        method="post",
        data=lambda c: {"action": "raise"},
    ),
    page(
        "testing:run_assure",
        lambda c: reverse("testing:run_assure", args=[str(c.dip_run.uuid)]),
        _refused_for({"dip": 302}, 403),
        method="post",
        data=lambda c: {"decision": "accept"},
    ),
    # The guard lets the assessors and the Programme in; the service then refuses a run that is not theirs.
    page(
        "testing:bulk_assure",
        lambda c: reverse("testing:bulk_assure", args=[ref(c)]),
        {**every(SIGNED_IN, 403), **every(ASSURERS, 302)},
        method="post",
        data=lambda c: {"runs": [str(c.dip_run.uuid)], "confirm": "1"},
    ),
    page(
        "testing:assurance_queue",
        lambda c: reverse("testing:assurance_queue"),
        {**every(SIGNED_IN, 403), **every(ASSURERS, 200)},
    ),
    page(
        "testing:assurance_dip",
        lambda c: reverse("testing:assurance_dip"),
        {**every(SIGNED_IN, 403), "dip": 200, "admin": 200},
    ),
    endpoint(
        "GET /testing/cases/{ref}/progress",
        lambda c: f"/api/v1/testing/cases/{ref(c)}/progress",
        {**SEES_A, "machine": 403},
    ),
    endpoint(
        "GET /testing/cases/{ref}/tests", lambda c: f"/api/v1/testing/cases/{ref(c)}/tests", {**SEES_A, "machine": 403}
    ),
    endpoint(
        "GET /testing/cases/{ref}/runs", lambda c: f"/api/v1/testing/cases/{ref(c)}/runs", {**SEES_A, "machine": 403}
    ),
    endpoint(
        "GET /testing/cases/{ref}/defects",
        lambda c: f"/api/v1/testing/cases/{ref(c)}/defects",
        {**SEES_A, "machine": 403},
    ),
    endpoint(
        "GET /testing/defects/{ref}",
        lambda c: f"/api/v1/testing/defects/{c.defect.reference}",
        {**SEES_A, "machine": 403},
    ),
    endpoint(
        "POST /testing/cases/{ref}/runs",
        lambda c: f"/api/v1/testing/cases/{ref(c)}/runs",
        {**_refused_for(every(EDITORS, 201), 403), "machine": 403},
        method="post",
        data=lambda c: {"test_case_id": c.fn_test, "status": "PASSED"},
    ),
    endpoint(
        "POST /testing/cases/{ref}/defects",
        lambda c: f"/api/v1/testing/cases/{ref(c)}/defects",
        {**_refused_for(every(EDITORS, 201), 403), "machine": 403},
        method="post",
        data=lambda c: {"title": "API defect", "owner": "Ops", "severity": "LOW"},
    ),
    endpoint(
        "POST /testing/defects/{ref}/transitions",
        lambda c: f"/api/v1/testing/defects/{c.defect.reference}/transitions",
        {**_refused_for(every(EDITORS, 200), 403), "machine": 403},
        method="post",
        data=lambda c: {"name": "fix"},
    ),
    # A Code Body assessor records the finding (the programme administrator must name the body: 422 without one).
    endpoint(
        "POST /testing/defects/{ref}/work-off",
        lambda c: f"/api/v1/testing/defects/{c.defect.reference}/work-off",
        {**_refused_for({"bsc": 200, "rec": 200, "dip": 200, "admin": 422}, 403), "machine": 403},
        method="post",
        data=lambda c: {"action": "raise"},
    ),
    endpoint(
        "POST /testing/runs/{uuid}/assurance",
        lambda c: f"/api/v1/testing/runs/{c.dip_run.uuid}/assurance",
        {**_refused_for({"dip": 200}, 403), "machine": 403},
        method="post",
        data=lambda c: {"decision": "accept"},
    ),
    endpoint(
        "POST /testing/cases/{ref}/assurance",
        lambda c: f"/api/v1/testing/cases/{ref(c)}/assurance",
        {**_refused_for({"dip": 200}, 403), "machine": 403},
        method="post",
        data=lambda c: {"runs": [str(c.dip_run.uuid)]},
    ),
    endpoint(
        "GET /testing/assurance/queue",
        lambda c: "/api/v1/testing/assurance/queue",
        {**every(SIGNED_IN, 403), **every(ASSURERS, 200), "machine": 403},
    ),
    endpoint(
        "GET /testing/assurance/dip",
        lambda c: "/api/v1/testing/assurance/dip",
        {**every(SIGNED_IN, 403), "dip": 200, "admin": 200, "machine": 403},
    ),
]
