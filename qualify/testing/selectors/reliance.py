"""Reads of pre-qualification and Placing Reliance that depend on who asks (STYLE.md rule 2).

A participant sees only its own organisation's proposals (``visible_to``); staff see every one. The reliance graph
answers "who relies on this provider, and for what" from the same visible set, so a participant's view of a provider
is only its own rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.testing.choices import ProposalState
from qualify.testing.models import PreQualification, RelianceDecisionRecord, RelianceProposal

# Proposals that say a participant relies (or asks to rely) on a provider: put to the Code Bodies or decided.
RELYING_STATES = (ProposalState.PROPOSED, ProposalState.DECIDED)


def prequalification_of(*, actor: Actor, case: QualificationCase) -> PreQualification | None:
    """The case's form, if started (the case was fetched within the actor's scope)."""
    found: PreQualification | None = (
        PreQualification.objects.visible_to(actor).select_related("preferred_wave").filter(case=case).first()
    )
    return found


def _proposals(actor: Actor) -> QuerySet[RelianceProposal]:
    return RelianceProposal.objects.visible_to(actor).select_related("case__participation__organisation")


def proposal_list(*, actor: Actor, case: QualificationCase) -> QuerySet[RelianceProposal]:
    """A case's proposals, newest reference last, with their decisions and evidence."""
    return (
        _proposals(actor)
        .filter(case=case)
        .prefetch_related(
            Prefetch("decisions", queryset=RelianceDecisionRecord.objects.order_by("decided_at", "pk")), "evidence"
        )
        .order_by("reference")
    )


def proposal_get(*, actor: Actor, key: str) -> RelianceProposal:
    """By reference (PRP-000123) or UUID; NotFound when absent or outside the actor's scope."""
    qs = _proposals(actor).prefetch_related(
        Prefetch("decisions", queryset=RelianceDecisionRecord.objects.order_by("decided_at", "pk")), "evidence"
    )
    key = str(key).strip()
    found = qs.filter(reference=key.upper()).first() if key.upper().startswith("PRP-") else None
    if found is None and (public_id := parse_uuid(key)) is not None:
        found = qs.filter(uuid=public_id).first()
    if found is None:
        raise NotFound("No such reliance proposal.")
    return found


def reliance_providers(*, actor: Actor) -> QuerySet[Any]:
    """Every party relied on (by name, case-insensitively, and MPID) with how many proposals and participants rely
    on it; one grouped query however many proposals there are."""
    return (
        RelianceProposal.objects.visible_to(actor)
        .filter(state__in=RELYING_STATES)
        .annotate(key=Lower("relied_on_name"))
        .values("key", "relied_on_mpid")
        .annotate(
            name=Min("relied_on_name"),
            proposals=Count("pk"),
            participants=Count("case__participation__organisation", distinct=True),
            accepted=Count("pk", filter=Q(outcome__in=("ACCEPTED", "PARTLY_ACCEPTED"))),
        )
        .order_by("key", "relied_on_mpid")
    )


@dataclass(frozen=True)
class ProviderQuery:
    name: str = ""
    mpid: str = ""

    @classmethod
    def of(cls, name: str | None, mpid: str | None) -> ProviderQuery:
        return cls(name=" ".join((name or "").split())[:200], mpid=(mpid or "").strip().upper()[:4])

    @property
    def given(self) -> bool:
        return bool(self.name or self.mpid)


def reliance_graph(*, actor: Actor, query: ProviderQuery) -> QuerySet[RelianceProposal]:
    """Every visible proposal relying on the provider named (case-insensitively) and/or by MPID, with what it
    covers and how it was decided; nothing when neither is given."""
    qs = _proposals(actor).filter(state__in=RELYING_STATES)
    if not query.given:
        return qs.none()
    if query.name:
        qs = qs.filter(relied_on_name__iexact=query.name)
    if query.mpid:
        qs = qs.filter(relied_on_mpid=query.mpid)
    return qs.order_by("case__participation__organisation__name", "reference")
