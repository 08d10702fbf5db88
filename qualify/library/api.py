"""The library over the API: artefacts, versions, consultations, and comments (staff: submitted ones; participants:
their own, drafts included); answers, the QWG report and governance decisions. Every operation needs
authentication; the public reads the library's pages."""

import datetime as dt
import uuid as uuid_mod

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qualify.accounts.api_auth import PEOPLE_AND_MACHINES
from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.core.requests import actor_of
from qualify.library.models import DOCUMENT_NUMBER_PATTERN, Artefact, ArtefactVersion, Comment, Consultation
from qualify.library.selectors import (
    LibraryFilters,
    approval_status,
    artefact_get,
    artefact_list,
    comment_get,
    comment_list,
    comments_logs_of,
    consultation_get,
    consultation_list,
    responding_organisation,
    version_get,
    version_list,
)
from qualify.library.services import (
    approval_record,
    comment_answer,
    comment_create,
    comment_submit,
    consultation_report_to_qwg,
)

router = Router(tags=["library"])


class LibraryFilterIn(Schema):
    search: str = ""
    theme: str = ""
    subtype: str = ""


class FileOut(Schema):
    kind: str
    file_type: str
    sha256: str
    size: int


class VersionOut(Schema):
    uuid: uuid_mod.UUID
    document_number: str
    version: str
    sequence: int
    status: str
    release_notes: str
    files: list[FileOut]

    @staticmethod
    def resolve_document_number(obj: ArtefactVersion) -> str:
        return obj.artefact.document_number

    @staticmethod
    def resolve_files(obj: ArtefactVersion) -> list[object]:
        return list(obj.files.all())


class ApprovalOut(Schema):
    body: str
    latest_decision: str | None


class VersionDetailOut(VersionOut):
    approvals: list[ApprovalOut]
    consultations: list[str]
    comments_logs: list[uuid_mod.UUID]

    @staticmethod
    def resolve_approvals(obj: ArtefactVersion) -> list[dict[str, str | None]]:
        return [{"body": b, "latest_decision": d} for b, d in approval_status(version=obj)]

    @staticmethod
    def resolve_consultations(obj: ArtefactVersion) -> list[str]:
        return [c.reference for c in obj.consultations.all()]

    @staticmethod
    def resolve_comments_logs(obj: ArtefactVersion) -> list[uuid_mod.UUID]:
        """The current published version of each of its consultations' consolidated comments logs."""
        return [log.uuid for _, log in getattr(obj, "comments_logs", []) if log is not None]


class ArtefactOut(Schema):
    uuid: uuid_mod.UUID
    document_number: str
    short_name: str
    title: str
    subtype: str
    theme: str
    required_bodies: list[str]
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: Artefact) -> list[object]:
        return list(getattr(obj, "visible_versions", []))


class QwgReportOut(Schema):
    reported_on: dt.date
    minutes_reference: str
    reported_by_name: str


class ConsultationOut(Schema):
    uuid: uuid_mod.UUID
    reference: str
    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: str
    versions: list[str]
    qwg_report: QwgReportOut | None
    comments_log: str | None = Field(None, description="The document number of the consolidated comments log.")

    @staticmethod
    def resolve_qwg_report(obj: Consultation) -> object:
        return getattr(obj, "qwg_report", None)

    @staticmethod
    def resolve_comments_log(obj: Consultation) -> str | None:
        return obj.comments_log.document_number if obj.comments_log else None

    @staticmethod
    def resolve_status(obj: Consultation) -> str:
        return str(obj.status_at(timezone.now()))

    @staticmethod
    def resolve_versions(obj: Consultation) -> list[str]:
        return [str(v.uuid) for v in obj.versions.all()]


class CommentOut(Schema):
    uuid: uuid_mod.UUID
    consultation: str
    version: uuid_mod.UUID
    organisation: str
    author_name: str
    clause_reference: str
    text: str
    proposed_change: str
    category: str
    publish_with_name: bool
    status: str
    submitted_at: dt.datetime | None
    response: str
    outcome: str
    resulting_change: str
    answered_for: str = Field(description="PROGRAMME, BSC, REC or DIP: the body the answer was given for.")
    responded_by_name: str

    @staticmethod
    def resolve_consultation(obj: Comment) -> str:
        return obj.consultation.reference

    @staticmethod
    def resolve_version(obj: Comment) -> uuid_mod.UUID:
        return obj.version.uuid

    @staticmethod
    def resolve_organisation(obj: Comment) -> str:
        return obj.organisation.name


class CommentIn(Schema):
    version: uuid_mod.UUID
    clause_reference: str
    text: str
    proposed_change: str = ""
    category: str
    publish_with_name: bool = False
    submit: bool = False


class CommentAnswerIn(Schema):
    response: str
    outcome: str
    resulting_change: str = ""


class QwgReportIn(Schema):
    reported_on: dt.date
    minutes_reference: str
    log_document_number: str = Field(
        description=(
            "The consolidated comments log's own document number: MHHS-DEL and four digits, or an older DEL1234 or "
            f"DEL-123, kept exactly as written ({DOCUMENT_NUMBER_PATTERN})."
        )
    )


class VersionDecisionIn(Schema):
    body: str = Field(description="QAG, REC_PAB or BSC_PAB: QAG first, then the two PABs in either order.")
    decision: str = Field(description="APPROVE, REJECT or DEFER.")
    decided_on: dt.date
    minutes_reference: str


