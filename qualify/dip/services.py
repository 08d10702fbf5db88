"""Every write of DIP message validation: uploading a specification, running a validation, attaching its report.

Each service checks its permission (``dip/permissions.py``), runs in one transaction and writes an audit event. The
reading and checking (``dip/validation.py``) happen before the transaction, so a long run never holds a lock.
Attaching a report goes through the QAD and QT apps' own evidence services, which check the case themselves.
"""

from __future__ import annotations

import hashlib
import io
import uuid as uuid_mod
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.core import storedfiles
from qualify.core.actor import Actor
from qualify.core.errors import NotFound, ValidationFailed
from qualify.core.text import one_line
from qualify.dip import reports
from qualify.dip import validation as v
from qualify.dip.choices import Outcome
from qualify.dip.models import MessageResult, Specification, ValidationRun
from qualify.dip.permissions import can_attach, can_upload_specification, can_validate
from qualify.qad.models import EvidenceFile, QadQuestion, QadResponse
from qualify.qad.services import evidence_upload, response_open
from qualify.testing.models import Execution
from qualify.testing.services.execution import EvidenceUpload, execution_evidence_add

NAME_CHARS = 200


def _display_name(name: str) -> str:
    shown = one_line(name.replace("\\", "/").rsplit("/", 1)[-1], limit=NAME_CHARS)
    if not shown:
        raise ValidationFailed("The file has no name.", details={"file": "no_name"}, code="bad_file_name")
    return shown


def specification_upload(
    *, actor: Actor, organisation_id: int | None, stream: io.IOBase | Any, name: str, size: int
) -> Specification:
    """Check an OpenAPI 3.0/3.1 document (refused with every problem found when it is not one, or when it refers to
    anything outside itself) and keep it, with its SHA-256, for the organisation or (the DIP Manager's) programme."""
    can_upload_specification(actor, organisation_id).enforce()
    shown = _display_name(name)
    if size <= 0:
        raise ValidationFailed("The file is empty.", details={"file": "empty"}, code="file_empty")
    raw = stream.read(v.SPEC_MAX_BYTES + 1)
    parsed = v.parse_specification(raw)
    extension = "json" if shown.lower().endswith(".json") else "yaml"
    public_id = uuid_mod.uuid4()
    stored = storedfiles.stage(f"dip/{public_id.hex}.{extension}", ContentFile(raw, name=shown))
    try:
        return _specification_record(
            actor=actor,
            spec=Specification(
                uuid=public_id,
                organisation_id=organisation_id,
                title=parsed.title,
                version=parsed.version,
                openapi=parsed.openapi[:16],
                original_name=shown,
                storage_name=stored,
                size=len(raw),
                sha256=hashlib.sha256(raw).hexdigest(),
                schema_names=parsed.schema_names,
                request_schemas=parsed.request_schemas,
                uploaded_by_id=actor.user_id,
                uploaded_by_name=actor.display_name[:200],
            ),
        )
    except BaseException:
        storedfiles.discard(stored)
        raise


@transaction.atomic
def _specification_record(*, actor: Actor, spec: Specification) -> Specification:
    spec.save()
    storedfiles.promote_on_commit(spec.storage_name)
    audit_record(
        actor=actor,
        action="dip.specification.upload",
        target=spec,
        organisation_id=spec.organisation_id,
        changes={
            "title": spec.title,
            "version": spec.version,
            "openapi": spec.openapi,
            "name": spec.original_name,
            "sha256": spec.sha256,
            "schemas": len(spec.schema_names),
        },
    )
    return spec


def specification_parsed(spec: Specification) -> v.ParsedSpecification:
    """The stored document, read again (it was checked when it was uploaded)."""
    with storedfiles.open_stored(spec.storage_name) as handle:
        raw = handle.read(v.SPEC_MAX_BYTES + 1)
    return v.parse_specification(raw, check=False)


def run_create(
    *,
    actor: Actor,
    specification: Specification,
    organisation_id: int | None,
    schema: str,
    uploads: Sequence[v.Upload],
) -> ValidationRun:
    """Validate sample messages (JSON files, or zips of them) against a specification and keep the outcome.

    ``schema`` names a component schema, or is empty to detect, for each message, the schemas it matches. A file
    that is not JSON is reported as such in the run; an unsafe zip refuses the whole run. The checking is done
    inline: its bounds (``validation.MAX_MESSAGES``, ``MAX_CHECKS``) keep one run to a few seconds.
    """
    can_validate(actor, organisation_id).enforce()
    visible = Specification.objects.visible_to(actor).filter(pk=specification.pk).exists()
    if not visible or specification.organisation_id not in (None, organisation_id):
        raise NotFound("No such specification.")
    schema = (schema or "").strip()
    if schema and schema not in specification.schema_names:
        raise ValidationFailed(
            f"The specification has no schema called {schema[:80]!r}.", details={"schema": "unknown"}, code="bad_schema"
        )
    batch = v.read_uploads(uploads)
    schemas = v.SchemaSet(specification_parsed(specification))
    outcomes = v.check_messages(schemas, batch.messages, schema=schema)
    counts = Counter(o.status for o in outcomes)
    per_schema: Counter[str] = Counter(name for o in outcomes for name in o.matched)
    summary = {
        "per_schema": {name: per_schema[name] for name in specification.schema_names if per_schema[name]},
        "closest": dict(Counter(o.compared_with for o in outcomes if o.compared_with)),
        "skipped": batch.skipped[: v.SKIPPED_SHOWN],
        "skipped_count": len(batch.skipped),
        "uploads": [one_line(u.name, limit=NAME_CHARS) for u in uploads][:20],
    }
    return _run_record(
        actor=actor,
        run=ValidationRun(
            specification=specification,
            organisation_id=organisation_id,
            schema=schema,
            messages=len(outcomes),
            valid=counts[Outcome.VALID],
            invalid=counts[Outcome.INVALID],
            unreadable=counts[Outcome.UNREADABLE],
            summary=summary,
            run_by_id=actor.user_id,
            run_by_name=actor.display_name[:200],
        ),
        outcomes=outcomes,
    )


