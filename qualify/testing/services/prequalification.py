"""The pre-qualification form (DOMAIN.md §4, §10a; QA&P Annexes 1 and 3) and its place in the case's lifecycle.

The participant's lead fills the form in as a draft (``prequalification_save``) and submits it with the case step
``submit_prequalification`` (``prequalification_submit``), in one transaction. Two guards, registered on that step
from ``TestingConfig.ready``, refuse it while the form lacks a required answer (``prequalification_guard``) or while
a new-entrant LDSO's intended operation date falls outside Annex 3's window (``annex3_guard``); an effect submits
the form itself, so the step taken from the case page freezes the form too.

The case's own ``target_migration_date`` is not copied from the form: the cases app has no service that changes it,
and this app does not write another app's rows directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.workflow import AppliedTransition, TransitionInput, apply_transition
from qualify.participants.choices import MarketRole, Route
from qualify.plan.models import Milestone, Wave
from qualify.testing.choices import PrequalState
from qualify.testing.eligibility import Eligibility, new_entrant_eligibility
from qualify.testing.models import PreQualification, TestCatalogue
from qualify.testing.permissions import can_edit_prequalification
from qualify.testing.selectors.catalogue import latest_published_catalogue
from qualify.testing.workflow import PREQUAL_WORKFLOW

MAX_TEXT = 5000
MAX_FUNCTIONS = 50
# What the form asks every non-SIT participant, in the form's order, with the words a refusal names them by.
REQUIRED: tuple[tuple[str, str], ...] = (
    ("preferred_wave", "preferred wave"),
    ("pit_approach", "PIT approach"),
    ("pit_start", "PIT start date"),
    ("pit_completion", "PIT completion date"),
    ("qt_ready", "date ready for QT"),
    ("target_migration_date", "target migration date"),
)
LDSO_REQUIRED = (("intended_operation_date", "intended operation date"),)


def optional_functions_for(role: str, catalogue: TestCatalogue | None = None) -> list[dict[str, str]]:
    """The optional functions of the latest published catalogue that apply to ``role``: [{code, title}]."""
    catalogue = catalogue or latest_published_catalogue()
    if catalogue is None:
        return []
    return [
        {"code": str(f["code"]), "title": str(f.get("title") or f["code"])}
        for f in catalogue.optional_functions
        if not f.get("roles") or role in f.get("roles", [])
    ]


def prequalification_missing(prequal: PreQualification | None, role: str) -> list[str]:
    """The required answers the form lacks, in words (every one when there is no form yet)."""
    fields = REQUIRED + (LDSO_REQUIRED if role == MarketRole.LDSO else ())
    if prequal is None:
        return [label for _, label in fields]
    missing = []
    for name, label in fields:
        value = getattr(prequal, f"{name}_id" if name == "preferred_wave" else name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(label)
    return missing


def annex3_dates() -> tuple[dt.date | None, dt.date | None]:
    """M10's and M14's current dates from the plan (each milestone keeps its history; this is the date now)."""
    dates = dict(Milestone.objects.filter(code__in=("M10", "M14")).values_list("code", "date"))
    return dates.get("M10"), dates.get("M14")


def eligibility_of(case: QualificationCase, intended_operation: dt.date | None) -> Eligibility:
    m10, m14 = annex3_dates()
    participation = case.participation
    return new_entrant_eligibility(
        role=participation.role, route=participation.route, intended_operation=intended_operation, m10=m10, m14=m14
    )


def prequalification_guard(case: QualificationCase, data: TransitionInput) -> str | None:
    """Refuse ``submit_prequalification`` while the form lacks a required answer, naming each one."""
    if case.participation.route == Route.SIT:
        return None  # the table's own guard refuses a SIT-route pre-qualification
    prequal = PreQualification.objects.filter(case=case).first()
    missing = prequalification_missing(prequal, case.participation.role)
    if missing:
        return "Complete the pre-qualification form first; it lacks: " + ", ".join(missing) + "."
    return None


def annex3_guard(case: QualificationCase, data: TransitionInput) -> str | None:
    """Refuse a new-entrant LDSO's pre-qualification unless it intends to operate after M10 and before M14."""
    if case.participation.route != Route.NEW_ENTRANT:
        return None
    prequal = PreQualification.objects.filter(case=case).first()
    answer = eligibility_of(case, prequal.intended_operation_date if prequal is not None else None)
    return None if answer.allowed else answer.reason


