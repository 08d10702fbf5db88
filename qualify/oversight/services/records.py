"""Non-completion records (QA&P Annex 4): opened from the plan's misses, decided step by step through the ladder.

``records_detect`` runs daily (``manage.py detect_non_completion``) and is idempotent: every miss is kept with its
key, so a miss already recorded, on an open record or a closed one, opens nothing again. A case with an open record
collects further misses on that record rather than opening a second. Opening a record is the case's own step
(``record_non_completion``): the case moves to non-completion, and resolving the record returns it to the state it
left (the case table's ``accept_remediation``), with everything it had done.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.cases.choices import BEFORE_QUALIFIED, CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.core import clock
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.core.workdays import add_working_days
from qualify.core.workflow import AppliedTransition, TransitionInput, apply_transition
from qualify.oversight import triggers
from qualify.oversight.choices import RecordState, TriggerKind
from qualify.oversight.models import NonCompletionRecord, NonCompletionTrigger
from qualify.oversight.services.ladders import ladder_current
from qualify.oversight.services.notices import record_announce
from qualify.oversight.workflow import MOVE_OF, RECORD_WORKFLOW
from qualify.plan.choices import MilestoneMeaning
from qualify.plan.models import Milestone

COMMENT_MAX = 4000
SUMMARY_MAX = 4000
LINE_MAX = 200
MILESTONES_MAX = 20
MISSES_EXTRA = "non_completion_misses"


def clean_text(text: str, limit: int, *, multiline: bool = False) -> str:
    """Text as stored: control characters dropped (line breaks kept where ``multiline``), trimmed, bounded."""
    keep = "\n\t" if multiline else ""
    return "".join(c for c in text if c in keep or not unicodedata.category(c).startswith("C")).strip()[:limit]


# --- opening ---------------------------------------------------------------------------------------------------------


def _miss_rows(applied: AppliedTransition[QualificationCase]) -> list[dict[str, Any]]:
    rows = applied.data.extra.get(MISSES_EXTRA)
    if rows:
        return list(rows)
    # Recorded by the Programme by hand (the case page): a miss of its own, named by when it was recorded.
    return [
        {
            "kind": TriggerKind.MANUAL,
            "key": f"manual:{applied.at.isoformat()}",
            "due_on": None,
            "detail": clean_text(applied.data.comment, 300) or "Recorded by the Programme",
        }
    ]


def record_opened(applied: AppliedTransition[QualificationCase]) -> None:
    """Case workflow effect on ``record_non_completion``: open the record, at the ladder's first step (Annex 4)."""
    case = applied.instance
    ladder = ladder_current()
    first = ladder.spec.first_step
    today = clock.today()
    record = NonCompletionRecord.objects.create(
        reference=f"PENDING-{case.pk}",
        case=case,
        ladder=ladder,
        step=first.code,
        step_due=add_working_days(today, first.due_working_days),
        case_state_before=applied.source,
        opened_on=today,
        state_changed_at=applied.at,
    )
    record.reference = f"NC-{record.pk:06d}"
    record.save(update_fields=["reference"])
    rows = _miss_rows(applied)
    NonCompletionTrigger.objects.bulk_create(
        NonCompletionTrigger(
            case=case,
            record=record,
            kind=row["kind"],
            key=row["key"][:80],
            due_on=dt.date.fromisoformat(row["due_on"]) if row["due_on"] else None,
            detail=row["detail"][:300],
            detected_on=today,
        )
        for row in rows
    )
    audit_record(
        actor=applied.actor,
        action="oversight.record.open",
        target=record,
        organisation_id=case.participation.organisation_id,
        changes={
            "reference": record.reference,
            "case": case.reference,
            "ladder": ladder.version,
            "step": first.code,
            "misses": [row["key"] for row in rows],
        },
    )
    record_announce(record)


def _as_rows(misses: list[triggers.Miss]) -> list[dict[str, Any]]:
    return [{"kind": m.kind, "key": m.key, "due_on": m.due_on.isoformat(), "detail": m.detail} for m in misses]


