"""The QAD's pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from qualify.qad.tests.helpers import complete, open_qad, publish_sample, to_pit, upload_pdf
from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

ref = lambda c: c.case_a.reference  # noqa: E731
EDITORS = ["lead_a", "contributor_a"]
OTHERS = ["viewer_a", *STAFF]


def prepare(cast):  # type: ignore[no-untyped-def]
    """A published version; case A in PIT with a complete QAD, one evidence file and an Initial submission."""
    from qualify.qad.services import submission_create

    cast.qad_version = publish_sample()
    lead = cast.actor("lead_a")
    cast.qad_a = open_qad(cast.case_a, lead)
    to_pit(cast.case_a, cast)
    complete(cast.qad_a, lead)
    cast.qad_evidence = upload_pdf(cast.qad_a, lead, [])
    cast.qad_submission = submission_create(actor=lead, response=cast.qad_a, kind="INITIAL")
    cast.case_a.refresh_from_db()


ROWS = [
    page("qad:versions", lambda c: reverse("qad:versions"), every(SIGNED_IN, 200)),
    page(
        "qad:version_upload",
        lambda c: reverse("qad:version_upload"),
        {**every(SIGNED_IN, 403), "admin": 200},
        method="post",
    ),
    page("qad:version_detail", lambda c: reverse("qad:version_detail", args=["3.2"]), every(SIGNED_IN, 200)),
    page(
        "qad:version_publish",
        lambda c: reverse("qad:version_publish", args=["3.2"]),
        {**every(SIGNED_IN, 403), "admin": 302},
        method="post",
    ),
    page("qad:version_xlsx", lambda c: reverse("qad:version_xlsx", args=["3.2"]), every(SIGNED_IN, 200)),
    page(
        "qad:case",
        lambda c: reverse("qad:case", args=[ref(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "qad:section",
        lambda c: reverse("qad:section", args=[ref(c), "4.5"]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    # Without htmx the answer form posts and redirects back with a message (saved, or the refusal in words).
    page(
        "qad:answer",
        lambda c: reverse("qad:answer", args=[ref(c), "Q-4.5.6"]),
        {**every(SIGNED_IN, 302), "lead_b": 404},
        method="post",
        data=lambda c: {"value": "Retried from the dead-letter queue."},
    ),
    page(
        "qad:evidence_upload",
        lambda c: reverse("qad:evidence_upload", args=[ref(c)]),
        {**every(SIGNED_IN, 302), "lead_b": 404},
        method="post",
    ),
    page(
        "qad:evidence_link",
        lambda c: reverse("qad:evidence_link", args=[ref(c)]),
        {**every(SIGNED_IN, 302), "lead_b": 404},
        method="post",
        data=lambda c: {"evidence": str(c.qad_evidence.uuid), "question": "Q-4.5.6"},
    ),
    # The evidence picker: the organisation's people and assessors see the files (Attach buttons only for editors).
    page(
        "qad:evidence_picker",
        lambda c: reverse("qad:evidence_picker", args=[ref(c)]) + "?question=Q-4.5.6&search=evidence",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "qad:evidence_download",
        lambda c: reverse("qad:evidence_download", args=[str(c.qad_evidence.uuid)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "qad:submit",
        lambda c: reverse("qad:submit", args=[ref(c)]),
        {**every(SIGNED_IN, 302), "lead_b": 404},
        method="post",
        data=lambda c: {"kind": "INITIAL"},
    ),
    page(
        "qad:import",
        lambda c: reverse("qad:import", args=[ref(c)]),
        {**every(SIGNED_IN, 302), "lead_b": 404},
        method="post",
    ),
    page(
        "qad:move_version",
        lambda c: reverse("qad:move_version", args=[ref(c)]) + "?to=3.2",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "qad:draft_export",
        lambda c: reverse("qad:draft_export", args=[ref(c), "docx"]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "qad:submission",
        lambda c: reverse("qad:submission", args=[c.qad_submission.reference]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "qad:declare",
        lambda c: reverse("qad:declare", args=[c.qad_submission.reference]),
        {**every(SIGNED_IN, 302), "lead_b": 404},
        method="post",
    ),
    page(
        "qad:submission_export",
        lambda c: reverse("qad:submission_export", args=[c.qad_submission.reference, "json"]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    endpoint("GET /qad/versions", lambda c: "/api/v1/qad/versions", every(SIGNED_IN, 200)),
    endpoint(
        "GET /qad/cases/{key}",
        lambda c: f"/api/v1/qad/cases/{ref(c)}",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    endpoint(
        "GET /qad/cases/{key}/questions",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/questions",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    endpoint(
        "POST /qad/cases/{key}/answers/{question_id}",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/answers/Q-4.5.6",
        {**every(EDITORS, 200), **every(OTHERS, 403), "lead_b": 404},
        method="post",
        data=lambda c: {"value": "Retried from the dead-letter queue."},
    ),
    # JSON instead of multipart: editors are told to send the file (422); everyone else is refused before that.
    endpoint(
        "POST /qad/cases/{key}/evidence",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/evidence",
        {**every(EDITORS, 422), **every(OTHERS, 403), "lead_b": 404},
        method="post",
    ),
    endpoint(
        "GET /qad/cases/{key}/submissions",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/submissions",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    # Case A is already past PIT: editors get 409 (no Initial QAD now), others 403, outsiders 404.
    endpoint(
        "POST /qad/cases/{key}/submissions",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/submissions",
        {**every(EDITORS, 409), **every(OTHERS, 403), "lead_b": 404},
        method="post",
        data=lambda c: {"kind": "INITIAL"},
    ),
    endpoint(
        "GET /qad/submissions/{reference}",
        lambda c: f"/api/v1/qad/submissions/{c.qad_submission.reference}",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    # An Initial submission takes no declaration: the lead gets 422, everyone else 403, outsiders 404.
    endpoint(
        "POST /qad/submissions/{reference}/declaration",
        lambda c: f"/api/v1/qad/submissions/{c.qad_submission.reference}/declaration",
        {**every(SIGNED_IN, 403), "lead_a": 422, "lead_b": 404},
        method="post",
        data=lambda c: {"name": "Dana Director", "position": "Director", "email": "d@northwind.test", "statement": "x"},
    ),
]
