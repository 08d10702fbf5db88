"""Every write to a QAD: versions, answers, evidence, submissions and version moves (DOMAIN.md §5).

The director's declaration, made in person through an invitation, has its own module (``qad/declarations.py``).

Each service checks its permission (qualify/qad/permissions.py), runs in one transaction, and writes an audit
event. Submitting also moves the case (``case_transition``) in the same transaction, so a snapshot and its case step
happen together or not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from collections.abc import Iterable
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import pluralize

from qualify.audit.services import audit_record
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core import clock, storedfiles
from qualify.core.actor import Actor
from qualify.core.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from qualify.library.choices import VersionStatus
from qualify.library.models import ArtefactVersion
from qualify.qad import evidence as ev
from qualify.qad import rules
from qualify.qad.choices import SubmissionKind
from qualify.qad.loader import QadFileInvalid, VersionSpec, parse_version
from qualify.qad.models import (
    Answer,
    EvidenceFile,
    EvidenceLink,
    QadQuestion,
    QadResponse,
    QadSection,
    QadSubmission,
    QadVersion,
    SubmissionBody,
)
from qualify.qad.permissions import (
    can_edit_answers,
    can_manage_versions,
    can_move_version,
    can_submit,
)
from qualify.qad.selectors import exemption_kinds, latest_published_version, qad_view, version_questions


def _org_id(response: QadResponse) -> int:
    return int(response.case.participation.organisation_id)


# --- versions ------------------------------------------------------------------------------------------------------


def qad_version_check(*, text: str) -> VersionSpec:
    """Validate a QAD file without storing anything; ValidationFailed lists every problem with its line."""
    try:
        return parse_version(text)
    except QadFileInvalid as invalid:
        raise invalid.failed("The QAD file", code="qad_file_invalid") from invalid


@transaction.atomic
def _artefact_version(document_number: str, version: str) -> ArtefactVersion:
    found = (
        ArtefactVersion.objects.select_related("artefact")
        .filter(artefact__document_number=document_number.strip().upper(), version=version)
        .first()
    )
    if found is None:
        raise ValidationFailed(
            f"The library has no version {version} of {document_number}: add it there first (same version id).",
            details={"artefact": "no_such_version"},
        )
    return found


def qad_version_load(
    *, actor: Actor, text: str, source_name: str = "", publish: bool = False, artefact: str = ""
) -> QadVersion:
    """Load a QAD version file as a draft (replacing an earlier draft of the same version id), optionally publishing.

    A published version never changes (DOMAIN.md §5): loading a file with a published version id is refused.
    ``artefact`` names the library artefact (e.g. MHHS-DEL1234) whose version with the same id this QAD is; a QAD
    linked to the library is published only once that version is baselined (DOMAIN.md §9).
    """
    can_manage_versions(actor).enforce()
    spec = qad_version_check(text=text)
    artefact_version = _artefact_version(artefact, spec.version) if artefact.strip() else None
    existing = QadVersion.objects.filter(version=spec.version).first()
    if existing is not None and existing.is_published:
        raise ValidationFailed(
            f"QAD v{spec.version} is published and never changes; give the new file a new version id.",
            details={"version": "published"},
            code="qad_version_published",
        )
    if existing is not None:
        existing.delete()
    version = QadVersion.objects.create(
        version=spec.version,
        title=spec.title,
        document_status=spec.status,
        source_name=source_name[:200],
        source_sha256=rules.sha256_text(text),
        loaded_by_name=actor.display_name[:200],
        artefact_version=artefact_version,
    )
    position = 0
    for s_index, s in enumerate(spec.sections):
        section = QadSection.objects.create(
            version=version, number=s.number, title=s.title, owner=s.owner, position=s_index
        )
        questions = []
        for q in s.questions:
            position += 1
            questions.append(
                QadQuestion(
                    version=version,
                    section=section,
                    qid=q.qid,
                    number=q.number,
                    text=q.text,
                    guidance=q.guidance,
                    answer_type=q.answer_type,
                    choices=q.choices,
                    columns=q.columns,
                    mandatory=q.mandatory,
                    evidence_required=q.evidence_required,
                    evidence_kinds=q.evidence_kinds,
                    owner=q.owner,
                    roles=q.roles,
                    routes=q.routes,
                    excluded_by_exemptions=q.excluded_by_exemptions,
                    only_with_exemptions=q.only_with_exemptions,
                    advisory=q.advisory,
                    position=position,
                )
            )
        QadQuestion.objects.bulk_create(questions)
    audit_record(
        actor=actor,
        action="qad.version.load",
        target=version,
        organisation_id=None,
        changes={"version": spec.version, "questions": spec.question_count, "sha256": version.source_sha256},
    )
    if publish:
        version = qad_version_publish(actor=actor, version=version)
    return version


@transaction.atomic
def qad_version_publish(*, actor: Actor, version: QadVersion) -> QadVersion:
    """Publish a loaded version: from now on it never changes and new QADs start on it."""
    can_manage_versions(actor).enforce()
    locked = QadVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise ValidationFailed(f"QAD v{locked.version} is already published.", code="qad_version_published")
    linked = locked.artefact_version
    if linked is not None and linked.status != VersionStatus.BASELINED:
        raise ValidationFailed(
            f"QAD v{locked.version} is {linked.artefact.document_number} v{linked.version}, which is "
            f"{linked.get_status_display().lower()}: publish it once the library has baselined it.",
            details={"artefact_version": linked.status},
            code="artefact_not_baselined",
        )
    locked.published_at = clock.now()
    locked.save(update_fields=["published_at", "updated_at"])
    audit_record(
        actor=actor, action="qad.version.publish", target=locked, organisation_id=None, changes={"published": True}
    )
    return locked


# --- the working draft ---------------------------------------------------------------------------------------------


@transaction.atomic
def response_open(*, actor: Actor, case: QualificationCase) -> QadResponse:
    """A case's QAD, created on first open against the latest published version (DOMAIN.md §5)."""
    responses = QadResponse.objects.select_related("version", "case__participation")
    existing = responses.filter(case=case).first()
    if existing is not None:
        return existing
    version = latest_published_version()
    if version is None:
        raise NotFound("No QAD version is published yet; the Programme publishes one before QADs can be completed.")
    # Several first opens may arrive at once (two tabs, a client retrying): get_or_create inserts in a savepoint and,
    # when another caller's row won the unique case, reads that row back instead of failing.
    response, created = responses.get_or_create(case=case, defaults={"version": version})
    if not created:
        return response
    audit_record(
        actor=actor,
        action="qad.response.open",
        target=response,
        organisation_id=_org_id(response),
        changes={"case": case.reference, "version": version.version},
    )
    return response


