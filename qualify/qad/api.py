"""The QAD over the API: applicable questions, answers, evidence upload, submissions, snapshots and the declaration
(the lead's invitation, the invited person's snapshot and declaration).

Same services and selectors as the pages, so the same rules: out of scope is 404, not allowed is 403, a stale answer
409, an incomplete QAD 422 with the list of what is missing.
"""

import datetime as dt
import json
import uuid as uuid_mod
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from qualify.accounts.reauth import refuse_stale_session_call
from qualify.cases.models import QualificationCase
from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.errors import ValidationFailed
from qualify.core.requests import actor_of
from qualify.qad import declarations as decl
from qualify.qad import evidence as ev
from qualify.qad import rules
from qualify.qad.models import Answer, DeclarationInvitation, EvidenceFile, QadResponse, QadSubmission
from qualify.qad.permissions import can_edit_answers
from qualify.qad.selectors import (
    QadView,
    case_for_qad,
    invitation_get,
    qad_view,
    submission_get,
    submission_list,
    version_list,
)
from qualify.qad.services import (
    answer_save,
    evidence_upload,
    response_open,
    submission_create,
)

router = Router(tags=["qad"])


class QadVersionOut(Schema):
    uuid: uuid_mod.UUID
    version: str
    title: str
    document_status: str
    published_at: dt.datetime | None


class MissingOut(Schema):
    number: str
    question: str
    what: str


class SectionOut(Schema):
    number: str
    title: str
    owner: str
    answered: int
    total: int


class QadOut(Schema):
    case: str
    version: str
    revision: int
    exemptions: list[str]
    sections: list[SectionOut]
    missing: list[MissingOut]


class EvidenceOut(Schema):
    uuid: uuid_mod.UUID
    name: str
    size: int
    sha256: str
    content_kind: str
    evidence_as_of: dt.date
    uploaded_at: dt.datetime
    uploaded_by: str


class QuestionOut(Schema):
    id: str
    number: str
    section: str
    text: str
    guidance: str
    answer_type: str
    choices: list[str]
    columns: list[dict[str, str]]
    mandatory: bool
    evidence_required: bool
    evidence_kinds: list[str]
    owner: str
    advisory: bool = Field(
        description="Asked of this case's role for information only: its owner does not approve the role, so nobody "
        "assesses the answer (docs/qad-format.md)."
    )
    answer: Any = None
    answer_version: int
    evidence: list[EvidenceOut]


class AnswerIn(Schema):
    value: Any = None
    expected_version: int | None = None


class AnswerOut(Schema):
    question: str
    value: Any = None
    version: int
    revision: int


class SubmissionIn(Schema):
    kind: str


class DeclarationOut(Schema):
    name: str
    position: str
    email: str
    capacity: str
    snapshot_sha256: str
    declared_at: dt.datetime
    signatory: str | None = None
    void: bool = False


class SubmissionOut(Schema):
    reference: str
    kind: str
    case: str
    qad_version: str
    sha256: str
    submitted_at: dt.datetime
    submitted_by: str
    declaration: DeclarationOut | None = None


class SnapshotOut(SubmissionOut):
    canonical: str
    snapshot: dict[str, Any]


class DeclarationInvitationIn(Schema):
    email: str
    capacity: str = "DIRECTOR"
    name: str = ""


class DeclarationInvitationOut(Schema):
    uuid: uuid_mod.UUID
    case: str
    submission: str
    email: str
    capacity: str
    status: str
    expires_at: dt.datetime
    invited_by: str


class DeclarationIn(Schema):
    position: str
    confirm: bool = False


class DeclarantSnapshotOut(Schema):
    invitation: DeclarationInvitationOut
    reference: str
    sha256: str
    statement: str
    canonical: str
    snapshot: dict[str, Any]
    declaration: DeclarationOut | None = None


def _open(request: HttpRequest, key: str) -> tuple[QualificationCase, QadResponse]:
    actor = actor_of(request)
    case = case_for_qad(actor=actor, key=key)
    return case, response_open(actor=actor, case=case)


def _evidence_out(e: EvidenceFile) -> dict[str, Any]:
    return {
        "uuid": e.uuid,
        "name": e.original_name,
        "size": e.size,
        "sha256": e.sha256,
        "content_kind": e.content_kind,
        "evidence_as_of": e.evidence_as_of,
        "uploaded_at": e.created_at,
        "uploaded_by": e.uploaded_by_name,
    }


def _qad_out(view: QadView) -> dict[str, Any]:
    return {
        "case": view.response.case.reference,
        "version": view.response.version.version,
        "revision": view.response.revision,
        "exemptions": view.exemptions,
        "sections": [
            {
                "number": s.section.number,
                "title": s.section.title,
                "owner": s.section.owner,
                "answered": s.answered,
                "total": s.total,
            }
            for s in view.sections
        ],
        "missing": [{"number": m.number, "question": m.qid, "what": m.what} for m in view.missing()],
    }


