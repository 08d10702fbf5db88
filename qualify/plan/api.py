import datetime as dt
import uuid as uuid_mod

from django.http import HttpRequest
from ninja import Router, Schema

from qualify.core.requests import actor_of
from qualify.plan.models import Milestone
from qualify.plan.selectors import milestone_get, milestone_list, wave_list

router = Router(tags=["plan"])


class DateChangeOut(Schema):
    old_date: dt.date | None
    new_date: dt.date | None
    change_request: str
    approved_on: dt.date | None
    reason: str


class MilestoneOut(Schema):
    code: str
    name: str
    description: str
    date: dt.date | None
    date_note: str
    meaning: str
    segments: list[str]
    history: list[DateChangeOut]

    @staticmethod
    def resolve_history(obj: Milestone) -> list[object]:
        return list(obj.date_changes.all())


class DeadlineOut(Schema):
    kind: str
    label: str
    date: dt.date


class WaveOut(Schema):
    uuid: uuid_mod.UUID
    code: str
    name: str
    description: str
    deadlines: list[DeadlineOut]

    @staticmethod
    def resolve_deadlines(obj: object) -> list[dict[str, object]]:
        return [{"kind": d.kind, "label": d.display_label, "date": d.date} for d in obj.deadlines.all()]  # type: ignore[attr-defined]


@router.get("/milestones", response=list[MilestoneOut], summary="The milestone plan with each date's history")
def list_milestones(request: HttpRequest) -> object:
    return milestone_list(actor=actor_of(request))


@router.get("/milestones/{code}", response=MilestoneOut, summary="One milestone")
def get_milestone(request: HttpRequest, code: str) -> Milestone:
    return milestone_get(actor=actor_of(request), code=code)


@router.get("/waves", response=list[WaveOut], summary="Qualification waves and their deadlines")
def list_waves(request: HttpRequest) -> object:
    return wave_list(actor=actor_of(request))