def _locked_response(response: QadResponse) -> QadResponse:
    return QadResponse.objects.select_for_update().select_related("case__participation", "version").get(pk=response.pk)


def _bump(response: QadResponse) -> None:
    response.revision += 1
    response.save(update_fields=["revision", "updated_at"])


def _question(response: QadResponse, qid: str) -> QadQuestion:
    question = QadQuestion.objects.filter(version_id=response.version_id, qid=qid).first()
    if question is None:
        raise NotFound(f"QAD v{response.version.version} has no question {qid!r}.")
    participation = response.case.participation
    exemptions = exemption_kinds(participation)
    if not rules.applies(question, role=participation.role, route=participation.route, exemptions=exemptions):
        raise ValidationFailed(
            f"Question {question.number} does not apply to this case.", details={"question": qid}, code="not_applicable"
        )
    return question


@transaction.atomic
def answer_save(
    *, actor: Actor, response: QadResponse, question_id: str, value: Any, expected_version: int | None = None
) -> Answer:
    """Save one answer idempotently; a save from a stale copy (``expected_version`` behind) is refused (409).

    Saving the same value again changes nothing. Editing after a submission starts a new working draft: the
    submitted snapshot never changes (it is a separate, frozen record).
    """
    response = _locked_response(response)
    can_edit_answers(actor, response.case).enforce()
    question = _question(response, question_id)
    try:
        cleaned = rules.clean_answer(question, value)
    except ValueError as exc:
        raise ValidationFailed(
            f"{question.number}: the answer {exc}.", details={"question": question_id, "value": str(exc)}
        ) from exc
    answer = Answer.objects.select_for_update().filter(response=response, question_id=question_id).first()
    current = answer.version if answer is not None else 0
    if answer is not None and answer.value == cleaned:
        # The same words saved twice (a retried autosave, two events for one edit) are not a conflict.
        return answer
    if expected_version is not None and expected_version != current:
        raise Conflict(
            f"{question.number} was changed by someone else (or in another tab) since you opened it; reload to see it.",
            details={"question": question_id, "expected_version": expected_version, "current_version": current},
            code="stale_answer",
        )
    before = answer.value if answer is not None else None
    if answer is None:
        answer = Answer(response=response, question_id=question_id)
    answer.value = cleaned
    answer.version = current + 1
    answer.updated_by_name = actor.display_name[:200]
    answer.save()
    _bump(response)
    audit_record(
        actor=actor,
        action="qad.answer.save",
        target=response,
        organisation_id=_org_id(response),
        changes={"question": question_id, "value": {"before": before, "after": cleaned}, "version": answer.version},
    )
    return answer