def _submission_out(s: QadSubmission) -> dict[str, Any]:
    declaration = getattr(s, "declaration", None) if hasattr(s, "declaration") else None
    return {
        "reference": s.reference,
        "kind": s.kind,
        "case": s.case.reference,
        "qad_version": s.qad_version,
        "sha256": s.sha256,
        "submitted_at": s.created_at,
        "submitted_by": s.submitted_by_name,
        "declaration": _declaration_out(declaration) if declaration is not None else None,
    }


@router.get("/qad/versions", response=list[QadVersionOut], summary="QAD versions (drafts too, for staff)")
@paginate(BoundedLimitOffsetPagination)
def list_versions(request: HttpRequest) -> Any:
    return version_list(actor=actor_of(request))


@router.get("/qad/cases/{key}", response=QadOut, summary="A case's QAD: version, progress per section, what is missing")
def get_qad(request: HttpRequest, key: str) -> dict[str, Any]:
    _, response = _open(request, key)
    return _qad_out(qad_view(actor=actor_of(request), response=response))


@router.get(
    "/qad/cases/{key}/questions",
    response=list[QuestionOut],
    summary="The questions that apply to the case (role, route, exemptions) with answers and evidence",
)
def list_questions(request: HttpRequest, key: str) -> list[dict[str, Any]]:
    _, response = _open(request, key)
    view = qad_view(actor=actor_of(request), response=response)
    role = response.case.participation.role
    out = []
    for q in view.questions:
        answer: Answer | None = view.answers.get(q.qid)
        out.append(
            {
                "id": q.qid,
                "number": q.number,
                "section": q.section.number if q.section_id else "",
                "text": q.text,
                "guidance": q.guidance,
                "answer_type": q.answer_type,
                "choices": q.choices,
                "columns": q.columns,
                "mandatory": q.mandatory,
                "evidence_required": q.evidence_required,
                "evidence_kinds": q.evidence_kinds,
                "owner": q.owner,
                "advisory": not rules.assessed_for(q.owner, role),
                "answer": answer.value if answer is not None else None,
                "answer_version": answer.version if answer is not None else 0,
                "evidence": [_evidence_out(link.evidence) for link in view.links.get(q.qid, [])],
            }
        )
    return out


@router.post(
    "/qad/cases/{key}/answers/{question_id}",
    response=AnswerOut,
    summary="Save one answer (send expected_version to have a stale write refused with 409)",
)
def post_answer(request: HttpRequest, key: str, question_id: str, payload: AnswerIn) -> dict[str, Any]:
    _, response = _open(request, key)
    answer = answer_save(
        actor=actor_of(request),
        response=response,
        question_id=question_id,
        value=payload.value,
        expected_version=payload.expected_version,
    )
    return {
        "question": question_id,
        "value": answer.value,
        "version": answer.version,
        "revision": answer.response.revision,
    }


@router.post(
    "/qad/cases/{key}/evidence",
    response=EvidenceOut,
    summary="Upload one evidence file (multipart: file, evidence_as_of, questions)",
)
def post_evidence(request: HttpRequest, key: str) -> dict[str, Any]:
    limit = ev.install_upload_handlers(request)
    case, response = _open(request, key)
    # Refuse before reading the body, so nobody who may not upload can make the server spool a large file.
    can_edit_answers(actor_of(request), case).enforce()
    files = request.FILES
    if limit is not None and limit.exceeded:
        raise ev.too_big_error()
    upload = files.get("file")
    if upload is None:
        raise ValidationFailed("Send the file as the multipart field 'file'.", details={"file": "required"})
    try:
        as_of = dt.date.fromisoformat(request.POST.get("evidence_as_of", ""))
    except ValueError:
        raise ValidationFailed(
            "Send evidence_as_of as a date (YYYY-MM-DD).", details={"evidence_as_of": "required"}
        ) from None
    questions = [q.strip() for value in request.POST.getlist("questions") for q in value.split(",") if q.strip()]
    evidence = evidence_upload(
        actor=actor_of(request),
        response=response,
        upload=upload.file,  # type: ignore[arg-type]  # an uploaded file always has its file
        name=upload.name or "",
        size=upload.size or 0,
        evidence_as_of=as_of,
        question_ids=questions,
    )
    return _evidence_out(evidence)


@router.get("/qad/cases/{key}/submissions", response=list[SubmissionOut], summary="A case's QAD submissions")
@paginate(BoundedLimitOffsetPagination)
def list_submissions(request: HttpRequest, key: str) -> Any:
    _, response = _open(request, key)
    return [_submission_out(s) for s in submission_list(actor=actor_of(request), response=response)]