def submit_form_with_case(applied: AppliedTransition[QualificationCase]) -> None:
    """Effect on ``submit_prequalification``: the form freezes with the case step (same transaction)."""
    prequal = PreQualification.objects.filter(case=applied.instance, state=PrequalState.DRAFT).first()
    if prequal is not None:
        apply_transition(PREQUAL_WORKFLOW, actor=applied.actor, instance=prequal, name="submit")


def _clean_functions(case: QualificationCase, codes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(c).strip().upper()[:24] for c in codes if str(c).strip()))
    if len(chosen) > MAX_FUNCTIONS:
        raise ValidationFailed(
            f"Name at most {MAX_FUNCTIONS} optional functions.", details={"optional_functions_not_sought": "too_many"}
        )
    if not chosen:
        return []
    known = {f["code"] for f in optional_functions_for(case.participation.role)}
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise ValidationFailed(
            "These are not optional functions of the latest published catalogue for this role: "
            + ", ".join(unknown[:10])
            + ".",
            details={"optional_functions_not_sought": unknown[:10]},
        )
    return chosen


def _date_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def prequalification_save(
    *,
    actor: Actor,
    case: QualificationCase,
    preferred_wave: Wave | None = None,
    pit_approach: str = "",
    pit_start: dt.date | None = None,
    pit_completion: dt.date | None = None,
    qt_ready: dt.date | None = None,
    target_migration_date: dt.date | None = None,
    intended_operation_date: dt.date | None = None,
    optional_functions_not_sought: Iterable[str] = (),
) -> PreQualification:
    """Save the draft form (created on first save). Only the lead edits it, only while the case is a draft on a
    route that pre-qualifies; a submitted form is frozen. Unanswered questions may stay empty until submission."""
    case = QualificationCase.objects.select_for_update().select_related("participation").get(pk=case.pk)
    can_edit_prequalification(actor, case).enforce()
    if case.participation.route == Route.SIT:
        raise ValidationFailed(
            "SIT-route participants do not submit a pre-qualification.", details={"route": "SIT"}, code="sit_route"
        )
    prequal = PreQualification.objects.filter(case=case).first()
    if (prequal is not None and prequal.state != PrequalState.DRAFT) or case.state != CaseState.DRAFT:
        raise ValidationFailed(
            "The pre-qualification was submitted; it can no longer be changed.",
            details={"state": prequal.state if prequal is not None else case.state},
            code="prequalification_submitted",
        )
    if pit_start is not None and pit_completion is not None and pit_completion < pit_start:
        raise ValidationFailed("PIT cannot complete before it starts.", details={"pit_completion": "before_start"})
    values: dict[str, Any] = {
        "preferred_wave": preferred_wave,
        "pit_approach": pit_approach.strip()[:MAX_TEXT],
        "pit_start": pit_start,
        "pit_completion": pit_completion,
        "qt_ready": qt_ready,
        "target_migration_date": target_migration_date,
        "intended_operation_date": intended_operation_date,
        "optional_functions_not_sought": _clean_functions(case, optional_functions_not_sought),
    }
    if prequal is None:
        prequal = PreQualification.objects.create(case=case, **values)
    else:
        for name, value in values.items():
            setattr(prequal, name, value)
        prequal.save()
    audit_record(
        actor=actor,
        action="testing.prequalification.save",
        target=case,
        organisation_id=int(case.participation.organisation_id),
        changes={
            **{k: _date_json(v) for k, v in values.items() if k not in ("preferred_wave", "pit_approach")},
            "preferred_wave": preferred_wave.code if preferred_wave is not None else None,
            "pit_approach": values["pit_approach"][:200],
        },
    )
    return prequal


@transaction.atomic
def prequalification_submit(*, actor: Actor, case: QualificationCase, comment: str = "") -> PreQualification:
    """Submit the form with the case step ``submit_prequalification`` (guards: complete form, Annex 3 window)."""
    can_edit_prequalification(actor, case).enforce()
    case_transition(actor=actor, case=case, name="submit_prequalification", comment=comment.strip()[:MAX_TEXT])
    return PreQualification.objects.select_related("preferred_wave", "case").get(case=case)