def evidence_upload(
    *,
    actor: Actor,
    response: QadResponse,
    upload: IO[bytes],
    name: str,
    size: int,
    evidence_as_of: dt.date,
    question_ids: Iterable[str] = (),
) -> EvidenceFile:
    """Store one evidence file: checked (name, size, content type), hashed while copied, linked to questions.

    Nothing is stored when a check fails. The file is kept under a generated name; ``name`` is only shown. The copy
    to storage runs before the database transaction, so a long copy (to S3, say) never holds the QAD's row lock or
    SQLite's write lock; it lands under a pending name that becomes the final one only when the rows and the audit
    event commit (qualify/core/storedfiles.py), and is removed again if they fail. A caller that rolls back its own
    transaction around this one removes the file with ``storedfiles.discard``.
    """
    response = QadResponse.objects.select_related("case__participation", "version").get(pk=response.pk)
    can_edit_answers(actor, response.case).enforce()
    display_name, extension = ev.check_name(name)
    kind = ev.check_content(upload, extension, size)
    if evidence_as_of > clock.today():
        raise ValidationFailed(
            "The 'evidence as of' date cannot be in the future.", details={"evidence_as_of": "future"}
        )
    question_ids = [_question(response, qid).qid for qid in dict.fromkeys(question_ids)]
    public_id = uuid_mod.uuid4()
    reader = ev.HashingReader(upload, size)
    content = File(reader, name=display_name)  # type: ignore[arg-type]  # a file-like reader, not an IO subclass
    stored_name = storedfiles.stage(f"evidence/{response.uuid}/{public_id.hex}.{extension}", content)
    try:
        if reader.read_bytes != size:
            raise ValidationFailed("The file changed while it was being stored; upload it again.")
        return _evidence_record(
            actor=actor,
            response=response,
            evidence=EvidenceFile(
                uuid=public_id,
                original_name=display_name,
                storage_name=stored_name,
                size=size,
                sha256=reader.hexdigest(),
                content_kind=kind,
                evidence_as_of=evidence_as_of,
                uploaded_by_id=actor.user_id,
                uploaded_by_name=actor.display_name[:200],
            ),
            question_ids=question_ids,
        )
    except BaseException:
        storedfiles.discard(stored_name)
        raise


@transaction.atomic
def _evidence_record(
    *, actor: Actor, response: QadResponse, evidence: EvidenceFile, question_ids: list[str]
) -> EvidenceFile:
    response = _locked_response(response)
    can_edit_answers(actor, response.case).enforce()
    evidence.response = response
    evidence.save()
    storedfiles.promote_on_commit(evidence.storage_name)
    for qid in question_ids:
        EvidenceLink.objects.create(response=response, question_id=qid, evidence=evidence)
    if question_ids:
        _bump(response)
    audit_record(
        actor=actor,
        action="qad.evidence.upload",
        target=evidence,
        organisation_id=_org_id(response),
        changes={
            "name": evidence.original_name,
            "size": evidence.size,
            "sha256": evidence.sha256,
            "evidence_as_of": evidence.evidence_as_of.isoformat(),
            "questions": question_ids,
        },
    )
    return evidence


@transaction.atomic
def evidence_link(*, actor: Actor, response: QadResponse, evidence: EvidenceFile, question_id: str) -> EvidenceLink:
    """Attach an already uploaded file to another question (upload once, use many times)."""
    response = _locked_response(response)
    can_edit_answers(actor, response.case).enforce()
    if evidence.response_id != response.pk:
        raise NotFound("No such evidence file.")
    question = _question(response, question_id)
    existing = EvidenceLink.objects.filter(response=response, question_id=question.qid, evidence=evidence).first()
    if existing is not None:
        return existing
    link = EvidenceLink.objects.create(response=response, question_id=question.qid, evidence=evidence)
    _bump(response)
    audit_record(
        actor=actor,
        action="qad.evidence.link",
        target=evidence,
        organisation_id=_org_id(response),
        changes={"question": question.qid},
    )
    return link


