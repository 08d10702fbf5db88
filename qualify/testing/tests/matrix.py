"""The test catalogue's pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

PARTICIPANTS = [*A_MEMBERS, "lead_b"]
NOT_ADMIN_STAFF = [s for s in STAFF if s != "admin"]
ASSESSORS = ["bsc", "rec", "dip"]
NOT_ASSESSORS = [s for s in SIGNED_IN if s not in ASSESSORS]
# Case A's pages: its organisation's members and staff read them; the other organisation does not find them.
READ_A = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}
# Only case A's lead writes (a 302 page or a 200/201 answer); its other members and staff are refused.
WRITE_A_PAGE = {"lead_a": 302, "contributor_a": 403, "viewer_a": 403, "lead_b": 404, **every(STAFF, 403)}
# Case B's lead writes; organisation A does not find case B.
WRITE_B_PAGE = {**every(A_MEMBERS, 404), "lead_b": 302, **every(STAFF, 403)}
ONLY_ASSESSORS_PAGE = {**every(NOT_ASSESSORS, 403), **every(ASSESSORS, 302)}


def _a(name: str, c, *rest: str) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[c.case_a.reference, *rest])


def _ok(expect: dict[str | None, int], status: int) -> dict[str | None, int]:
    """An endpoint's answer for the same people as a page's: 302 becomes ``status``."""
    return {k: (status if v == 302 else v) for k, v in expect.items()}


def _proposal_form(cast):  # type: ignore[no-untyped-def]
    return {"relied_on_name": "Acme Billing", "relied_on_kind": "SOFTWARE_PROVIDER", "covers": "QT-005, QT-006"}


def _proposal_json(cast):  # type: ignore[no-untyped-def]
    return {"relied_on_name": "Acme Billing", "relied_on_kind": "SOFTWARE_PROVIDER", "covers": ["QT-005", "QT-006"]}


def prepare(cast):  # type: ignore[no-untyped-def,no-redef]
    """Version 1.0 published; version 1.1 baselined in the library (superseding 1.0's record), loaded as a draft."""
    from qualify.testing.tests.helpers import library_version, load, publish_sample

    publish_sample("1.0")
    library_version("1.1")
    load("1.1")
    _prepare_scoping(cast)


def _prepare_scoping(cast):  # type: ignore[no-untyped-def]
    """Case A pre-qualified and scoped by the BSC, with a draft reliance proposal; case B's form complete but not
    submitted, with a proposal put to the Code Bodies."""
    from qualify.cases.services import case_transition
    from qualify.testing.services.reliance import reliance_draft, reliance_propose
    from qualify.testing.tests.helpers import lead_of, prequalify

    prequalify(cast.case_a)
    case_transition(actor=cast.actor("bsc"), case=cast.case_a, name="scope", comment="matrix")
    prequalify(cast.case_b, submit=False)

    def draft(case):  # type: ignore[no-untyped-def]
        return reliance_draft(
            actor=lead_of(case), case=case, relied_on_name="Acme Billing", relied_on_kind="SOFTWARE_PROVIDER",
            covers=["QT-005"],
        )  # fmt: skip

    cast.proposal_a = draft(cast.case_a).reference
    cast.proposal_b = reliance_propose(actor=lead_of(cast.case_b), proposal=draft(cast.case_b)).reference


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
    endpoint(
        "GET /testing/catalogues", lambda c: "/api/v1/testing/catalogues", {**every(SIGNED_IN, 200), "machine": 403}
    ),
    endpoint(
        "GET /testing/catalogues/{key}",
        lambda c: "/api/v1/testing/catalogues/1.1",
        {**every(PARTICIPANTS, 404), **every(STAFF, 200), "machine": 403},
    ),
    endpoint(
        "GET /testing/catalogues/{key} (published)",
        lambda c: "/api/v1/testing/catalogues/1.0",
        {**every(SIGNED_IN, 200), "machine": 403},
    ),
    endpoint(
        "POST /testing/catalogues",
        lambda c: "/api/v1/testing/catalogues",
        {**every(SIGNED_IN, 403), "admin": 201, "machine": 403},
        method="post",
        data=_upload,
    ),
    # A draft is not found for a participant (as on the pages); staff other than the Programme's admin are refused.
    endpoint(
        "POST /testing/catalogues/{key}/publish",
        lambda c: "/api/v1/testing/catalogues/1.1/publish",
        {**every(PARTICIPANTS, 404), **every(NOT_ADMIN_STAFF, 403), "admin": 200, "machine": 403},
        method="post",
    ),
    # --- pre-qualification, Placing Reliance and scoping ---
    page("testing:prequalification", lambda c: _a("testing:prequalification", c), READ_A),
    page(
        "testing:prequalification (save)",
        lambda c: reverse("testing:prequalification", args=[c.case_b.reference]),
        WRITE_B_PAGE,
        method="post",
        data=lambda c: {"pit_approach": "matrix"},
    ),
    page(
        "testing:prequalification_submit",
        lambda c: reverse("testing:prequalification_submit", args=[c.case_b.reference]),
        WRITE_B_PAGE,
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    page("testing:case_reliance", lambda c: _a("testing:case_reliance", c), READ_A),
    page(
        "testing:case_reliance (draft)",
        lambda c: _a("testing:case_reliance", c),
        WRITE_A_PAGE,
        method="post",
        data=_proposal_form,
    ),
    page("testing:proposal", lambda c: reverse("testing:proposal", args=[c.proposal_a]), READ_A),
    page(
        "testing:proposal (edit)",
        lambda c: reverse("testing:proposal", args=[c.proposal_a]),
        WRITE_A_PAGE,
        method="post",
        data=_proposal_form,
    ),
    page(
        "testing:proposal_evidence",
        lambda c: reverse("testing:proposal_evidence", args=[c.proposal_a]),
        WRITE_A_PAGE,
        method="post",
    ),
    page(
        "testing:proposal_propose",
        lambda c: reverse("testing:proposal_propose", args=[c.proposal_a]),
        WRITE_A_PAGE,
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    page(
        "testing:proposal_withdraw",
        lambda c: reverse("testing:proposal_withdraw", args=[c.proposal_a]),
        WRITE_A_PAGE,
        method="post",
        data=lambda c: {"confirm": "on", "reason": "matrix"},
    ),
    page(
        "testing:proposal_decide",
        lambda c: reverse("testing:proposal_decide", args=[c.proposal_b]),
        ONLY_ASSESSORS_PAGE,
        method="post",
        data=lambda c: {"confirm": "on", "outcome": "ACCEPTED", "reasons": "matrix"},
    ),
    page("testing:reliance_providers", lambda c: reverse("testing:reliance_providers"), every(SIGNED_IN, 200)),
    page(
        "testing:reliance_graph",
        lambda c: reverse("testing:reliance_graph") + "?name=acme+billing",
        every(SIGNED_IN, 200),
    ),
    page("testing:case_scope", lambda c: _a("testing:case_scope", c), READ_A),
    page(
        "testing:case_rescope",
        lambda c: _a("testing:case_rescope", c),
        ONLY_ASSESSORS_PAGE,
        method="post",
        data=lambda c: {"confirm": "on", "reason": "matrix"},
    ),
    endpoint(
        "GET /testing/cases/{key}/prequalification",
        lambda c: f"/api/v1/testing/cases/{c.case_a.reference}/prequalification",
        {**READ_A, "machine": 403},
    ),
    endpoint(
        "POST /testing/cases/{key}/prequalification",
        lambda c: f"/api/v1/testing/cases/{c.case_b.reference}/prequalification",
        {**_ok(WRITE_B_PAGE, 200), "machine": 403},
        method="post",
        data=lambda c: {"pit_approach": "matrix", "preferred_wave": "W1"},
    ),
    endpoint(
        "POST /testing/cases/{key}/prequalification/submit",
        lambda c: f"/api/v1/testing/cases/{c.case_b.reference}/prequalification/submit",
        {**_ok(WRITE_B_PAGE, 200), "machine": 403},
        method="post",
    ),
    endpoint(
        "GET /testing/cases/{key}/reliance",
        lambda c: f"/api/v1/testing/cases/{c.case_a.reference}/reliance",
        {**READ_A, "machine": 403},
    ),
    endpoint(
        "POST /testing/cases/{key}/reliance",
        lambda c: f"/api/v1/testing/cases/{c.case_a.reference}/reliance",
        {**_ok(WRITE_A_PAGE, 201), "machine": 403},
        method="post",
        data=_proposal_json,
    ),
    endpoint(
        "GET /testing/reliance/{key}", lambda c: f"/api/v1/testing/reliance/{c.proposal_a}", {**READ_A, "machine": 403}
    ),
    endpoint(
        "POST /testing/reliance/{key}",
        lambda c: f"/api/v1/testing/reliance/{c.proposal_a}",
        {**_ok(WRITE_A_PAGE, 200), "machine": 403},
        method="post",
        data=_proposal_json,
    ),
    # Sent without a file: the lead passes the permission check and is told the file is missing (422).
    endpoint(
        "POST /testing/reliance/{key}/evidence",
        lambda c: f"/api/v1/testing/reliance/{c.proposal_a}/evidence",
        {**_ok(WRITE_A_PAGE, 422), "machine": 403},
        method="post",
    ),
    endpoint(
        "POST /testing/reliance/{key}/propose",
        lambda c: f"/api/v1/testing/reliance/{c.proposal_a}/propose",
        {**_ok(WRITE_A_PAGE, 200), "machine": 403},
        method="post",
    ),
    endpoint(
        "POST /testing/reliance/{key}/withdraw",
        lambda c: f"/api/v1/testing/reliance/{c.proposal_a}/withdraw",
        {**_ok(WRITE_A_PAGE, 200), "machine": 403},
        method="post",
    ),
    endpoint(
        "POST /testing/reliance/{key}/decisions",
        lambda c: f"/api/v1/testing/reliance/{c.proposal_b}/decisions",
        {**every(NOT_ASSESSORS, 403), **every(A_MEMBERS, 404), **every(ASSESSORS, 201), "machine": 403},
        method="post",
        data=lambda c: {"outcome": "ACCEPTED", "reasons": "matrix"},
    ),
    endpoint(
        "GET /testing/reliance-providers",
        lambda c: "/api/v1/testing/reliance-providers",
        {**every(SIGNED_IN, 200), "machine": 403},
    ),
    endpoint(
        "GET /testing/reliance-graph",
        lambda c: "/api/v1/testing/reliance-graph?name=Acme%20Billing",
        {**every(SIGNED_IN, 200), "machine": 403},
    ),
    endpoint(
        "GET /testing/cases/{key}/scope",
        lambda c: f"/api/v1/testing/cases/{c.case_a.reference}/scope",
        {**READ_A, "machine": 403},
    ),
    endpoint(
        "POST /testing/cases/{key}/rescope",
        lambda c: f"/api/v1/testing/cases/{c.case_a.reference}/rescope",
        {**every(NOT_ASSESSORS, 403), "lead_b": 404, **every(ASSESSORS, 200), "machine": 403},
        method="post",
        data=lambda c: {"reason": "matrix"},
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
        {**READ, "machine": 403},
    ),
    endpoint(
        "POST /testing/cases/{key}/prerequisites",
        lambda c: f"/api/v1/testing/cases/{_case_a(c)}/prerequisites",
        {**every(A_EDITORS, 201), "viewer_a": 403, "lead_b": 404, **every(STAFF, 403), "machine": 403},
        method="post",
        data=lambda c: {"kind": "PIT_EXIT", "completed_on": "2026-11-01"},
    ),
    endpoint(
        "POST /testing/cases/{key}/prerequisites/{kind}/accept",
        lambda c: f"/api/v1/testing/cases/{_case_a(c)}/prerequisites/DIP_ONBOARDING/accept",
        {**every(A_MEMBERS, 403), "lead_b": 404, **every(ASSESSORS, 200), **every(NOT_ASSESSORS, 403), "machine": 403},
        method="post",
    ),
    endpoint(
        "POST /testing/cases/{key}/prerequisites/{kind}/send-back",
        lambda c: f"/api/v1/testing/cases/{_case_a(c)}/prerequisites/DIP_ONBOARDING/send-back",
        {**every(A_MEMBERS, 403), "lead_b": 404, **every(ASSESSORS, 200), **every(NOT_ASSESSORS, 403), "machine": 403},
        method="post",
        data=lambda c: {"comment": "matrix"},
    ),
    endpoint(
        "GET /testing/cases/{key}/gates",
        lambda c: f"/api/v1/testing/cases/{_case_a(c)}/gates",
        {**READ, "machine": 403},
    ),
]
