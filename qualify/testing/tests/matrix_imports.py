"""The results import pages and endpoints in the permission matrix (added to matrix.py's ROWS and prepare)."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

WRITERS = ["lead_a", "contributor_a"]
NOT_WRITERS = ["viewer_a", *STAFF]
SEE = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}


def prepare(cast):  # type: ignore[no-untyped-def]
    """case_a in testing, scoped on the published catalogue, with one previewed import."""
    from qualify.testing.services.results import results_preview
    from qualify.testing.tests.helpers import scoped
    from qualify.testing.tests.import_helpers import csv_file, in_testing

    required = scoped(in_testing(cast.case_a)).required
    cast.qt_import = results_preview(
        actor=cast.actor("lead_a"),
        case=cast.case_a,
        kind="",
        source_name="matrix.csv",
        data=csv_file(f"{required[0]},Passed,2026-03-04,Tess,"),
    )
    cast.qt_required = required


def _ref(c) -> str:  # type: ignore[no-untyped-def]
    return str(c.case_a.reference)


def _api(c, *rest: str) -> str:  # type: ignore[no-untyped-def]
    return "/".join([f"/api/v1/testing/cases/{_ref(c)}/results/imports", *rest])


def _push(c):  # type: ignore[no-untyped-def]
    return {"results": [{"test_case_id": c.qt_required[1], "outcome": "Failed", "comment": "matrix"}]}


ROWS = [
    page("testing:imports", lambda c: reverse("testing:imports", args=[_ref(c)]), SEE),
    # Without a file the form comes back with its error (422); only the participant's writers get that far.
    page(
        "testing:import_upload",
        lambda c: reverse("testing:import_upload", args=[_ref(c)]),
        {**every(WRITERS, 422), **every(NOT_WRITERS, 403), "lead_b": 404},
        method="post",
    ),
    page(
        "testing:import_detail",
        lambda c: reverse("testing:import_detail", args=[_ref(c), str(c.qt_import.uuid)]),
        SEE,
    ),
    page(
        "testing:import_apply",
        lambda c: reverse("testing:import_apply", args=[_ref(c), str(c.qt_import.uuid)]),
        {**every(WRITERS, 302), **every(NOT_WRITERS, 403), "lead_b": 404},
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    endpoint("GET /testing/cases/{ref}/results/imports", lambda c: _api(c), {**SEE, "machine": 403}),
    endpoint(
        "GET /testing/cases/{ref}/results/imports/{key}",
        lambda c: _api(c, str(c.qt_import.uuid)),
        {**SEE, "machine": 403},
    ),
    endpoint(
        "POST /testing/cases/{ref}/results/imports",
        lambda c: _api(c),
        {**every(WRITERS, 201), **every(NOT_WRITERS, 403), "lead_b": 404, "machine": 403},
        method="post",
        data=_push,
    ),
    endpoint(
        "POST /testing/cases/{ref}/results/imports/{key}/apply",
        lambda c: _api(c, str(c.qt_import.uuid), "apply"),
        {**every(WRITERS, 200), **every(NOT_WRITERS, 403), "lead_b": 404, "machine": 403},
        method="post",
    ),
]

assert set(SIGNED_IN) == {*A_MEMBERS, "lead_b", *STAFF}