@transaction.atomic
def evidence_unlink(*, actor: Actor, response: QadResponse, evidence: EvidenceFile, question_id: str) -> None:
    response = _locked_response(response)
    can_edit_answers(actor, response.case).enforce()
    removed, _ = EvidenceLink.objects.filter(response=response, question_id=question_id, evidence=evidence).delete()
    if removed:
        _bump(response)
        audit_record(
            actor=actor,
            action="qad.evidence.unlink",
            target=evidence,
            organisation_id=_org_id(response),
            changes={"question": question_id},
        )


# --- submissions ----------------------------------------------------------------------------------

# Which case step a submission takes, by the state the case is in (cases/workflow.py).
SUBMISSION_STEPS: dict[str, dict[str, str]] = {
    SubmissionKind.INITIAL: {
        CaseState.PIT: "submit_initial_qad",
        CaseState.INITIAL_CLARIFICATION: "answer_initial_clarification",
    },
    SubmissionKind.FINAL: {
        CaseState.TESTING_COMPLETE: "submit_final_qad",
        CaseState.FINAL_CLARIFICATION: "answer_final_clarification",
        # A new Final QAD after the one agreed, signed or decided on: the approvals recorded on the earlier one are
        # void (assessment voids them in this step's transaction) and the case returns to review (DOMAIN.md §6).
        CaseState.AGREED: "resubmit_final_qad",
        CaseState.SIGNED: "resubmit_final_qad",
        CaseState.AWAITING_APPROVAL: "resubmit_final_qad",
    },
}


def snapshot_content(*, response: QadResponse, kind: str, view: Any) -> dict[str, Any]:
    """The frozen content of a submission: who and what it is about, and every applicable answer with its evidence."""
    case = response.case
    participation = case.participation
    questions = []
    for q in view.questions:
        answer = view.answers.get(q.qid)
        questions.append(
            {
                "id": q.qid,
                "number": q.number,
                "owner": q.owner,
                "answer": answer.value if answer is not None else None,
                "evidence": sorted(
                    (
                        {
                            "name": link.evidence.original_name,
                            "sha256": link.evidence.sha256,
                            "size": link.evidence.size,
                            "evidence_as_of": link.evidence.evidence_as_of.isoformat(),
                            "uuid": str(link.evidence.uuid),
                        }
                        for link in view.links.get(q.qid, [])
                    ),
                    key=lambda e: (e["sha256"], e["uuid"]),
                ),
            }
        )
    return {
        "kind": kind,
        "case": case.reference,
        "organisation": participation.organisation.name,
        "mpid": participation.mpid,
        "role": participation.role,
        "route": participation.route,
        "exemptions": sorted(view.exemptions),
        "qad_version": response.version.version,
        "response_revision": response.revision,
        "questions": questions,
    }


