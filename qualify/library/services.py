"""Writes to the library: artefacts, versions and files, consultations, comments, answers, the QWG report, the
consolidated comments log, and governance decisions.

Every write is audited; status changes go through the workflow engine (``workflow.py``); notices go through
``notifications.services.notify`` so people hear in-app at once and by e-mail after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import IO

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from qualify.audit.services import audit_record
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from qualify.core.roles import MembershipRole, StaffRole
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.library.choices import (
    BODY_SHORT_NAMES,
    COMMENTS_LOG_SUBTYPE,
    NOTICE_CONSULTATION_CLOSING,
    NOTICE_CONSULTATION_OPENED,
    NOTICE_VERSION_BASELINED,
    AnsweringBody,
    CommentCategory,
    CommentOutcome,
    CommentStatus,
    ConsultationStatus,
    FileKind,
    GovernanceDecision,
    GoverningBody,
    VersionStatus,
)
from qualify.library.exports import comments_log_workbook
from qualify.library.files import check_upload
from qualify.library.models import (
    DOCUMENT_NUMBER_PATTERN,
    Artefact,
    ArtefactVersion,
    Comment,
    Consultation,
    GovernanceApproval,
    NoCommentsConfirmation,
    QwgReport,
    VersionFile,
    document_number_validator,
    version_validator,
)
from qualify.library.permissions import (
    can_answer_comments,
    can_comment_for,
    can_manage_library,
    can_open_consultation,
    can_record_approval,
    can_report_to_qwg,
)
from qualify.library.timeutil import uk_text, uk_zone
from qualify.library.workflow import (
    COMMENT_WORKFLOW,
    VERSION_WORKFLOW,
    approval_blockers,
    earliest_decision_date,
    governance_missing,
    missing_approvals,
)
from qualify.notifications.services import notify
from qualify.participants.models import Membership, Organisation
from qualify.webhooks.choices import EventKind
from qualify.webhooks.services import emit

REMINDER_BEFORE_CLOSE = dt.timedelta(days=7)
# Who answers a comment for which body: the Programme's administrators and the Code Bodies' assessors.
ANSWERING_BODY_BY_ROLE: dict[str, AnsweringBody] = {
    StaffRole.PROGRAMME_ADMIN: AnsweringBody.PROGRAMME,
    StaffRole.BSC_ASSESSOR: AnsweringBody.BSC,
    StaffRole.REC_ASSESSOR: AnsweringBody.REC,
    StaffRole.DIP_ASSESSOR: AnsweringBody.DIP,
}


def participant_people_ids() -> list[int]:
    """Everyone who responds for a participant: the leads and contributors of every organisation."""
    return sorted(
        set(
            Membership.objects.filter(
                role__in=[MembershipRole.LEAD, MembershipRole.CONTRIBUTOR], user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )


def _validate(validator: object, value: str, field: str) -> None:
    try:
        validator(value)  # type: ignore[operator]
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), details={field: "invalid"}) from exc


# --- artefacts and versions -----------------------------------------------------------------------------------


@transaction.atomic
def artefact_create(
    *,
    actor: Actor,
    document_number: str,
    short_name: str,
    theme: str,
    subtype: str = "",
    title: str = "",
    required_bodies: Iterable[str] | None = None,
) -> Artefact:
    """Register a governed document under its number (DOMAIN.md §9): ``MHHS-DEL`` + four digits, or an older
    ``DELnnnn`` or ``DEL-nnn``, unique and kept exactly as written (only surrounding spaces are dropped).

    ``required_bodies`` names the governance bodies whose approval baselines its versions; all three by default.
    """
    can_manage_library(actor).enforce()
    document_number = document_number.strip()
    _validate(document_number_validator, document_number, "document_number")
    if not short_name.strip() or not theme.strip():
        raise ValidationFailed("An artefact needs a short name and a theme.", details={"short_name": "required"})
    bodies = list(dict.fromkeys(required_bodies)) if required_bodies is not None else list(GoverningBody.values)
    unknown = [b for b in bodies if b not in GoverningBody.values]
    if unknown or not bodies:
        raise ValidationFailed(
            "Name at least one governance body: QAG, BSC_PAB or REC_PAB.", details={"required_bodies": unknown}
        )
    if Artefact.objects.filter(document_number=document_number).exists():
        raise ValidationFailed(f"{document_number} is already in the library.", details={"document_number": "taken"})
    artefact = Artefact.objects.create(
        document_number=document_number,
        short_name=short_name.strip(),
        title=title.strip(),
        subtype=subtype.strip(),
        theme=theme.strip(),
        required_bodies=bodies,
    )
    audit_record(
        actor=actor,
        action="library.artefact.create",
        target=artefact,
        organisation_id=None,
        changes={"document_number": document_number, "short_name": artefact.short_name, "required_bodies": bodies},
    )
    return artefact


@transaction.atomic
def version_create(
    *,
    actor: Actor,
    artefact: Artefact,
    version: str,
    release_notes: str = "",
    files: Mapping[str, tuple[IO[bytes], str]] | None = None,
) -> ArtefactVersion:
    """Add a draft version; it takes the next place in the artefact's sequence (version strings do not sort).

    ``files`` maps CLEAN/REDLINE to (file, name); a refused file refuses the whole version. A consultation's comments
    log is never drafted by hand: its versions are generated from the answers.
    """
    can_manage_library(actor).enforce()
    if Consultation.objects.filter(comments_log=artefact).exists():
        raise Conflict(
            f"{artefact.document_number} is a consultation's comments log; its versions are generated from the "
            "answers.",
            details={"artefact": "comments_log"},
        )
    return _version_create(actor=actor, artefact=artefact, version=version, release_notes=release_notes, files=files)


def _version_create(
    *,
    actor: Actor,
    artefact: Artefact,
    version: str,
    release_notes: str = "",
    files: Mapping[str, tuple[IO[bytes], str]] | None = None,
) -> ArtefactVersion:
    version = version.strip().removeprefix("v")
    _validate(version_validator, version, "version")
    locked = Artefact.objects.select_for_update().get(pk=artefact.pk)
    if locked.versions.filter(version=version).exists():
        raise ValidationFailed(f"{locked.document_number} already has version {version}.", details={"version": "taken"})
    last = locked.versions.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    created = ArtefactVersion.objects.create(
        artefact=locked,
        version=version,
        sequence=last + 1,
        release_notes=release_notes.strip(),
        created_by_name=actor.display_name,
    )
    audit_record(
        actor=actor,
        action="library.version.create",
        target=created,
        organisation_id=None,
        changes={"artefact": locked.document_number, "version": version, "sequence": created.sequence},
    )
    for kind, (handle, name) in (files or {}).items():
        _file_attach(actor=actor, version=created, kind=kind, handle=handle, name=name)
    return created


@transaction.atomic
def version_file_attach(
    *, actor: Actor, version: ArtefactVersion, kind: str, handle: IO[bytes], name: str
) -> VersionFile:
    """Attach the clean or red-lined copy of a draft version (PDF, .docx or .xlsx, checked by content).

    Files are frozen once the version leaves draft: what was consulted on is what stays published.
    """
    can_manage_library(actor).enforce()
    return _file_attach(actor=actor, version=version, kind=kind, handle=handle, name=name)


def _file_attach(*, actor: Actor, version: ArtefactVersion, kind: str, handle: IO[bytes], name: str) -> VersionFile:
    if kind not in FileKind.values:
        raise ValidationFailed("A file is the clean or the red-lined copy.", details={"kind": "unknown"})
    locked = ArtefactVersion.objects.select_for_update().select_related("artefact").get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise Conflict("Files can only change while the version is a draft.", details={"status": locked.status})
    checked = check_upload(handle, name)
    path = f"library/{locked.artefact.uuid}/{locked.uuid}/{kind.lower()}-{checked.sha256[:16]}.{checked.file_type}"
    stored = default_storage.save(path, File(handle))
    existing = VersionFile.objects.filter(version=locked, kind=kind).first()
    before = existing.sha256 if existing else None
    attached, _ = VersionFile.objects.update_or_create(
        version=locked,
        kind=kind,
        defaults={
            "file": stored,
            "file_type": checked.file_type,
            "original_name": name[:255],
            "sha256": checked.sha256,
            "size": checked.size,
            "uploaded_by_name": actor.display_name,
        },
    )
    audit_record(
        actor=actor,
        action="library.version.attach_file",
        target=locked,
        organisation_id=None,
        changes={"kind": kind, "sha256": {"before": before, "after": checked.sha256}, "name": name[:255]},
    )
    return attached


def version_transition(*, actor: Actor, version: ArtefactVersion, name: str, comment: str = "") -> ArtefactVersion:
    """Move a version one step along its lifecycle (locked, checked, recorded and audited by the engine)."""
    return apply_transition(
        VERSION_WORKFLOW, actor=actor, instance=version, name=name, data=TransitionInput(comment=comment)
    )


def version_approve(*, actor: Actor, version: ArtefactVersion, comment: str = "") -> ArtefactVersion:
    """The Programme approves a version for governance once its consultation has closed, every comment is answered
    and the outcome has been reported to QWG. Recording the QWG report takes this step for the versions consulted on;
    by hand it is only needed for a version that was never consulted on."""
    return version_transition(actor=actor, version=version, name="approve", comment=comment)


# --- governance and baselining --------------------------------------------------------------------------------


@transaction.atomic
def approval_record(
    *,
    actor: Actor,
    version: ArtefactVersion,
    body: str,
    decision: str,
    decided_on: dt.date,
    minutes_reference: str,
) -> GovernanceApproval:
    """Record a governance body's decision on an approved version (QAG, BSC PAB or REC PAB; DOMAIN.md §9).

    The published order is enforced (``workflow.GOVERNANCE_ORDER``): nobody decides before the consultation's
    outcome is reported to QWG; QAG decides first; the REC and BSC PABs, in either order, only once QAG has approved.
    Out of order is refused (409) naming what is missing; a decision cannot be dated before the step it follows.
    When every body the artefact needs has approved (each body's latest decision counts), the version is baselined
    and the artefact's previous baseline superseded, in this same transaction; participants are then told.
    """
    can_record_approval(actor).enforce()
    if body not in GoverningBody.values:
        raise ValidationFailed("The body is QAG, BSC_PAB or REC_PAB.", details={"body": "unknown"})
    can_record_approval(actor, body).enforce()
    if decision not in GovernanceDecision.values:
        raise ValidationFailed("The decision is APPROVE, REJECT or DEFER.", details={"decision": "unknown"})
    if not minutes_reference.strip():
        raise ValidationFailed("Give the minutes reference.", details={"minutes_reference": "required"})
    if decided_on > clock.today():
        raise ValidationFailed("A decision cannot be dated in the future.", details={"decided_on": "future"})
    locked = ArtefactVersion.objects.select_for_update().select_related("artefact").get(pk=version.pk)
    if body not in locked.artefact.required_bodies:
        raise ValidationFailed(
            f"{locked.artefact.document_number} does not need {body}'s approval.", details={"body": "not_required"}
        )
    if locked.status not in (VersionStatus.DRAFT, VersionStatus.IN_CONSULTATION, VersionStatus.APPROVED):
        raise TransitionNotAllowed(
            f"Governance decisions are recorded on a version awaiting governance; "
            f"v{locked.version} is {VERSION_WORKFLOW.state_label(locked.status)}.",
            details={"status": locked.status},
        )
    who = BODY_SHORT_NAMES[body]
    missing = governance_missing(locked, body)
    if missing:
        raise TransitionNotAllowed(
            f"{_capitalised(who)} cannot decide on {locked} yet. " + " ".join(reason for _, reason in missing),
            details={"body": body, "missing": [code for code, _ in missing]},
            code="out_of_order",
        )
    earliest = earliest_decision_date(locked, body)
    if earliest is not None and decided_on < earliest[0]:
        raise ValidationFailed(
            f"{_capitalised(who)}'s decision cannot be dated before {earliest[1]} ({earliest[0]:%-d %b %Y}).",
            details={"decided_on": "before_previous_step"},
        )
    approval = GovernanceApproval.objects.create(
        version=locked,
        body=body,
        decision=decision,
        decided_on=decided_on,
        minutes_reference=minutes_reference.strip(),
        recorded_at=clock.now(),
        actor_id=actor.user_id,
        recorded_by_name=actor.display_name,
    )
    audit_record(
        actor=actor,
        action="library.version.governance_decision",
        target=locked,
        organisation_id=None,
        changes={
            "body": body,
            "decision": decision,
            "decided_on": decided_on.isoformat(),
            "minutes_reference": approval.minutes_reference,
        },
    )
    if decision == GovernanceDecision.APPROVE and not missing_approvals(locked):
        _baseline(actor=actor, version=locked, reason=f"{body} approved ({approval.minutes_reference})")
    return approval


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _baseline(*, actor: Actor, version: ArtefactVersion, reason: str, step: str = "baseline") -> ArtefactVersion:
    """Supersede the artefact's current baseline, then baseline this version (at most one baseline at a time).

    ``step`` is ``baseline`` after the last governance approval (participants are told) or ``publish`` for a
    consolidated comments log, which needs no governance.
    """
    later = ArtefactVersion.objects.filter(
        artefact_id=version.artefact_id,
        sequence__gt=version.sequence,
        status__in=[VersionStatus.BASELINED, VersionStatus.SUPERSEDED],
    )
    if later.exists():
        raise TransitionNotAllowed("A later version of this artefact has already been baselined.")
    previous = ArtefactVersion.objects.filter(artefact_id=version.artefact_id, status=VersionStatus.BASELINED)
    for old in previous.exclude(pk=version.pk):
        version_transition(actor=actor, version=old, name="supersede", comment=f"Superseded by v{version.version}")
    baselined = version_transition(actor=actor, version=version, name=step, comment=reason)
    if step != "baseline":
        return baselined
    artefact = baselined.artefact
    notify(
        recipients=participant_people_ids(),
        kind=NOTICE_VERSION_BASELINED,
        title=f"{artefact.short_name} v{baselined.version} is baselined",
        body=(
            f"{artefact.document_number} {artefact.short_name} version {baselined.version} has been approved by "
            f"every governance body it needs and is now the baseline."
        ),
        link=reverse("library:version", args=[baselined.uuid]),
    )
    return baselined


# --- consultations ----------------------------------------------------------------------------------------------


@transaction.atomic
def consultation_open(
    *,
    actor: Actor,
    title: str,
    versions: Iterable[ArtefactVersion],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
) -> Consultation:
    """Open a consultation on one or more versions and tell every participant (DOMAIN.md §9).

    Times are aware datetimes (the pages take UK local dates and times). Draft versions move to "in consultation".
    """
    can_open_consultation(actor).enforce()
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise ValidationFailed("Consultation times must carry a time zone.", details={"opens_at": "naive"})
    if closes_at <= opens_at:
        raise ValidationFailed("A consultation must close after it opens.", details={"closes_at": "before_open"})
    if closes_at <= clock.now():
        raise ValidationFailed("The closing time has already passed.", details={"closes_at": "past"})
    if not title.strip():
        raise ValidationFailed("A consultation needs a title.", details={"title": "required"})
    chosen = list({v.pk: v for v in versions}.values())
    if not chosen:
        raise ValidationFailed("Choose at least one version to consult on.", details={"versions": "required"})
    for version in chosen:
        if version.status not in (VersionStatus.DRAFT, VersionStatus.IN_CONSULTATION):
            raise TransitionNotAllowed(
                f"{version} is {VERSION_WORKFLOW.state_label(version.status)}; only drafts are consulted on.",
                details={"version": str(version.uuid)},
            )
    consultation = Consultation.objects.create(
        reference=f"NEW-{uuid.uuid4().hex[:8]}",
        title=title.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        opened_by_name=actor.display_name,
    )
    consultation.reference = f"CON-{consultation.pk:04d}"
    consultation.save(update_fields=["reference"])
    consultation.versions.set(chosen)
    for version in chosen:
        if version.status == VersionStatus.DRAFT:
            version_transition(
                actor=actor, version=version, name="open_consultation", comment=f"{consultation.reference}"
            )
    audit_record(
        actor=actor,
        action="library.consultation.open",
        target=consultation,
        organisation_id=None,
        changes={
            "reference": consultation.reference,
            "opens_at": opens_at.isoformat(),
            "closes_at": closes_at.isoformat(),
            "versions": [str(v) for v in chosen],
        },
    )
    emit(
        EventKind.CONSULTATION_OPENED,
        subject=consultation.reference,
        organisation_id=None,
        payload={
            "consultation": consultation.reference,
            "title": consultation.title,
            "opens_at": opens_at,
            "closes_at": closes_at,
        },
    )
    notify(
        recipients=participant_people_ids(),
        kind=NOTICE_CONSULTATION_OPENED,
        title=f"Consultation {consultation.reference}: {consultation.title}",
        body=(
            f"Open from {uk_text(opens_at)} until {uk_text(closes_at)} (UK time) on "
            + ", ".join(str(v) for v in chosen)
            + ". Comment, or confirm you have reviewed it with no comments."
        ),
        link=reverse("library:consultation", args=[consultation.uuid]),
    )
    return consultation


def consultations_due_reminder(*, now: dt.datetime | None = None) -> list[Consultation]:
    """Open consultations closing within a week whose reminder has not gone out."""
    now = now or clock.now()
    return list(
        Consultation.objects.filter(
            reminder_sent_at__isnull=True,
            opens_at__lte=now,
            closes_at__gt=now,
            closes_at__lte=now + REMINDER_BEFORE_CLOSE,
        ).order_by("closes_at")
    )


@transaction.atomic
def consultation_send_reminder(*, actor: Actor, consultation: Consultation, now: dt.datetime | None = None) -> bool:
    """Remind participants a week before a consultation closes, once: the row records that the reminder went."""
    can_open_consultation(actor).enforce()
    now = now or clock.now()
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.reminder_sent_at is not None or locked.status_at(now) != ConsultationStatus.OPEN:
        return False
    Consultation.objects.filter(pk=locked.pk).update(reminder_sent_at=now)
    audit_record(
        actor=actor,
        action="library.consultation.remind",
        target=locked,
        organisation_id=None,
        changes={"reminder_sent_at": now.isoformat()},
    )
    emit(
        EventKind.CONSULTATION_CLOSING,
        subject=locked.reference,
        organisation_id=None,
        payload={"consultation": locked.reference, "title": locked.title, "closes_at": locked.closes_at},
    )
    notify(
        recipients=participant_people_ids(),
        kind=NOTICE_CONSULTATION_CLOSING,
        title=f"Consultation {locked.reference} closes {uk_text(locked.closes_at)}",
        body=f"{locked.title} closes at {uk_text(locked.closes_at)} (UK time). Submit your comments before then.",
        link=reverse("library:consultation", args=[locked.uuid]),
    )
    return True


def _require_open(consultation: Consultation) -> None:
    status = consultation.status_at(clock.now())
    if status == ConsultationStatus.UPCOMING:
        raise Conflict("The consultation has not opened yet.", details={"consultation": "not_open"})
    if status == ConsultationStatus.CLOSED:
        raise Conflict(
            "The consultation has closed; no more comments are accepted.", details={"consultation": "closed"}
        )


def _clean_comment_fields(clause_reference: str, text: str, category: str) -> None:
    problems = {}
    if not clause_reference.strip():
        problems["clause_reference"] = "required"
    if not text.strip():
        problems["text"] = "required"
    if category not in CommentCategory.values:
        problems["category"] = "unknown"
    if problems:
        raise ValidationFailed("Give the clause reference, the comment and its category.", details=problems)


@transaction.atomic
def comment_create(
    *,
    actor: Actor,
    consultation: Consultation,
    version: ArtefactVersion,
    organisation: Organisation,
    clause_reference: str,
    text: str,
    category: str,
    proposed_change: str = "",
    publish_with_name: bool = False,
    submit: bool = False,
) -> Comment:
    """Save a draft comment for the organisation on one version in an open consultation (optionally submit it)."""
    can_comment_for(actor, organisation.pk).enforce()
    _require_open(consultation)
    if not consultation.versions.filter(pk=version.pk).exists():
        raise ValidationFailed("That version is not part of this consultation.", details={"version": "not_consulted"})
    _clean_comment_fields(clause_reference, text, category)
    if NoCommentsConfirmation.objects.filter(consultation=consultation, organisation=organisation).exists():
        raise Conflict(
            f"{organisation} has confirmed it has no comments on this consultation.",
            details={"organisation": "confirmed_no_comments"},
        )
    comment = Comment.objects.create(
        consultation=consultation,
        version=version,
        organisation=organisation,
        author_id=actor.user_id,
        author_name=actor.display_name,
        clause_reference=clause_reference.strip(),
        text=text.strip(),
        proposed_change=proposed_change.strip(),
        category=category,
        publish_with_name=publish_with_name,
    )
    audit_record(
        actor=actor,
        action="library.comment.create",
        target=comment,
        organisation_id=organisation.pk,
        changes={"consultation": consultation.reference, "version": str(version), "clause": comment.clause_reference},
    )
    if submit:
        comment = comment_submit(actor=actor, comment=comment)
    return comment


@transaction.atomic
def comment_update(
    *,
    actor: Actor,
    comment: Comment,
    clause_reference: str,
    text: str,
    category: str,
    proposed_change: str = "",
    publish_with_name: bool = False,
) -> Comment:
    """Change a draft comment while the consultation is open; a submitted comment is final."""
    locked = Comment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
    can_comment_for(actor, locked.organisation_id).enforce()
    if locked.status != CommentStatus.DRAFT:
        raise Conflict("A submitted comment cannot be changed.", details={"status": locked.status})
    _require_open(locked.consultation)
    _clean_comment_fields(clause_reference, text, category)
    before = {"clause_reference": locked.clause_reference, "text": locked.text, "category": locked.category}
    Comment.objects.filter(pk=locked.pk).update(
        clause_reference=clause_reference.strip(),
        text=text.strip(),
        proposed_change=proposed_change.strip(),
        category=category,
        publish_with_name=publish_with_name,
        updated_at=clock.now(),
    )
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="library.comment.update",
        target=locked,
        organisation_id=locked.organisation_id,
        changes={"before": before, "after": {"clause_reference": locked.clause_reference, "category": category}},
    )
    return locked


def comment_submit(*, actor: Actor, comment: Comment) -> Comment:
    """Submit a draft comment; refused (409) outside the consultation's window."""
    return apply_transition(COMMENT_WORKFLOW, actor=actor, instance=comment, name="submit")


@transaction.atomic
def consultation_confirm_no_comments(
    *, actor: Actor, consultation: Consultation, organisation: Organisation
) -> NoCommentsConfirmation:
    """The organisation confirms it reviewed the papers and has no comments (only while open, only once, and only
    if it has submitted none)."""
    can_comment_for(actor, organisation.pk).enforce()
    _require_open(consultation)
    if Comment.objects.filter(
        consultation=consultation, organisation=organisation, status=CommentStatus.SUBMITTED
    ).exists():
        raise Conflict("You have already submitted comments on this consultation.", details={"comments": "submitted"})
    if NoCommentsConfirmation.objects.filter(consultation=consultation, organisation=organisation).exists():
        raise Conflict("You have already confirmed you have no comments.", details={"organisation": "confirmed"})
    confirmation = NoCommentsConfirmation.objects.create(
        consultation=consultation,
        organisation=organisation,
        confirmed_by_id=actor.user_id,
        confirmed_by_name=actor.display_name,
        confirmed_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="library.consultation.no_comments",
        target=consultation,
        organisation_id=organisation.pk,
        changes={"organisation": organisation.name},
    )
    return confirmation


def _log_frozen(consultation: Consultation) -> bool:
    """The log is frozen once governance has begun on any version consulted on: the bodies decide on what QWG saw."""
    versions = consultation.versions.all()
    return (
        GovernanceApproval.objects.filter(version__in=versions).exists()
        or versions.filter(status__in=[VersionStatus.BASELINED, VersionStatus.SUPERSEDED]).exists()
    )


@transaction.atomic
def comment_answer(
    *, actor: Actor, comment: Comment, response: str, outcome: str, resulting_change: str = ""
) -> Comment:
    """The Programme or a Code Body answers a submitted comment in the consolidated comments log (DOMAIN.md §9):
    response, outcome and resulting change, recording who answered and for which body (the Programme, BSC, REC or
    DIP, from the person's role).

    Answers can be revised until governance begins (a decision is recorded on any version consulted on). A revision
    after the outcome was reported to QWG publishes a new version of the consultation's comments log.
    """
    can_answer_comments(actor).enforce()
    locked = Comment.objects.select_for_update().select_related("version", "consultation").get(pk=comment.pk)
    if locked.status != CommentStatus.SUBMITTED:
        raise NotFound("No such comment.")  # a draft is the respondent's own: to the Programme it does not exist
    if _log_frozen(locked.consultation):
        raise Conflict(
            "Governance has begun on the documents consulted on; the published comments log can no longer change.",
            details={"consultation": locked.consultation.reference},
        )
    if outcome not in CommentOutcome.values:
        raise ValidationFailed(
            "The status is accepted, partially accepted, rejected or noted.", details={"outcome": "unknown"}
        )
    if not response.strip():
        raise ValidationFailed("Write the response.", details={"response": "required"})
    answered_for = ANSWERING_BODY_BY_ROLE[actor.staff_role]
    before = {
        "response": locked.response,
        "outcome": locked.outcome,
        "resulting_change": locked.resulting_change,
        "answered_for": locked.answered_for,
    }
    now = clock.now()
    Comment.objects.filter(pk=locked.pk).update(
        response=response.strip(),
        outcome=outcome,
        resulting_change=resulting_change.strip(),
        responded_at=now,
        responded_by_id=actor.user_id,
        responded_by_name=actor.display_name,
        answered_for=answered_for,
        updated_at=now,
    )
    locked.refresh_from_db()
    audit_record(
        actor=actor,
        action="library.comment.answer",
        target=locked,
        organisation_id=locked.organisation_id,
        changes={
            "before": before,
            "after": {
                "response": locked.response,
                "outcome": outcome,
                "resulting_change": locked.resulting_change,
                "answered_for": answered_for,
            },
        },
    )
    if QwgReport.objects.filter(consultation_id=locked.consultation_id).exists():
        _publish_comments_log(
            actor=actor,
            consultation=locked.consultation,
            note=f"Answer to the comment on §{locked.clause_reference} revised by {answered_for.label}.",
        )
    return locked


# --- the QWG report and the consolidated comments log ------------------------------------------------------------


def _log_short_name(consultation: Consultation, versions: list[ArtefactVersion]) -> str:
    """As the Programme names them, e.g. "QA&P, Annex 1 and Annex 2 Consolidated Comments Log"."""
    names = list(dict.fromkeys(v.artefact.short_name for v in versions))
    subject = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    name = f"{subject} Consolidated Comments Log"
    return name if len(name) <= 80 else f"{consultation.reference} Consolidated Comments Log"


def _publish_comments_log(*, actor: Actor, consultation: Consultation, note: str) -> ArtefactVersion:
    """Generate the consultation's log (the anonymised Excel workbook) as the next version of its log artefact and
    publish it, superseding the previous one: 1.0 at the QWG report, then 1.1, 1.2… for revised answers."""
    if consultation.comments_log_id is None:
        raise Conflict(f"{consultation.reference} has no comments log yet.", details={"comments_log": "missing"})
    artefact = Artefact.objects.select_for_update().get(pk=consultation.comments_log_id)
    comments = list(
        Comment.objects.filter(consultation=consultation, status=CommentStatus.SUBMITTED)
        .select_related("organisation", "version__artefact")
        .order_by("submitted_at", "pk")
    )
    published = artefact.versions.count()
    number = f"1.{published}" if published else "1.0"
    title = f"{artefact.document_number} v{number} {artefact.short_name}"
    body = comments_log_workbook(comments, title=title, anonymise=True)
    version = _version_create(
        actor=actor,
        artefact=artefact,
        version=number,
        release_notes=note,
        files={FileKind.CLEAN: (io.BytesIO(body), f"{artefact.document_number}-v{number}-comments-log.xlsx")},
    )
    return _baseline(actor=actor, version=version, reason=note, step="publish")


@transaction.atomic
def consultation_report_to_qwg(
    *,
    actor: Actor,
    consultation: Consultation,
    reported_on: dt.date,
    minutes_reference: str,
    log_document_number: str,
) -> QwgReport:
    """Record that the consultation's outcome was reported to the working group (QWG) (DOMAIN.md §9).

    Only once the consultation has closed and every submitted comment is answered, and once per consultation (409
    otherwise); dated on or after the closing day and not in the future. In the same transaction:

    1. the consultation's consolidated comments log becomes an artefact under ``log_document_number`` (its own number,
       subtype "Supporting Document", listed under the theme of the documents consulted on, needing no governance),
       and its version 1.0, the anonymised Excel log, is published in the library;
    2. each version consulted on is approved for governance (unless another consultation of it is still waiting),
       so QAG, then the PABs, can decide on it.
    """
    can_report_to_qwg(actor).enforce()
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if QwgReport.objects.filter(consultation=locked).exists():
        raise Conflict(
            f"The outcome of {locked.reference} has already been reported to QWG.", details={"qwg_report": "exists"}
        )
    if locked.status_at(clock.now()) != ConsultationStatus.CLOSED:
        raise Conflict(
            f"{locked.reference} has not closed yet; its outcome is reported to QWG after the close.",
            details={"consultation": "not_closed"},
        )
    waiting = Comment.objects.filter(consultation=locked, status=CommentStatus.SUBMITTED, outcome="").count()
    if waiting:
        raise Conflict(
            f"{waiting} comment{'s' if waiting != 1 else ''} in the consolidated comments log still "
            f"need{'' if waiting != 1 else 's'} an answer before the outcome is reported to QWG.",
            details={"unanswered": waiting},
        )
    problems: dict[str, str] = {}
    if not minutes_reference.strip():
        problems["minutes_reference"] = "required"
    closing_day = timezone.localtime(locked.closes_at, uk_zone()).date()
    if reported_on > clock.today():
        problems["reported_on"] = "future"
    elif reported_on < closing_day:
        problems["reported_on"] = "before_close"
    number = log_document_number.strip()
    if not re.fullmatch(DOCUMENT_NUMBER_PATTERN, number):
        problems["log_document_number"] = "invalid"
    elif Artefact.objects.filter(document_number=number).exists():
        problems["log_document_number"] = "taken"
    if problems:
        raise ValidationFailed(
            "Give the QWG meeting's date (on or after the closing day, not in the future), its minutes reference, "
            "and a new document number for the log: MHHS-DEL followed by four digits, or an older DEL1234 or DEL-123.",
            details=problems,
        )
    report = QwgReport.objects.create(
        consultation=locked,
        reported_on=reported_on,
        minutes_reference=minutes_reference.strip(),
        recorded_at=clock.now(),
        actor_id=actor.user_id,
        reported_by_name=actor.display_name,
    )
    versions = list(locked.versions.select_related("artefact").order_by("pk"))
    log = Artefact.objects.create(
        document_number=number,
        short_name=_log_short_name(locked, versions),
        title=f"Consolidated comments log of consultation {locked.reference}: {locked.title}"[:300],
        subtype=COMMENTS_LOG_SUBTYPE,
        theme=versions[0].artefact.theme,
        required_bodies=[],
    )
    audit_record(
        actor=actor,
        action="library.artefact.create",
        target=log,
        organisation_id=None,
        changes={"document_number": number, "short_name": log.short_name, "comments_log_of": locked.reference},
    )
    Consultation.objects.filter(pk=locked.pk).update(comments_log=log, updated_at=clock.now())
    locked.comments_log = log
    audit_record(
        actor=actor,
        action="library.consultation.qwg_report",
        target=locked,
        organisation_id=None,
        changes={
            "reported_on": reported_on.isoformat(),
            "minutes_reference": report.minutes_reference,
            "comments_log": number,
        },
    )
    reported = f"{locked.reference} reported to QWG on {reported_on:%-d %b %Y} ({report.minutes_reference})."
    _publish_comments_log(actor=actor, consultation=locked, note=reported)
    for version in versions:
        if version.status == VersionStatus.IN_CONSULTATION and not approval_blockers(version):
            version_transition(actor=actor, version=version, name="approve", comment=reported)
    return report
