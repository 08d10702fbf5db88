"""The test catalogue's pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

PARTICIPANTS = [*A_MEMBERS, "lead_b"]
NOT_ADMIN_STAFF = [s for s in STAFF if s != "admin"]


def prepare(cast):  # type: ignore[no-untyped-def]
    """Version 1.0 published; version 1.1 baselined in the library (superseding 1.0's record), loaded as a draft."""
    from qualify.testing.tests.helpers import library_version, load, publish_sample

    publish_sample("1.0")
    library_version("1.1")
    load("1.1")


def _upload(cast):  # type: ignore[no-untyped-def]
    from qualify.testing.tests.helpers import sample_text

    return {"content": sample_text("1.2"), "source_name": "matrix.yaml"}


ROWS = [
    page("testing:catalogues", lambda c: reverse("testing:catalogues"), every(SIGNED_IN, 200)),
    # Without a file the form is shown again with its error (200); only an administrator gets that far.
    page(
        "testing:catalogue_upload",
        lambda c: reverse("testing:catalogue_upload"),
        {**every(SIGNED_IN, 403), "admin": 200},
        method="post",
    ),
    page(
        "testing:catalogue_detail",
        lambda c: reverse("testing:catalogue_detail", args=["1.0"]),
        every(SIGNED_IN, 200),
    ),
    page(
        "testing:catalogue_detail (draft)",
        lambda c: reverse("testing:catalogue_detail", args=["1.1"]),
        {**every(PARTICIPANTS, 404), **every(STAFF, 200)},
    ),
    page(
        "testing:catalogue_publish",
        lambda c: reverse("testing:catalogue_publish", args=["1.1"]),
        {**every(SIGNED_IN, 403), "admin": 302},
        method="post",
        data=lambda c: {"confirm": "1"},
    ),
    endpoint("GET /testing/catalogues", lambda c: "/api/v1/testing/catalogues", every(SIGNED_IN, 200)),
    endpoint(
        "GET /testing/catalogues/{key}",
        lambda c: "/api/v1/testing/catalogues/1.1",
        {**every(PARTICIPANTS, 404), **every(STAFF, 200)},
    ),
    endpoint(
        "GET /testing/catalogues/{key} (published)",
        lambda c: "/api/v1/testing/catalogues/1.0",
        every(SIGNED_IN, 200),
    ),
    endpoint(
        "POST /testing/catalogues",
        lambda c: "/api/v1/testing/catalogues",
        {**every(SIGNED_IN, 403), "admin": 201},
        method="post",
        data=_upload,
    ),
    # A draft is not found for a participant (as on the pages); staff other than the Programme's admin are refused.
    endpoint(
        "POST /testing/catalogues/{key}/publish",
        lambda c: "/api/v1/testing/catalogues/1.1/publish",
        {**every(PARTICIPANTS, 404), **every(NOT_ADMIN_STAFF, 403), "admin": 200},
        method="post",
    ),
]


# --- the testing gates and prerequisites (case A, a Supplier on the QT route) --------------------------------------

_catalogue_prepare = prepare
ASSESSORS = ["bsc", "rec", "dip"]
NOT_ASSESSORS = [s for s in STAFF if s not in ASSESSORS]
A_EDITORS = ["lead_a", "contributor_a"]


def prepare(cast):  # type: ignore[no-untyped-def,no-redef]  # the catalogue's set-up, then the gates'
    import datetime as dt

    from qualify.testing.services.prerequisites import prerequisite_record

    _catalogue_prepare(cast)
    prerequisite_record(
        actor=cast.actor("lead_a"), case=cast.case_a, kind="DIP_ONBOARDING", completed_on=dt.date(2026, 11, 2)
    )


def _case_a(cast):  # type: ignore[no-untyped-def]
    return cast.case_a.reference


READ = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}
RECORD_PAGE = {**every(A_EDITORS, 302), "viewer_a": 403, "lead_b": 404, **every(STAFF, 403)}
REVIEW_PAGE = {**every(A_MEMBERS, 403), "lead_b": 404, **every(ASSESSORS, 302), **every(NOT_ASSESSORS, 403)}

ROWS += [
    page("testing:case_gates", lambda c: reverse("testing:case_gates", args=[_case_a(c)]), READ),
    page("testing:progress_panel", lambda c: reverse("testing:progress_panel", args=[_case_a(c)]), READ),
    page(
        "testing:prerequisite_record",
        lambda c: reverse("testing:prerequisite_record", args=[_case_a(c), "PIT_EXIT"]),
        RECORD_PAGE,
        method="post",
        data=lambda c: {"completed_on": "2026-11-01", "note": "matrix"},
    ),
    page(
        "testing:prerequisite_accept",
        lambda c: reverse("testing:prerequisite_accept", args=[_case_a(c), "DIP_ONBOARDING"]),
        REVIEW_PAGE,
        method="post",
    ),
    page(
        "testing:prerequisite_send_back",
        lambda c: reverse("testing:prerequisite_send_back", args=[_case_a(c), "DIP_ONBOARDING"]),
        REVIEW_PAGE,
        method="post",
        data=lambda c: {"comment": "matrix"},
    ),
    endpoint(
        "GET /testing/cases/{key}/prerequisites",
        lambda c: f"/api/v1/testing/cases/{_case_a(c)}/prerequisites",
        READ,
    ),
    endpoint(
        "POST /testing/cases/{key}/prerequisites",
        lambda c: f"/api/v1/testing/cases/{_case_a(c)}/prerequisites",
        {**every(A_EDITORS, 201), "viewer_a": 403, "lead_b": 404, **every(STAFF, 403)},
        method="post",
        data=lambda c: {"kind": "PIT_EXIT", "completed_on": "2026-11-01"},
    ),
    endpoint(
        "POST /testing/cases/{key}/prerequisites/{kind}/accept",
        lambda c: f"/api/v1/testing/cases/{_case_a(c)}/prerequisites/DIP_ONBOARDING/accept",
        {**every(A_MEMBERS, 403), "lead_b": 404, **every(ASSESSORS, 200), **every(NOT_ASSESSORS, 403)},
        method="post",
    ),
    endpoint(
        "POST /testing/cases/{key}/prerequisites/{kind}/send-back",
        lambda c: f"/api/v1/testing/cases/{_case_a(c)}/prerequisites/DIP_ONBOARDING/send-back",
        {**every(A_MEMBERS, 403), "lead_b": 404, **every(ASSESSORS, 200), **every(NOT_ASSESSORS, 403)},
        method="post",
        data=lambda c: {"comment": "matrix"},
    ),
    endpoint("GET /testing/cases/{key}/gates", lambda c: f"/api/v1/testing/cases/{_case_a(c)}/gates", READ),
]