# The published library's reads admit machine clients too (they see the published versions only, as the public does).
@router.get(
    "/library/artefacts",
    response=list[ArtefactOut],
    summary="Artefacts with the versions you may see",
    auth=PEOPLE_AND_MACHINES,
)
@paginate(BoundedLimitOffsetPagination)
def list_artefacts(request: HttpRequest, filters: Query[LibraryFilterIn]) -> object:
    return artefact_list(actor=actor_of(request), filters=LibraryFilters(**filters.dict()))


@router.get(
    "/library/artefacts/{document_number}",
    response=ArtefactOut,
    summary="One artefact (MHHS-DEL1234, DEL1234, DEL-123)",
    auth=PEOPLE_AND_MACHINES,
)
def get_artefact(request: HttpRequest, document_number: str) -> Artefact:
    actor = actor_of(request)
    artefact = artefact_get(actor=actor, document_number=document_number)
    artefact.visible_versions = list(version_list(actor=actor, artefact=artefact))  # type: ignore[attr-defined]
    return artefact


def _version_detail(request: HttpRequest, key: str) -> ArtefactVersion:
    actor = actor_of(request)
    version = version_get(actor=actor, key=key)
    version.comments_logs = comments_logs_of(actor=actor, version=version)  # type: ignore[attr-defined]
    return version


@router.get(
    "/library/versions/{key}", response=VersionDetailOut, summary="One version by UUID", auth=PEOPLE_AND_MACHINES
)
def get_version(request: HttpRequest, key: str) -> ArtefactVersion:
    return _version_detail(request, key)


@router.post(
    "/library/versions/{key}/decisions",
    response={201: VersionDetailOut},
    summary="Record a governance body's decision; in the published order (QWG report, QAG, then the PABs), else 409",
)
def post_decision(request: HttpRequest, key: str, payload: VersionDecisionIn) -> Status[ArtefactVersion]:
    actor = actor_of(request)
    approval_record(actor=actor, version=version_get(actor=actor, key=key), **payload.dict())
    return Status(201, _version_detail(request, key))


@router.get("/library/consultations", response=list[ConsultationOut], summary="Consultations, newest first")
@paginate(BoundedLimitOffsetPagination)
def list_consultations(request: HttpRequest) -> object:
    return consultation_list(actor=actor_of(request))


@router.get("/library/consultations/{key}", response=ConsultationOut, summary="One consultation (CON-0001 or UUID)")
def get_consultation(request: HttpRequest, key: str) -> Consultation:
    return consultation_get(actor=actor_of(request), key=key)


@router.post(
    "/library/consultations/{key}/qwg-report",
    response={201: ConsultationOut},
    summary="Record the outcome reported to QWG (after the close, every comment answered); publishes the comments log",
)
def post_qwg_report(request: HttpRequest, key: str, payload: QwgReportIn) -> Status[Consultation]:
    actor = actor_of(request)
    consultation_report_to_qwg(actor=actor, consultation=consultation_get(actor=actor, key=key), **payload.dict())
    return Status(201, consultation_get(actor=actor, key=key))


@router.get(
    "/library/consultations/{key}/comments",
    response=list[CommentOut],
    summary="Comments: staff see submitted ones; participants their own organisation's, drafts included",
)
@paginate(BoundedLimitOffsetPagination)
def list_comments(request: HttpRequest, key: str) -> object:
    actor = actor_of(request)
    return comment_list(actor=actor, consultation=consultation_get(actor=actor, key=key))


@router.post(
    "/library/consultations/{key}/comments",
    response={201: CommentOut},
    summary="Save a draft comment for your organisation (submit=true submits it); 409 outside the window",
)
def post_comment(request: HttpRequest, key: str, payload: CommentIn) -> Status[Comment]:
    actor = actor_of(request)
    consultation = consultation_get(actor=actor, key=key)
    organisation = responding_organisation(actor=actor)
    if organisation is None:
        raise NotAllowed("Only a participant's qualification lead or a contributor can respond to a consultation.")
    version = next((v for v in consultation.versions.all() if v.uuid == payload.version), None)
    if version is None:
        raise ValidationFailed("That version is not part of this consultation.", details={"version": "not_consulted"})
    comment = comment_create(
        actor=actor,
        consultation=consultation,
        version=version,
        organisation=organisation,
        clause_reference=payload.clause_reference,
        text=payload.text,
        proposed_change=payload.proposed_change,
        category=payload.category,
        publish_with_name=payload.publish_with_name,
        submit=payload.submit,
    )
    return Status(201, comment_get(actor=actor, key=comment.uuid))


@router.get("/library/comments/{key}", response=CommentOut, summary="One comment you may see")
def get_comment(request: HttpRequest, key: str) -> Comment:
    return comment_get(actor=actor_of(request), key=key)


@router.post("/library/comments/{key}/submit", response=CommentOut, summary="Submit a draft (409 after the close)")
def post_submit(request: HttpRequest, key: str) -> Comment:
    actor = actor_of(request)
    comment_submit(actor=actor, comment=comment_get(actor=actor, key=key))
    return comment_get(actor=actor, key=key)


@router.post(
    "/library/comments/{key}/answer", response=CommentOut, summary="The Programme or a Code Body answers a comment"
)
def post_answer(request: HttpRequest, key: str, payload: CommentAnswerIn) -> Comment:
    actor = actor_of(request)
    comment_answer(actor=actor, comment=comment_get(actor=actor, key=key), **payload.dict())
    return comment_get(actor=actor, key=key)