@transaction.atomic
def submission_create(*, actor: Actor, response: QadResponse, kind: str) -> QadSubmission:
    """Submit the Initial or Final QAD: check completeness, freeze a hashed snapshot, and move the case.

    With the snapshot it records each owning body's share (``SubmissionBody``: the body and how many of the submitted
    questions it owns), which the Code Bodies' review reads instead of the snapshot.

    Refused with the exact list of what is missing (question numbers, answers, evidence) when incomplete
    (DOMAIN.md §5). The case moves in the same transaction (``submit_initial_qad`` / ``submit_final_qad``, or the
    answer to a clarification), so there is never a snapshot without its step or a step without its snapshot.
    """
    if kind not in SubmissionKind.values:
        raise ValidationFailed(f"Unknown submission kind {kind!r}.", details={"kind": kind})
    response = _locked_response(response)
    case = (
        QualificationCase.objects.select_for_update()
        .select_related("participation__organisation")
        .get(pk=response.case_id)
    )
    can_submit(actor, case, kind).enforce()
    step = SUBMISSION_STEPS[kind].get(case.state)
    if step is None:
        label = SubmissionKind(kind).label
        raise TransitionNotAllowed(
            f"The {label} cannot be submitted while the case is {case.get_state_display().lower()}.",
            details={"state": case.state, "kind": kind},
        )
    view = qad_view(actor=actor, response=response)
    missing = view.missing()
    if missing:
        raise ValidationFailed(
            f"The QAD is not complete: {len(missing)} item{pluralize(len(missing))} missing — "
            + "; ".join(str(m) for m in missing[:10])
            + (" …" if len(missing) > 10 else ""),
            details={"missing": [{"number": m.number, "question": m.qid, "what": m.what} for m in missing]},
            code="qad_incomplete",
        )
    snapshot = snapshot_content(response=response, kind=kind, view=view)
    content = rules.canonical_json(snapshot)
    # A submission is frozen from its first write, so its human reference is settled before it is written.
    number = (QadSubmission.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    submission = QadSubmission.objects.create(
        reference=f"QAD-{number:06d}",
        case=case,
        response=response,
        kind=kind,
        qad_version=response.version.version,
        response_revision=response.revision,
        content=content,
        sha256=rules.sha256_text(content),
        submitted_by_id=actor.user_id,
        submitted_by_name=actor.display_name[:200],
    )
    # Before the case moves: the step's effects (the owning bodies' notices) read these rows.
    SubmissionBody.objects.bulk_create(
        SubmissionBody(submission=submission, body=body, questions=n)
        for body, n in sorted(rules.assessed_question_counts(snapshot["questions"], role=snapshot["role"]).items())
    )
    audit_record(
        actor=actor,
        action="qad.submission.create",
        target=submission,
        organisation_id=_org_id(response),
        changes={"kind": kind, "sha256": submission.sha256, "revision": response.revision},
    )
    case_transition(actor=actor, case=case, name=step, comment=f"{submission.reference} (sha256 {submission.sha256})")
    return submission


# --- moving to a newer version ---------------------------------------------------------------------------------------


@transaction.atomic
def response_move_version(*, actor: Actor, response: QadResponse, version: QadVersion) -> list[rules.VersionChange]:
    """Move a case's QAD to a newer published version; answers carry over by question id (DOMAIN.md §5).

    Returns what is new, changed and removed. Answers to removed questions are kept (not shown, not submitted) so a
    move is never destructive. Submissions already made keep their own version.
    """
    response = _locked_response(response)
    can_move_version(actor, response.case).enforce()
    if not version.is_published:
        raise ValidationFailed("A QAD can only move to a published version.", details={"version": "draft"})
    current = response.version
    if version.pk == current.pk or (
        current.published_at and version.published_at and version.published_at <= current.published_at
    ):
        raise ValidationFailed(
            f"QAD v{version.version} is not newer than v{current.version}.", details={"version": "not_newer"}
        )
    changes = rules.compare_versions(version_questions(current), version_questions(version))
    response.version = version
    response.revision += 1
    response.save(update_fields=["version", "revision", "updated_at"])
    audit_record(
        actor=actor,
        action="qad.response.move_version",
        target=response,
        organisation_id=_org_id(response),
        changes={
            "version": {"before": current.version, "after": version.version},
            "new": [c.qid for c in changes if c.change == "new"],
            "changed": [c.qid for c in changes if c.change == "changed"],
            "removed": [c.qid for c in changes if c.change == "removed"],
        },
    )
    return changes


@transaction.atomic
def answers_import(*, actor: Actor, response: QadResponse, rows: list[tuple[int, str, Any]]) -> int:
    """Save answers read from a spreadsheet: all or nothing, with every bad row named (row number, question, why)."""
    response = _locked_response(response)
    can_edit_answers(actor, response.case).enforce()
    questions = {q.qid: q for q in version_questions(response.version)}
    participation = response.case.participation
    exemptions = exemption_kinds(participation)
    errors: list[dict[str, Any]] = []
    cleaned: list[tuple[str, Any]] = []
    for row_number, qid, raw in rows:
        question = questions.get(qid)
        if question is None:
            errors.append({"row": row_number, "question": qid, "message": "is not a question of this QAD version"})
            continue
        if not rules.applies(question, role=participation.role, route=participation.route, exemptions=exemptions):
            errors.append({"row": row_number, "question": qid, "message": "does not apply to this case"})
            continue
        try:
            cleaned.append((qid, rules.clean_answer(question, raw)))
        except ValueError as exc:
            errors.append({"row": row_number, "question": qid, "message": f"the answer {exc}"})
    if errors:
        raise ValidationFailed(
            f"Nothing was imported: {len(errors)} row{pluralize(len(errors))} "
            + ("has" if len(errors) == 1 else "have")
            + " problems — "
            + "; ".join(f"row {e['row']} ({e['question']}): {e['message']}" for e in errors[:5]),
            details={"rows": errors},
            code="import_rows_invalid",
        )
    saved = 0
    for qid, value in cleaned:
        if value is None:
            continue
        answer_save(actor=actor, response=response, question_id=qid, value=value)
        saved += 1
    return saved