def _m14() -> dt.date | None:
    found: dt.date | None = (
        Milestone.objects.filter(meaning=MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED, date__isnull=False)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return found


@dataclass
class Detected:
    opened: list[str] = field(default_factory=list)  # references of records opened
    added: int = 0  # misses added to records already open


def records_detect(*, today: dt.date | None = None) -> Detected:
    """Open a non-completion record for every case the plan shows has missed something new (run daily).

    Idempotent: a miss is recorded once per case (its key), whatever became of the record it opened.
    """
    today = today or clock.today()
    actor = system_actor("non-completion detection")
    m14 = _m14()
    open_records = {r.case_id: r for r in NonCompletionRecord.objects.filter(state=RecordState.OPEN)}
    known = set(NonCompletionTrigger.objects.values_list("case_id", "key"))
    cases = (
        # A re-qualification (a disclosed change) runs while the participant stays qualified: Annex 4 is about
        # qualifying in line with the plan, so it misses nothing.
        QualificationCase.objects.filter(
            state__in=[*BEFORE_QUALIFIED, CaseState.NON_COMPLETION], requalifies__isnull=True
        )
        .select_related("participation", "wave")
        .prefetch_related("wave__deadlines")
    )
    result = Detected()
    for case in cases:
        record = open_records.get(case.pk)
        if case.state == CaseState.NON_COMPLETION and record is None:
            continue  # sanctioned and held: nothing more to detect until the Programme resumes it
        state = record.case_state_before if record is not None else case.state
        deadlines = (
            [triggers.Deadline(d.kind, d.date, d.display_label) for d in case.wave.deadlines.all()] if case.wave else []
        )
        found = [
            m
            for m in triggers.misses(
                state=state,
                route=case.participation.route,
                role=case.participation.role,
                wave_code=case.wave.code if case.wave else "",
                deadlines=deadlines,
                m14=m14,
                today=today,
            )
            if (case.pk, m.key) not in known
        ]
        if not found:
            continue
        if record is not None:
            result.added += _add_misses(actor, record, found, today)
            continue
        try:
            apply_transition(
                CASE_WORKFLOW,
                actor=actor,
                instance=case,
                name="record_non_completion",
                data=TransitionInput(
                    comment=f"Annex 4: {found[0].detail}" + (f" (and {len(found) - 1} more)" if len(found) > 1 else ""),
                    extra={MISSES_EXTRA: _as_rows(found)},
                ),
            )
        except TransitionNotAllowed:
            continue  # moved on (or opened by a concurrent run) since it was read
        opened = NonCompletionRecord.objects.filter(case=case, state=RecordState.OPEN).values_list(
            "reference", flat=True
        )
        result.opened.extend(opened)
    return result


@transaction.atomic
def _add_misses(actor: Actor, record: NonCompletionRecord, found: list[triggers.Miss], today: dt.date) -> int:
    locked = NonCompletionRecord.objects.select_for_update().select_related("case__participation").get(pk=record.pk)
    if locked.state != RecordState.OPEN:
        return 0
    rows = [
        NonCompletionTrigger(
            case_id=locked.case_id,
            record=locked,
            kind=m.kind,
            key=m.key,
            due_on=m.due_on,
            detail=m.detail[:300],
            detected_on=today,
        )
        for m in found
    ]
    NonCompletionTrigger.objects.bulk_create(rows, ignore_conflicts=True)
    audit_record(
        actor=actor,
        action="oversight.record.add_misses",
        target=locked,
        organisation_id=locked.case.participation.organisation_id,
        changes={"misses": [m.key for m in found]},
    )
    return len(rows)


# --- deciding --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    """A remediation plan as the participant writes it: what it will do, who owns it, dated milestones."""

    summary: str
    owner: str
    milestones: list[dict[str, Any]]


def plan_clean(plan: PlanInput, *, today: dt.date) -> dict[str, Any]:
    """The plan as stored, or ValidationFailed naming what is wrong (every milestone needs a title and a date)."""
    summary = clean_text(plan.summary, SUMMARY_MAX, multiline=True)
    owner = clean_text(plan.owner, LINE_MAX)
    problems: dict[str, str] = {}
    if not summary:
        problems["summary"] = "required"
    if not owner:
        problems["owner"] = "required"
    if not plan.milestones:
        problems["milestones"] = "at least one milestone is required"
    if len(plan.milestones) > MILESTONES_MAX:
        problems["milestones"] = f"at most {MILESTONES_MAX} milestones"
    milestones: list[dict[str, str]] = []
    for index, row in enumerate(plan.milestones[:MILESTONES_MAX]):
        title = clean_text(str(row.get("title", "")), LINE_MAX)
        due = row.get("due")
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                due = None
        if not title:
            problems[f"milestones[{index}].title"] = "required"
        if not isinstance(due, dt.date):
            problems[f"milestones[{index}].due"] = "a date (YYYY-MM-DD) is required"
        elif due < today:
            problems[f"milestones[{index}].due"] = "must not be in the past"
        else:
            milestones.append(
                {"title": title, "owner": clean_text(str(row.get("owner") or owner), LINE_MAX), "due": due.isoformat()}
            )
    if problems:
        raise ValidationFailed("The remediation plan is not complete.", details=problems)
    return {"summary": summary, "owner": owner, "milestones": sorted(milestones, key=lambda m: m["due"])}


def record_decide(
    *,
    actor: Actor,
    record: NonCompletionRecord,
    outcome: str,
    comment: str = "",
    sanction: str = "",
    effective_date: dt.date | None = None,
    plan: PlanInput | None = None,
    step: str | None = None,
) -> NonCompletionRecord:
    """Record the outcome of the record's current step (who may is the step's own actor; see the ladder).

    ``step`` is the step the person was looking at (defaults to the record's current one): if someone decided it
    meanwhile, the decision is refused rather than applied to the step that followed.
    """
    current = record.current_step
    chosen = current.outcome(outcome) if current is not None else None
    name = MOVE_OF.get(chosen.leads_to, "advance") if chosen is not None else "advance"
    extra: dict[str, Any] = {
        "step": step if step is not None else (current.code if current else ""),
        "outcome": outcome[:32],
        "sanction": sanction[:32],
    }
    if chosen is not None and chosen.remediation_plan and plan is not None:
        extra["plan"] = plan_clean(plan, today=clock.today())
    return apply_transition(
        RECORD_WORKFLOW,
        actor=actor,
        instance=record,
        name=name,
        data=TransitionInput(
            comment=clean_text(comment, COMMENT_MAX, multiline=True), effective_date=effective_date, extra=extra
        ),
    )
