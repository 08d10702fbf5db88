"""Gating over HTTP: a JSON batch of up to 10,000 events decided in order (issue 5)."""

import datetime as dt
from typing import Literal

import polars as pl
from django.http import HttpRequest
from ninja import Field, Router, Schema

from qualify.core.requests import actor_of
from qualify.gating.choices import EVENT_COLUMNS
from qualify.gating.engine import decide
from qualify.gating.live import current_context
from qualify.gating.permissions import can_gate
from qualify.gating.reasons import REASON_SEPARATOR

router = Router(tags=["gating"])

MAX_BATCH = 10_000


class EventIn(Schema):
    ref: str = Field(min_length=1, max_length=100)
    kind: Literal["MIGRATE", "APPOINT", "REGISTER"]
    mpan: str = Field(max_length=32, description="13 digits; anything else is decided INVALID_MPAN, not refused")
    date: dt.date = Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))
    segment: Literal["SMART", "ADVANCED", "UMS"]
    supplier: str = Field("", max_length=4)
    mem: str = Field("", max_length=4)
    data_service: str = Field("", max_length=4)
    settlement: Literal["MHHS", "LEGACY"]


class DecisionsIn(Schema):
    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)


class DecisionOut(Schema):
    ref: str
    outcome: str
    reasons: list[str]


class DecisionsOut(Schema):
    decisions: list[DecisionOut]


@router.post(
    "/gating/decisions",
    response=DecisionsOut,
    summary="Decide a batch of migration, appointment and registration events (answers in order)",
)
def post_decisions(request: HttpRequest, payload: DecisionsIn) -> dict[str, object]:
    can_gate(actor_of(request)).enforce()
    columns = {name: [getattr(e, name) for e in payload.events] for name in EVENT_COLUMNS}
    events = pl.DataFrame(columns, schema_overrides={"date": pl.Date})
    result = decide(events, current_context()).collect()
    decisions = [
        {"ref": ref, "outcome": outcome, "reasons": reasons.split(REASON_SEPARATOR) if reasons else []}
        for ref, outcome, reasons in zip(
            result["ref"].to_list(), result["outcome"].to_list(), result["reasons"].to_list(), strict=True
        )
    ]
    return {"decisions": decisions}