@router.post(
    "/qad/cases/{key}/submissions",
    response=SubmissionOut,
    summary="Submit the Initial or Final QAD (422 lists what is missing; the case moves in the same step)",
)
def post_submission(request: HttpRequest, key: str, payload: SubmissionIn) -> dict[str, Any]:
    _, response = _open(request, key)
    submission = submission_create(actor=actor_of(request), response=response, kind=payload.kind)
    return _submission_out(submission)


@router.get("/qad/submissions/{reference}", response=SnapshotOut, summary="One frozen snapshot with its hash")
def get_submission(request: HttpRequest, reference: str) -> dict[str, Any]:
    submission = submission_get(actor=actor_of(request), reference=reference)
    return {
        **_submission_out(submission),
        "canonical": submission.content,
        "snapshot": json.loads(submission.content),
    }


def _declaration_out(declaration: Any) -> dict[str, Any]:
    return {
        "name": declaration.name,
        "position": declaration.position,
        "email": declaration.email,
        "capacity": declaration.capacity,
        "snapshot_sha256": declaration.snapshot_sha256,
        "declared_at": declaration.created_at,
        "signatory": declaration.email if declaration.signatory_id is not None else None,
        "void": decl.declaration_is_void(declaration),
    }


def _invitation_out(invitation: DeclarationInvitation) -> dict[str, Any]:
    return {
        "uuid": invitation.uuid,
        "case": invitation.case.reference,
        "submission": invitation.submission.reference,
        "email": invitation.email,
        "capacity": invitation.capacity,
        "status": str(decl.status_of(invitation)),
        "expires_at": invitation.expires_at,
        "invited_by": invitation.invited_by_name,
    }


@router.post(
    "/qad/cases/{key}/declaration-invitations",
    response={201: DeclarationInvitationOut},
    summary="Invite the director (or delegate) to declare on the latest Final QAD (the lead, once agreed)",
)
def post_invitation(request: HttpRequest, key: str, payload: DeclarationInvitationIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    case = case_for_qad(actor=actor, key=key)
    issued = decl.declaration_invite(
        actor=actor,
        case=case,
        email=payload.email,
        capacity=payload.capacity,
        name=payload.name,
        site=request.build_absolute_uri("/"),
    )
    return Status(201, _invitation_out(issued.invitation))


@router.post(
    "/qad/declaration-invitations/{uuid}/cancel",
    response=DeclarationInvitationOut,
    summary="Cancel a declaration invitation (the lead): its link stops working",
)
def post_invitation_cancel(request: HttpRequest, uuid: str) -> dict[str, Any]:
    actor = actor_of(request)
    invitation = decl.declaration_invitation_cancel(actor=actor, invitation=invitation_get(actor=actor, uuid=uuid))
    return _invitation_out(invitation)


@router.post(
    "/qad/declaration-invitations/{uuid}/resend",
    response=DeclarationInvitationOut,
    summary="Send a declaration invitation again (the lead): a new link and expiry; the old link stops working",
)
def post_invitation_resend(request: HttpRequest, uuid: str) -> dict[str, Any]:
    actor = actor_of(request)
    issued = decl.declaration_invitation_resend(
        actor=actor, invitation=invitation_get(actor=actor, uuid=uuid), site=request.build_absolute_uri("/")
    )
    return _invitation_out(issued.invitation)


@router.get(
    "/qad/declarations/{uuid}",
    response=DeclarantSnapshotOut,
    summary="The invited person's view: the snapshot to declare on, with its SHA-256 (404 for anyone else)",
)
def get_declaration(request: HttpRequest, uuid: str) -> dict[str, Any]:
    invitation = decl.invitation_for_declarant(actor=actor_of(request), uuid=uuid)
    submission = invitation.submission
    declaration = invitation.declarations.first()
    return {
        "invitation": _invitation_out(invitation),
        "reference": submission.reference,
        "sha256": submission.sha256,
        "statement": decl.STATEMENT,
        "canonical": submission.content,
        "snapshot": json.loads(submission.content),
        "declaration": _declaration_out(declaration) if declaration is not None else None,
    }


@router.post(
    "/qad/declarations/{uuid}",
    response={201: DeclarationOut},
    summary="Declare, in person, on the invitation's snapshot (confirm must be true); the case is signed with it",
)
def post_declaration(request: HttpRequest, uuid: str, payload: DeclarationIn) -> Status[dict[str, Any]]:
    refuse_stale_session_call(request)  # the director's sign-off: a fresh second factor (issue 16)
    actor = actor_of(request)
    invitation = decl.invitation_for_declarant(actor=actor, uuid=uuid)
    declaration = decl.declaration_make(
        actor=actor, invitation=invitation, position=payload.position, confirmed=payload.confirm
    )
    return Status(201, _declaration_out(declaration))
