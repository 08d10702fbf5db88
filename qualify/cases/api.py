import datetime as dt
import uuid as uuid_mod

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from qualify.accounts.reauth import refuse_stale_session_call
from qualify.cases.models import QualificationCase
from qualify.cases.selectors import CaseFilters, case_get, case_list, case_next_deadline, case_page, case_resumption
from qualify.cases.services import case_transition
from qualify.core.requests import actor_of
from qualify.register.selectors import participation_status

router = Router(tags=["cases"])


class CaseOut(Schema):
    uuid: uuid_mod.UUID
    reference: str
    organisation: str
    organisation_uuid: uuid_mod.UUID
    mpid: str
    role: str
    route: str
    wave: str | None
    state: str
    state_label: str
    state_changed_at: dt.datetime | None

    @staticmethod
    def resolve_organisation(obj: QualificationCase) -> str:
        return obj.participation.organisation.name

    @staticmethod
    def resolve_organisation_uuid(obj: QualificationCase) -> uuid_mod.UUID:
        return obj.participation.organisation.uuid

    @staticmethod
    def resolve_mpid(obj: QualificationCase) -> str:
        return obj.participation.mpid

    @staticmethod
    def resolve_role(obj: QualificationCase) -> str:
        return obj.participation.role

    @staticmethod
    def resolve_route(obj: QualificationCase) -> str:
        return obj.participation.route

    @staticmethod
    def resolve_wave(obj: QualificationCase) -> str | None:
        return obj.wave.code if obj.wave else None

    @staticmethod
    def resolve_state_label(obj: QualificationCase) -> str:
        return obj.get_state_display()


class TransitionOut(Schema):
    name: str
    from_state: str
    to_state: str
    at: dt.datetime
    actor_name: str
    comment: str
    effective_date: dt.date | None


class CaseRegisterStatusOut(Schema):
    on: dt.date
    state: str
    qualified_from: dt.date | None
    activated_on: dt.date | None


class ResumptionOut(Schema):
    state: str = Field(description="The state the case returns to when resumed: the one it was deferred from.")
    state_label: str
    deferred_at: dt.datetime
    deferred_by: str
    reason: str
    deferred_from_wave: str | None = Field(description="The wave it was deferred from; it resumes in a later one.")
    waiting_for: str | None = Field(description="What resuming still waits for (null when it can resume now).")


class NextDeadlineOut(Schema):
    kind: str
    label: str
    date: dt.date


class CaseDetailOut(CaseOut):
    history: list[TransitionOut]
    register_today: CaseRegisterStatusOut
    resumes_to: ResumptionOut | None = Field(description="For a deferred case: where resuming returns it.")
    next_deadline: NextDeadlineOut | None = Field(
        None, description="The case's wave deadline its current step is measured against, if the wave sets one."
    )

    @staticmethod
    def resolve_next_deadline(obj: QualificationCase) -> object:
        deadline = case_next_deadline(case=obj)
        return {"kind": deadline.kind, "label": deadline.display_label, "date": deadline.date} if deadline else None

    @staticmethod
    def resolve_resumes_to(obj: QualificationCase) -> object:
        return case_resumption(case=obj)

    @staticmethod
    def resolve_history(obj: QualificationCase) -> list[object]:
        return list(obj.transitions.all())

    @staticmethod
    def resolve_register_today(obj: QualificationCase) -> object:
        from django.utils import timezone

        return participation_status(participation=obj.participation, on=timezone.localdate())


class TransitionIn(Schema):
    name: str
    comment: str = ""
    effective_date: dt.date | None = None


class CasePageIn(Schema):
    limit: int = Field(
        settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT, description="Cases a page."
    )
    cursor: str = Field(
        "",
        description="Where to carry on: an earlier answer's `next_cursor` or `previous_cursor`, passed back as it "
        "came (it is opaque). One this list did not make is refused with 400 `bad_cursor`.",
    )
    offset: int = Field(
        0,
        ge=0,
        le=1_000_000_000,  # past any real list; a larger number would overflow the database's OFFSET
        json_schema_extra={"deprecated": True},
        description="Deprecated: skip this many cases, which gets slower the further in it goes. Use `cursor`; "
        "ignored when a cursor is given.",
    )


class CasePageOut(Schema):
    items: list[CaseOut]
    count: int = Field(description="Cases matching the filters, whatever the page.")
    next_cursor: str | None = Field(description="The `cursor` for the page after this one; null on the last page.")
    previous_cursor: str | None = Field(
        description="The `cursor` for the page before this one; null on the first page."
    )


@router.get(
    "/cases",
    response=CasePageOut,
    summary="List qualification cases (filters as on the overview), a page at a time",
    description="Ordered by organisation name, MPID and role. Follow `next_cursor` (pass it as `cursor`, keeping "
    "the same filters) until it is null; every page costs the same however far in it is.",
)
def list_cases(request: HttpRequest, filters: Query[CaseFilters], page: Query[CasePageIn]) -> dict[str, object]:
    actor = actor_of(request)
    found = case_page(actor=actor, filters=filters, cursor=page.cursor or None, per_page=page.limit, offset=page.offset)
    return {
        "items": found.items,
        "count": case_list(actor=actor, filters=filters).count(),
        "next_cursor": found.next_cursor,
        "previous_cursor": found.previous_cursor,
    }


@router.get("/cases/{key}", response=CaseDetailOut, summary="One case by reference (QC-000123) or UUID")
def get_case(request: HttpRequest, key: str) -> QualificationCase:
    return case_get(actor=actor_of(request), key=key)


@router.post(
    "/cases/{key}/transitions",
    response={200: CaseDetailOut},
    summary="Move a case one step (409 when the step is not possible from its state)",
)
def post_transition(request: HttpRequest, key: str, payload: TransitionIn) -> QualificationCase:
    if payload.name == "revoke":
        refuse_stale_session_call(request)  # a revocation: a fresh second factor (issue 16)
    actor = actor_of(request)
    case = case_get(actor=actor, key=key)
    case_transition(
        actor=actor,
        case=case,
        name=payload.name,
        comment=payload.comment,
        effective_date=payload.effective_date,
    )
    return case_get(actor=actor, key=case.reference)
