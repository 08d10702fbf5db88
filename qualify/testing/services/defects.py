"""Defects found in testing and their work-off plans (DOMAIN.md §10a "defects managed"; QA&P work-off plans).

The participant records a defect from a run or a test case and moves it through the engine (fixed, retest failed,
closed). A defect still open can be covered by a work-off plan, which IS an assessment finding: a Code Body assessor
records the finding for the defect (``finding_record``: only the bodies approving the role record findings), the
participant proposes the plan and the body agrees it (``finding_transition``) — one mechanism for every work-off plan.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod

from django.db import transaction

from qualify.assessment.choices import Severity
from qualify.assessment.models import Finding
from qualify.assessment.permissions import body_of
from qualify.assessment.services.review import finding_record, finding_transition
from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.testing.choices import DefectState
from qualify.testing.defects_workflow import DEFECT_WORKFLOW
from qualify.testing.models import Defect, Execution
from qualify.testing.permissions import can_record_runs
from qualify.testing.services.execution import recording_open, required_case, scoped_or_refuse

MAX_TITLE = 200
MAX_DESCRIPTION = 4000
MAX_OWNER = 200
# When a finding is raised for a defect without a target date, the work-off plan is due this many days later.
DEFAULT_PLAN_DAYS = 28


def _clean(text: str, limit: int) -> str:
    return "".join(ch for ch in text.strip() if ch.isprintable() or ch in "\n\t")[:limit]


@transaction.atomic
def defect_record(
    *,
    actor: Actor,
    case: QualificationCase,
    title: str,
    owner: str,
    severity: str,
    description: str = "",
    raised_on: dt.date | None = None,
    target_date: dt.date | None = None,
    execution: Execution | None = None,
    test_case_id: str = "",
) -> Defect:
    """The participant records a defect found while testing, from a run or a required test case (or neither, for a
    defect of the environment). Its lead or a contributor only, while the case is in testing."""
    can_record_runs(actor, case).enforce()
    recording_open(case)
    today = clock.today()
    raised_on = raised_on or today
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = "required"
    if not owner.strip():
        problems["owner"] = "required"
    if severity not in Severity.values:
        problems["severity"] = "unknown"
    if raised_on > today:
        problems["raised_on"] = "future"
    if target_date is not None and target_date < raised_on:
        problems["target_date"] = "before raised_on"
    if problems:
        raise ValidationFailed("The defect is incomplete: " + ", ".join(f"{k} {v}" for k, v in problems.items()) + ".",
                               details=problems)  # fmt: skip
    if execution is not None:
        if execution.case_id != case.pk:
            raise ValidationFailed("That run belongs to another case.", details={"execution": "other_case"})
        test_case_id = execution.test_case_id
    elif test_case_id:
        required_case(scoped_or_refuse(case), test_case_id.strip().upper()[:8])
        test_case_id = test_case_id.strip().upper()[:8]
    # The reference comes from the row's own id (as assessment's findings do): a placeholder holds the unique column
    # between the insert and the update, so two writers at once never compute the same reference.
    defect = Defect.objects.create(
        reference=f"DEF-{uuid_mod.uuid4().hex[:12]}",
        case=case,
        execution=execution,
        test_case_id=test_case_id,
        title=_clean(title, MAX_TITLE),
        description=_clean(description, MAX_DESCRIPTION),
        severity=severity,
        owner=_clean(owner, MAX_OWNER),
        raised_on=raised_on,
        target_date=target_date,
        state_changed_at=clock.now(),
        raised_by_name=actor.display_name[:200],
    )
    defect.reference = f"DEF-{defect.pk:06d}"
    defect.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action="testing.defect_recorded",
        target=defect,
        organisation_id=int(case.participation.organisation_id),
        changes={
            "defect": defect.reference,
            "case": case.reference,
            "test_case": test_case_id,
            "severity": severity,
            "title": defect.title,
        },
    )
    return defect


@transaction.atomic
def defect_transition(*, actor: Actor, defect: Defect, name: str, comment: str = "") -> Defect:
    """Move a defect: fixed (awaiting retest), retest failed (open again, saying why), or closed."""
    return apply_transition(
        DEFECT_WORKFLOW,
        actor=actor,
        instance=defect,
        name=name,
        data=TransitionInput(comment=_clean(comment, MAX_DESCRIPTION)),
    )


@transaction.atomic
def defect_finding_raise(
    *, actor: Actor, defect: Defect, body: str = "", due_date: dt.date | None = None, note: str = ""
) -> Finding:
    """A Code Body assessor records the assessment finding that will carry the defect's work-off plan.

    The body is the assessor's own (a programme administrator names one); ``finding_record`` checks that the actor
    assesses for it and that it approves the case's role. Refused once the defect is closed or already covered.
    """
    if body_of(actor) is None and not actor.is_programme_admin:
        raise NotAllowed("Only a Code Body assessor records the finding that carries a work-off plan.")
    locked = Defect.objects.select_for_update().select_related("case__participation").get(pk=defect.pk)
    if locked.state == DefectState.CLOSED:
        raise TransitionNotAllowed(f"{locked.reference} is closed: it needs no work-off plan.", code="defect_closed")
    if locked.finding_id is not None:
        raise TransitionNotAllowed(
            f"{locked.reference} already has its finding; the work-off plan is agreed there.", code="has_finding"
        )
    body = body or body_of(actor) or ""
    if not body:
        raise ValidationFailed("Name the Code Body recording the finding.", details={"body": "required"})
    finding = finding_record(
        actor=actor,
        case=locked.case,
        body=body,
        title=f"{locked.reference}: {locked.title}"[:MAX_TITLE],
        description=(locked.description or locked.title)
        + (f"\n\n{_clean(note, MAX_DESCRIPTION)}" if note.strip() else ""),
        owner=locked.owner,
        due_date=due_date or locked.target_date or clock.today() + dt.timedelta(days=DEFAULT_PLAN_DAYS),
        severity=locked.severity,
    )
    locked.finding = finding
    locked.save(update_fields=["finding", "updated_at"])
    audit_record(
        actor=actor,
        action="testing.defect_work_off_finding",
        target=locked,
        organisation_id=int(locked.case.participation.organisation_id),
        changes={"defect": locked.reference, "finding": finding.reference, "body": body},
    )
    return finding


def _finding_of(defect: Defect) -> Finding:
    if defect.finding_id is None:
        raise TransitionNotAllowed(
            f"{defect.reference} has no work-off finding yet: a Code Body assessor records one first.",
            code="no_finding",
        )
    finding: Finding = Finding.objects.select_related("case__participation").get(pk=defect.finding_id)
    return finding


@transaction.atomic
def defect_plan_propose(
    *, actor: Actor, defect: Defect, work_off_plan: str, owner: str = "", due_date: dt.date | None = None
) -> Finding:
    """The participant proposes the work-off plan on the defect's finding (the finding's own step)."""
    return finding_transition(
        actor=actor,
        finding=_finding_of(defect),
        name="propose_plan",
        work_off_plan=_clean(work_off_plan, MAX_DESCRIPTION),
        owner=_clean(owner, MAX_OWNER),
        due_date=due_date,
    )


@transaction.atomic
def defect_plan_decide(*, actor: Actor, defect: Defect, agree: bool, comment: str = "") -> Finding:
    """The finding's body agrees the proposed plan, or sends it back with a reason (the finding's own steps)."""
    return finding_transition(
        actor=actor,
        finding=_finding_of(defect),
        name="agree_plan" if agree else "reject_plan",
        comment=_clean(comment, MAX_DESCRIPTION),
    )
