"""Reads of the plan. The plan is public to every signed-in person: it is the Programme's published timetable."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.plan.models import Milestone, MilestoneDateChange, Wave, WaveDeadline


def milestone_list(*, actor: Actor) -> QuerySet[Milestone]:
    if not actor.is_authenticated:
        return Milestone.objects.none()
    return Milestone.objects.prefetch_related(
        Prefetch("date_changes", queryset=MilestoneDateChange.objects.order_by("recorded_at", "pk"))
    ).order_by("sequence", "code")


def milestone_get(*, actor: Actor, code: str) -> Milestone:
    milestone = milestone_list(actor=actor).filter(code=code.upper()).first()
    if milestone is None:
        raise NotFound("No such milestone.")
    return milestone


def wave_list(*, actor: Actor) -> QuerySet[Wave]:
    if not actor.is_authenticated:
        return Wave.objects.none()
    return Wave.objects.prefetch_related(
        Prefetch("deadlines", queryset=WaveDeadline.objects.order_by("date", "kind"))
    ).order_by("sequence", "code")
