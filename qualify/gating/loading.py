"""Reading what the engine needs from the database: the register, the LDSOs' distributor ids, the milestones.

Not scoped to an actor: the register is what the platform publishes to the whole market (DOMAIN.md §11), and every
gating decision needs all of it. Three queries, then ``context.build_context``.
"""

from __future__ import annotations

from qualify.gating.context import MilestoneFact, build_context
from qualify.gating.engine import GatingContext
from qualify.participants.choices import MarketRole
from qualify.participants.models import DistributorId, MarketParticipation
from qualify.plan.models import Milestone
from qualify.register.models import RegisterEvent
from qualify.register.rules import EventFact


def load_gating_context() -> GatingContext:
    """The register as of now (every participation, with or without events), the LDSO map and the milestones."""
    histories: dict[tuple[str, str], list[EventFact]] = {
        (mpid, role): [] for mpid, role in MarketParticipation.objects.values_list("mpid", "role")
    }
    events = RegisterEvent.objects.values_list("participation__mpid", "participation__role", "kind", "effective_date")
    for mpid, role, kind, effective_date in events.iterator(chunk_size=5000):
        histories[(mpid, role)].append(EventFact(kind, effective_date))
    ldso_by_distributor = dict(
        DistributorId.objects.filter(participation__role=MarketRole.LDSO).values_list("code", "participation__mpid")
    )
    milestones = [
        MilestoneFact(code=code, date=date, meaning=meaning, segments=tuple(segments or ()))
        for code, date, meaning, segments in Milestone.objects.values_list("code", "date", "meaning", "segments")
    ]
    return build_context(histories=histories, ldso_by_distributor=ldso_by_distributor, milestones=milestones)
