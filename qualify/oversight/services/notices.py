"""Telling people about non-completion records: opened, moved to a step, and daily reminders of due steps.

The participant hears of everything on its record (its leads and contributors); staff hear of the steps they take
(everyone active in the staff role the step names). In-app and by e-mail through the notifications app.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from qualify.core import clock
from qualify.core.roles import ASSESSOR_ROLES, MembershipRole, StaffRole
from qualify.notifications.services import notify
from qualify.oversight import choices as ch
from qualify.oversight.choices import Acts, RecordState
from qualify.oversight.models import NonCompletionRecord, StepDecision, StepReminder


def record_link(record: NonCompletionRecord) -> str:
    return reverse("oversight:record_detail", args=[record.reference])


def participant_people(record: NonCompletionRecord) -> list[int]:
    users = get_user_model()._default_manager.filter(
        is_active=True,
        memberships__organisation_id=record.case.participation.organisation_id,
        memberships__role__in=[MembershipRole.LEAD, MembershipRole.CONTRIBUTOR],
    )
    return list(users.values_list("pk", flat=True))


def step_people(record: NonCompletionRecord, acts: str) -> list[int]:
    """Who takes a step: the participant's people, or the staff in the role the step names."""
    if acts == Acts.PARTICIPANT_LEAD:
        return participant_people(record)
    roles = {
        Acts.ASSESSOR: list(ASSESSOR_ROLES),
        Acts.PROGRAMME: [StaffRole.PROGRAMME_ADMIN],
        Acts.BSC_PAB: [StaffRole.BSC_PAB_MEMBER],
    }.get(Acts(acts), [])
    users = get_user_model()._default_manager.filter(is_active=True, is_machine=False, staff_role__in=roles)
    return list(users.values_list("pk", flat=True))


def _who(record: NonCompletionRecord) -> str:
    participation = record.case.participation
    return f"{participation.organisation.name} ({participation.mpid} {participation.get_role_display()})"


def record_announce(record: NonCompletionRecord) -> None:
    """A record has opened: the participant is told what it missed; whoever takes the first step is told too."""
    step = record.current_step
    due = f" by {record.step_due:%d %b %Y}" if record.step_due else ""
    notify(
        recipients=set(participant_people(record)) | set(step_people(record, step.acts) if step else []),
        kind=ch.NOTICE_OPENED,
        title=f"{record.reference}: non-completion of qualification recorded for {record.case.reference}",
        body=f"{_who(record)} has missed its plan (QA&P Annex 4). " + (f"Next: {step.label}{due}." if step else ""),
        link=record_link(record),
        subject=record.case.reference,
    )


def step_announce(record: NonCompletionRecord, decision: StepDecision, applied: Any) -> None:
    """A step was decided: the participant hears the outcome; the next step's people hear it is theirs."""
    step = record.current_step
    if step is not None:
        outcome = f"{decision.outcome_label}. Next: {step.label}, due {record.step_due:%d %b %Y}."
    elif record.sanction_label:
        outcome = f"{decision.outcome_label}: {record.sanction_label}."
    else:
        outcome = f"{decision.outcome_label}. The case resumes where it was."
    notify(
        recipients=set(participant_people(record)) | set(step_people(record, step.acts) if step else []),
        kind=ch.NOTICE_STEP,
        title=f"{record.reference} ({record.case.reference}): {decision.step_label} decided",
        body=outcome,
        link=record_link(record),
        subject=record.case.reference,
    )


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind whoever takes each open record's step that it is due soon, or overdue. Run daily; idempotent: each
    (record, step, kind, due date) is reminded once, and a step reached again with a new due date earns new ones."""
    today = today or clock.today()
    soon = today + dt.timedelta(days=ch.DUE_SOON_DAYS)
    sent = {ch.NOTICE_DUE_SOON: 0, ch.NOTICE_OVERDUE: 0}
    records = NonCompletionRecord.objects.filter(state=RecordState.OPEN, step_due__lte=soon).select_related(
        "case__participation__organisation", "ladder"
    )
    for record in records:
        step = record.current_step
        if step is None or record.step_due is None:
            continue
        kind = ch.NOTICE_OVERDUE if record.step_due < today else ch.NOTICE_DUE_SOON
        with transaction.atomic():
            _, created = StepReminder.objects.get_or_create(
                record=record, step=step.code, kind=kind, due_on=record.step_due
            )
            if not created:
                continue
            late = kind == ch.NOTICE_OVERDUE
            notify(
                recipients=step_people(record, step.acts),
                kind=kind,
                title=f"{record.reference} {'overdue' if late else 'due soon'}: {step.label} "
                f"{'was' if late else 'is'} due {record.step_due:%d %b %Y}",
                body=f"{_who(record)}, case {record.case.reference}: non-completion of qualification (Annex 4).",
                link=record_link(record),
                subject=record.case.reference,
            )
            sent[kind] += 1
    return sent
