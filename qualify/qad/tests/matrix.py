"""The QAD's pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py)."""

from __future__ import annotations

from django.urls import reverse

from qualify.qad.tests.helpers import complete, open_qad, publish_sample, to_pit, upload_pdf
from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

ref = lambda c: c.case_a.reference  # noqa: E731
EDITORS = ["lead_a", "contributor_a"]
INVITEE = "viewer_a"  # the cast has no director: the viewer stands in for the person the lead invites
OTHERS = ["viewer_a", *STAFF]


def prepare(cast):  # type: ignore[no-untyped-def]
    """A published version; case A in PIT with a complete QAD, one evidence file and an Initial submission; case A's
    MEM agreed on its Final QAD, with an invitation to viewer_a to declare."""
    from qualify.cases.models import QualificationCase
    from qualify.cases.services import case_transition
    from qualify.qad.declarations import declaration_invite
    from qualify.qad.services import submission_create
    from qualify.testing.tests.helpers import satisfy_testing_gates

    cast.qad_version = publish_sample()
    lead = cast.actor("lead_a")
    cast.qad_a = open_qad(cast.case_a, lead)
    to_pit(cast.case_a, cast)
    complete(cast.qad_a, lead)
    cast.qad_evidence = upload_pdf(cast.qad_a, lead, [])
    cast.qad_submission = submission_create(actor=lead, response=cast.qad_a, kind="INITIAL")
    cast.case_a.refresh_from_db()

    mem = open_qad(cast.case_a_mem, lead)
    to_pit(cast.case_a_mem, cast)
    complete(mem, lead)
    submission_create(actor=lead, response=mem, kind="INITIAL")
    satisfy_testing_gates(cast.case_a_mem)
    case_transition(actor=cast.actor("dip"), case=cast.case_a_mem, name="start_testing", comment="matrix")
    case_transition(actor=cast.actor("dip"), case=cast.case_a_mem, name="complete_testing", comment="matrix")
    submission_create(actor=lead, response=mem, kind="FINAL")
    # Set-up only: the Code Bodies' agreement is the assessment app's (its guards are tested there).
    QualificationCase.objects.filter(pk=cast.case_a_mem.pk).update(state="AGREED")
    cast.case_a_mem.refresh_from_db()
    issued = declaration_invite(actor=lead, case=cast.case_a_mem, email=cast.user(INVITEE).email, capacity="DIRECTOR")
    cast.invitation, cast.declaration_token = issued.invitation, issued.token


