"""Reading what the engine needs from the database: the register, the LDSOs' distributor ids, the milestones.

Not scoped to an actor: the register is what the platform publishes to the whole market (DOMAIN.md §11), and every
gating decision needs all of it. Three queries (four as known at a past instant), then ``context.build_context``.

As known at an instant ``known_at`` (issue 11: "was this migration allowed when it was decided?"):

- the register: participations registered by then, and only the events recorded at or before then;
- the LDSO map: the distributor ids of the LDSOs registered by then (ids are not kept with a history; an LDSO's ids
  are today's);
- the milestones: those created by then, each dated as its date history (``MilestoneDateChange``) says it stood
  then; a milestone's meaning and segments are today's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from qualify.gating.context import MilestoneFact, build_context
from qualify.gating.engine import GatingContext
from qualify.participants.choices import MarketRole
from qualify.participants.models import DistributorId, MarketParticipation
from qualify.plan.models import Milestone, MilestoneDateChange
from qualify.register.models import RegisterEvent
from qualify.register.rules import EventFact


def load_gating_context(*, known_at: dt.datetime | None = None) -> GatingContext:
    """The register (every participation, with or without events), the LDSO map and the milestones: as of now, or
    as they stood at ``known_at``."""
    participations = MarketParticipation.objects.all()
    events = RegisterEvent.objects.all()
    distributors = DistributorId.objects.filter(participation__role=MarketRole.LDSO)
    milestones = Milestone.objects.all()
    if known_at is not None:
        participations = participations.filter(created_at__lte=known_at)
        events = events.filter(recorded_at__lte=known_at, participation__created_at__lte=known_at)
        distributors = distributors.filter(participation__created_at__lte=known_at)
        milestones = milestones.filter(created_at__lte=known_at)
    histories: dict[tuple[str, str], list[EventFact]] = {
        (mpid, role): [] for mpid, role in participations.values_list("mpid", "role")
    }
    rows = events.values_list("participation__mpid", "participation__role", "kind", "effective_date")
    for mpid, role, kind, effective_date in rows.iterator(chunk_size=5000):
        histories[(mpid, role)].append(EventFact(kind, effective_date))
    ldso_by_distributor = dict(distributors.values_list("code", "participation__mpid"))
    dated = list(milestones.values_list("pk", "code", "date", "meaning", "segments"))
    if known_at is not None:
        dated = _dated_as_known_at(dated, known_at)
    facts = [
        MilestoneFact(code=code, date=date, meaning=meaning, segments=tuple(segments or ()))
        for _, code, date, meaning, segments in dated
    ]
    return build_context(histories=histories, ldso_by_distributor=ldso_by_distributor, milestones=facts)


def _dated_as_known_at(milestones: list[tuple[Any, ...]], known_at: dt.datetime) -> list[tuple[Any, ...]]:
    """Each milestone with the date it had at ``known_at``: the last move recorded by then gives it; with none, the
    first move's old date (the date it had before any move), or, never moved, its date today."""
    moves: dict[int, list[tuple[dt.datetime, dt.date | None, dt.date | None]]] = {}
    for milestone_id, recorded_at, old, new in MilestoneDateChange.objects.filter(
        milestone_id__in=[m[0] for m in milestones]
    ).values_list("milestone_id", "recorded_at", "old_date", "new_date"):
        moves.setdefault(milestone_id, []).append((recorded_at, old, new))
    result = []
    for pk, code, date, meaning, segments in milestones:
        history = sorted(moves.get(pk, []), key=lambda move: move[0])
        known = [move for move in history if move[0] <= known_at]
        if known:
            date = known[-1][2]
        elif history:
            date = history[0][1]
        result.append((pk, code, date, meaning, segments))
    return result