@transaction.atomic
def _run_record(*, actor: Actor, run: ValidationRun, outcomes: list[v.Outcome]) -> ValidationRun:
    run.save()
    MessageResult.objects.bulk_create(
        MessageResult(
            run=run,
            position=index,
            name=outcome.name[:200],
            outcome=outcome.status,
            matched=outcome.matched,
            compared_with=outcome.compared_with[:200],
            violation_count=outcome.violation_count,
            violations=[violation.as_dict() for violation in outcome.violations],
            problem=one_line(outcome.problem, limit=400, mark_cut=True),
        )
        for index, outcome in enumerate(outcomes, start=1)
    )
    audit_record(
        actor=actor,
        action="dip.run.create",
        target=run,
        organisation_id=run.organisation_id,
        changes={
            "specification": str(run.specification.uuid),
            "schema": run.schema or "detect",
            "messages": run.messages,
            "valid": run.valid,
            "invalid": run.invalid,
            "unreadable": run.unreadable,
        },
    )
    return run


# --- the report as evidence -------------------------------------------------------------------------------------------


def _report(run: ValidationRun) -> tuple[bytes, str]:
    results = list(MessageResult.objects.filter(run=run).order_by("position"))
    return reports.run_pdf(run, results), f"dip-validation-{run.short}.pdf"


def _same_organisation(run: ValidationRun, case: QualificationCase) -> None:
    # Another organisation's case is as absent as one that does not exist.
    if case.participation.organisation_id != run.organisation_id:
        raise NotFound("No such case.")


@transaction.atomic
def _note_attachment(*, actor: Actor, run: ValidationRun, entry: dict[str, str]) -> None:
    locked = ValidationRun.objects.select_for_update().get(pk=run.pk)
    locked.attachments = [*locked.attachments, entry]
    locked.save(update_fields=["attachments", "updated_at"])
    run.attachments = locked.attachments
    audit_record(
        actor=actor, action="dip.run.attach", target=locked, organisation_id=locked.organisation_id, changes=entry
    )


def _question_id(response: QadResponse, given: str) -> str:
    """A question named by its id (``Q-4.5``) or by its number as the QAD shows it (``4.5``); the QAD's service
    then checks that it applies to the case."""
    given = one_line(given, limit=40)
    found = (
        QadQuestion.objects.filter(version_id=response.version_id)
        .filter(Q(qid=given) | Q(number=given))
        .values_list("qid", flat=True)
        .first()
    )
    if found is None:
        raise ValidationFailed(
            f"The case's QAD has no question {given!r}; name it by its number (4.5.1) or its id.",
            details={"question": "unknown"},
            code="unknown_question",
        )
    return str(found)


def run_attach_to_qad(*, actor: Actor, run: ValidationRun, case: QualificationCase, question_id: str) -> EvidenceFile:
    """The run's PDF report as evidence of a QAD question of the same organisation's case, through the QAD's own
    evidence store (which checks that the person may change the case's QAD and that the question applies)."""
    can_attach(actor, run.organisation_id).enforce()
    _same_organisation(run, case)
    content, name = _report(run)
    with transaction.atomic():
        existing = QadResponse.objects.filter(case=case).first()
        response = existing if existing is not None else response_open(actor=actor, case=case)
        question_id = _question_id(response, question_id)
        evidence = evidence_upload(
            actor=actor,
            response=response,
            upload=io.BytesIO(content),
            name=name,
            size=len(content),
            evidence_as_of=timezone.localtime(run.created_at).date(),
            question_ids=[question_id],
        )
        try:
            _note_attachment(
                actor=actor,
                run=run,
                entry={"kind": "QAD", "case": case.reference, "target": question_id, "evidence": str(evidence.uuid)},
            )
        except BaseException:
            storedfiles.discard(evidence.storage_name)
            raise
    return evidence


def run_attach_to_test_run(*, actor: Actor, run: ValidationRun, execution: Execution) -> Execution:
    """The run's PDF report as evidence of a QT test run of the same organisation's case, through the testing app's
    own service (the lead or a contributor, while the case is in testing and the run awaits assurance)."""
    can_attach(actor, run.organisation_id).enforce()
    _same_organisation(run, execution.case)
    content, name = _report(run)
    with transaction.atomic():
        updated = execution_evidence_add(
            actor=actor, execution=execution, uploads=[EvidenceUpload(io.BytesIO(content), name, len(content))]
        )
        _note_attachment(
            actor=actor,
            run=run,
            entry={
                "kind": "QT",
                "case": execution.case.reference,
                "target": execution.test_case_id,
                "execution": str(execution.uuid),
            },
        )
    return updated