def frozen_uuid(c):  # type: ignore[no-untyped-def]
    """An evidence file frozen in case A's Initial submission."""
    import json

    items = json.loads(c.qad_submission.content)["questions"]
    return next(e["uuid"] for q in items for e in q["evidence"])


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
        data=lambda c: {"confirm": "on"},
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
        data=lambda c: {"kind": "INITIAL", "confirm": "on"},
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
        "qad:frozen_evidence",
        lambda c: reverse("qad:frozen_evidence", args=[c.qad_submission.reference, frozen_uuid(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page(
        "qad:declaration_invite",
        lambda c: reverse("qad:declaration_invite", args=[c.case_a_mem.reference]),
        {**every(SIGNED_IN, 302), "lead_b": 404},  # refused with a message but the lead's (one is open already)
        method="post",
        data=lambda c: {"email": "dana@northwind.test", "capacity": "DIRECTOR"},
    ),
    page(
        "qad:invitation_cancel",
        lambda c: reverse("qad:invitation_cancel", args=[str(c.invitation.uuid)]),
        {**every(SIGNED_IN, 302), "lead_b": 404},
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    page(
        "qad:invitation_resend",
        lambda c: reverse("qad:invitation_resend", args=[str(c.invitation.uuid)]),
        {**every(SIGNED_IN, 302), "lead_b": 404},
        method="post",
    ),
    # The e-mailed link: anyone holding it sees whom it is for; the invitee's account takes it (on to the
    # declaration), any other account is told it is for someone else.
    page(
        "qad:invitation",
        lambda c: reverse("qad:invitation", args=[c.declaration_token]),
        {None: 200, **every(SIGNED_IN, 403), INVITEE: 302},
    ),
    page(
        "qad:declaration",
        lambda c: reverse("qad:declaration", args=[str(c.invitation.uuid)]),
        {**every(SIGNED_IN, 404), INVITEE: 200},
    ),
    # Posting the form shows the confirmation first (200); nobody else reaches it.
    page(
        "qad:declaration_declare",
        lambda c: reverse("qad:declaration_declare", args=[str(c.invitation.uuid)]),
        {**every(SIGNED_IN, 404), INVITEE: 200},
        method="post",
        data=lambda c: {"position": "Director", "confirm": "on"},
    ),
    page(
        "qad:submission_export",
        lambda c: reverse("qad:submission_export", args=[c.qad_submission.reference, "json"]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    endpoint("GET /qad/versions", lambda c: "/api/v1/qad/versions", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint(
        "GET /qad/cases/{key}",
        lambda c: f"/api/v1/qad/cases/{ref(c)}",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200), "machine": 403},
    ),
    endpoint(
        "GET /qad/cases/{key}/questions",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/questions",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200), "machine": 403},
    ),
    endpoint(
        "POST /qad/cases/{key}/answers/{question_id}",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/answers/Q-4.5.6",
        {**every(EDITORS, 200), **every(OTHERS, 403), "lead_b": 404, "machine": 403},
        method="post",
        data=lambda c: {"value": "Retried from the dead-letter queue."},
    ),
    # JSON instead of multipart: editors are told to send the file (422); everyone else is refused before that.
    endpoint(
        "POST /qad/cases/{key}/evidence",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/evidence",
        {**every(EDITORS, 422), **every(OTHERS, 403), "lead_b": 404, "machine": 403},
        method="post",
    ),
    endpoint(
        "GET /qad/cases/{key}/submissions",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/submissions",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200), "machine": 403},
    ),
    # Case A is already past PIT: editors get 409 (no Initial QAD now), others 403, outsiders 404.
    endpoint(
        "POST /qad/cases/{key}/submissions",
        lambda c: f"/api/v1/qad/cases/{ref(c)}/submissions",
        {**every(EDITORS, 409), **every(OTHERS, 403), "lead_b": 404, "machine": 403},
        method="post",
        data=lambda c: {"kind": "INITIAL"},
    ),
    endpoint(
        "GET /qad/submissions/{reference}",
        lambda c: f"/api/v1/qad/submissions/{c.qad_submission.reference}",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200), "machine": 403},
    ),
    # The declaration: case A's MEM is agreed and the lead has invited viewer_a (as if the director) to declare.
    endpoint(
        "POST /qad/cases/{key}/declaration-invitations",
        lambda c: f"/api/v1/qad/cases/{c.case_a_mem.reference}/declaration-invitations",
        {
            **every(SIGNED_IN, 403),
            "lead_a": 409,
            "lead_b": 404,
            "machine": 403,
        },  # the lead: one invitation is already open
        method="post",
        data=lambda c: {"email": "dana@northwind.test", "capacity": "DIRECTOR"},
    ),
    endpoint(
        "POST /qad/declaration-invitations/{uuid}/cancel",
        lambda c: f"/api/v1/qad/declaration-invitations/{c.invitation.uuid}/cancel",
        {**every(SIGNED_IN, 403), "lead_a": 200, "lead_b": 404, "machine": 403},
        method="post",
    ),
    endpoint(
        "POST /qad/declaration-invitations/{uuid}/resend",
        lambda c: f"/api/v1/qad/declaration-invitations/{c.invitation.uuid}/resend",
        {**every(SIGNED_IN, 403), "lead_a": 200, "lead_b": 404, "machine": 403},
        method="post",
    ),
    # Only the invited person sees the snapshot or declares; everyone else, the organisation's lead included, 404.
    endpoint(
        "GET /qad/declarations/{uuid}",
        lambda c: f"/api/v1/qad/declarations/{c.invitation.uuid}",
        {**every(SIGNED_IN, 404), INVITEE: 200, "machine": 403},
    ),
    endpoint(
        "POST /qad/declarations/{uuid}",
        lambda c: f"/api/v1/qad/declarations/{c.invitation.uuid}",
        {**every(SIGNED_IN, 404), INVITEE: 422, "machine": 403},  # without confirming, nothing is declared
        method="post",
        data=lambda c: {"position": "Director", "confirm": False},
    ),
]
