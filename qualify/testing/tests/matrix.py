"""The test catalogue's pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

PARTICIPANTS = [*A_MEMBERS, "lead_b"]
NOT_ADMIN_STAFF = [s for s in STAFF if s != "admin"]


def prepare(cast):  # type: ignore[no-untyped-def,no-redef]
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


# The RTTM and the Test Completion Report (matrix_rttm.py): their rows join this app's, set up after the catalogue.
from qualify.testing.tests import matrix_rttm  # noqa: E402

ROWS += matrix_rttm.ROWS
# qt-runs: a case's runs, defects and assurance (rows and set-up in matrix_runs.py).
from qualify.testing.tests import matrix_runs  # noqa: E402

ROWS += matrix_runs.ROWS
# Results imports (matrix_imports.py): their rows, and their set-up after the catalogue's.
from qualify.testing.tests import matrix_imports  # noqa: E402

ROWS += matrix_imports.ROWS
_prepare_catalogue = prepare


def prepare(cast):  # type: ignore[no-untyped-def,no-redef]
    _prepare_catalogue(cast)
    matrix_rttm.prepare(cast)
    matrix_runs.prepare(cast)
    matrix_imports.prepare(cast)
