"""The register over HTTP: status on a date, a change feed for systems that keep a copy, the periodic publication.

Market systems (machine clients with a token) see every participant; participant people see their own.
"""

import datetime as dt
import json

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import NinjaJSONEncoder

from qualify.core.errors import ValidationFailed
from qualify.core.instants import parse_instant
from qualify.core.requests import actor_of
from qualify.register.publication import publication_csv
from qualify.register.selectors import newly_qualified, register_changes, register_status_known_at
from qualify.register.snapshot import Answer, register_answer

router = Router(tags=["register"])


class RegisterEventOut(Schema):
    seq: int
    kind: str
    effective_date: dt.date
    source: str
    reference: str
    recorded_at: dt.datetime


class RegisterStatusOut(Schema):
    mpid: str
    role: str
    organisation: str
    on: dt.date
    state: str
    operational: bool
    qualified_from: dt.date | None
    activated_on: dt.date | None
    suspended_on: dt.date | None
    revoked_on: dt.date | None
    history: list[RegisterEventOut] = Field(description="The events in effect on the date, oldest first.")
    change_disclosed_on: dt.date | None = Field(
        description="The date the participant disclosed a change (systems, provider, processes, ownership, volumes) "
        "that the Code Bodies are still assessing or re-qualifying; null when none. The status above stands "
        "meanwhile. As of today, whatever `on` or `known_at` asks."
    )
    change_status: str = Field(
        description='Where that change stands, in words (e.g. "under assessment"); empty when none.'
    )


class ChangeOut(Schema):
    seq: int
    mpid: str
    role: str
    organisation: str
    kind: str
    effective_date: dt.date
    recorded_at: dt.datetime = Field(description="When the register learnt of the event.")
    backdated: bool = Field(
        description="True when the event took effect more than QUALIFY_REGISTER_BACKDATE_DAYS (default 5) days "
        "before the day it was recorded: it changed what the register said about dates already past."
    )
    reason: str = Field(description="Why a back-dated event was recorded late; empty otherwise.")


# The feed answers a bounded page: a copy-keeping system calls again with ?after=next_cursor while ``more`` is true,
# so a first sync after=0 costs one page per request however long the register has grown.
CHANGES_PAGE = 200
CHANGES_PAGE_MAX = 1000


class ChangesOut(Schema):
    items: list[ChangeOut]
    next_cursor: int = Field(
        description="The last item's seq: pass it as ?after= for the next page (equals ?after= when nothing is new)."
    )
    more: bool = Field(description="True when more events follow this page: call again with ?after=next_cursor.")


class ChangesQuery(Schema):
    after: int = Field(0, ge=0, description="Events with a seq above this one (0 for the whole history).")
    limit: int = Field(CHANGES_PAGE, ge=1, le=CHANGES_PAGE_MAX, description="Page size (at most 1000).")


class PeriodQuery(Schema):
    since: dt.date
    until: dt.date


@router.get("/register/changes", response=ChangesOut, summary="Register changes after a cursor (oldest first)")
def get_changes(request: HttpRequest, query: Query[ChangesQuery]) -> dict[str, object]:
    events = register_changes(actor=actor_of(request), after=query.after, limit=query.limit + 1)
    more = len(events) > query.limit
    events = events[: query.limit]
    items = [
        {
            "seq": e.seq,
            "mpid": e.participation.mpid,
            "role": e.participation.role,
            "organisation": e.participation.organisation.name,
            "kind": e.kind,
            "effective_date": e.effective_date,
            "recorded_at": e.recorded_at,
            "backdated": e.backdated,
            "reason": e.reason,
        }
        for e in events
    ]
    return {"items": items, "next_cursor": events[-1].seq if events else query.after, "more": more}


