"""Set-up for the changes tests: a qualified case without walking the whole lifecycle, and a disclosure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qualify.cases.models import QualificationCase
from qualify.changes.models import ChangeDisclosure
from qualify.changes.services import change_disclose
from qualify.core.actor import system_actor
from qualify.register.choices import RegisterEventKind, RegisterEventSource
from qualify.register.services import register_event_record


def make_active(case: QualificationCase, *, state: str = "ACTIVE") -> QualificationCase:
    """Test set-up only: the case jumps to ``state`` (the walk there is tested with the assessment app), and the
    register learns it is qualified and activated, as the real steps would have recorded."""
    QualificationCase.objects.filter(pk=case.pk).update(state=state)
    for kind, on in (
        (RegisterEventKind.QUALIFIED, dt.date(2026, 1, 5)),
        (RegisterEventKind.SERVICE_ACTIVATED, dt.date(2026, 1, 6)),
    ):
        register_event_record(
            actor=system_actor("changes tests"),
            participation=case.participation,
            kind=kind,
            effective_date=on,
            source=RegisterEventSource.CASE,
            reference=case.reference,
            reason="test set-up",
        )
    return QualificationCase.objects.select_related("participation__organisation").get(pk=case.pk)


def disclose(
    cast: Any, *, kind: str = "SYSTEMS", description: str = "We replace our billing system."
) -> ChangeDisclosure:
    return change_disclose(
        actor=cast.actor("lead_a"),
        case=cast.case_a,
        kind=kind,
        effective_on=dt.date(2026, 12, 1),
        description=description,
    )