@router.get(
    "/register/publication.csv",
    summary="Newly qualified participants in a period, as the periodic CSV publication",
    response={200: None},
)
def get_publication(request: HttpRequest, query: Query[PeriodQuery]) -> HttpResponse:
    if query.until < query.since:
        raise ValidationFailed("'until' is before 'since'.", details={"until": "before_since"})
    rows = newly_qualified(actor=actor_of(request), since=query.since, until=query.until)
    response = HttpResponse(publication_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="newly-qualified-{query.since.isoformat()}-to-{query.until.isoformat()}.csv"'
    )
    return response


@router.get(
    "/register/{mpid}/{role}",
    response=RegisterStatusOut,
    summary="Status of an MPID in a role on a date (default today), with the history that decided it",
    description=(
        "With `known_at` (an instant, ISO 8601 with its time zone, e.g. 2026-03-01T09:30:00Z), the answer is the "
        "one the register gave then: only events recorded at or before that instant count, and a participation "
        "registered later is not found. A value that is not such an instant is refused with 400 `bad_instant`."
    ),
)
def get_status(
    request: HttpRequest, mpid: str, role: str, on: dt.date | None = None, known_at: str | None = None
) -> HttpResponse:
    day = on or timezone.localdate()
    if known_at is not None:
        return _status_known_at(request, mpid, role, day, parse_instant(known_at))
    answer = register_answer(actor=actor_of(request), mpid=mpid, role=role, on=day)
    return status_response(answer, day)


def status_response(answer: Answer, day: dt.date) -> HttpResponse:
    """The hot read's answer, shared by this operation and the plain view in front of it (``register/hot.py``)."""
    return HttpResponse(status_bytes(answer, day), content_type="application/json")


def status_bytes(answer: Answer, day: dt.date) -> bytes:
    """The answer's JSON, as the operation's schema renders it."""
    entry, status = answer.entry, answer.status
    body = {
        "mpid": entry.mpid,
        "role": entry.role,
        "organisation": entry.organisation,
        "on": day,
        "state": status.state,
        "operational": status.operational,
        "qualified_from": status.qualified_from,
        "activated_on": status.activated_on,
        "suspended_on": status.suspended_on,
        "revoked_on": status.revoked_on,
        "history": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "effective_date": e.effective_date,
                "source": e.source,
                "reference": e.reference,
                "recorded_at": e.recorded_at,
            }
            for e in answer.history
        ],
        "change_disclosed_on": entry.change_disclosed_on,
        "change_status": entry.change_status,
    }
    # The hot read: the values come from the register snapshot already typed as RegisterStatusOut declares them, so
    # they are rendered exactly as Ninja would (same encoder) without validating them again on every request.
    # test_api.py::test_status_body_matches_its_schema holds the two together.
    return json.dumps(body, cls=NinjaJSONEncoder).encode()


def _status_known_at(request: HttpRequest, mpid: str, role: str, day: dt.date, known_at: dt.datetime) -> HttpResponse:
    """The status as the register stood at ``known_at``: a plain read, off the hot path, validated by its schema."""
    answer = register_status_known_at(actor=actor_of(request), mpid=mpid, role=role, on=day, known_at=known_at)
    participation, status = answer.participation, answer.status
    body = RegisterStatusOut(
        mpid=participation.mpid,
        role=participation.role,
        organisation=participation.organisation.name,
        on=day,
        state=status.state,
        operational=status.operational,
        qualified_from=status.qualified_from,
        activated_on=status.activated_on,
        suspended_on=status.suspended_on,
        revoked_on=status.revoked_on,
        history=[
            RegisterEventOut(
                seq=e.seq,
                kind=e.kind,
                effective_date=e.effective_date,
                source=e.source,
                reference=e.reference,
                recorded_at=e.recorded_at,
            )
            for e in answer.history
        ],
        change_disclosed_on=participation.change_disclosed_on,
        change_status=participation.change_status,
    )
    return HttpResponse(json.dumps(body.model_dump(), cls=NinjaJSONEncoder), content_type="application/json")
