"""Reads of qualification cases, always starting from what the actor may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from ninja import Schema
from pydantic import field_validator

from qualify.cases.choices import CaseState
from qualify.cases.guidance import NEXT_STEPS
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.cases.workflow import in_a_later_wave, last_deferral
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.filters import choice_filter, uuid_filter
from qualify.core.ids import parse_uuid
from qualify.core.keyset import KeysetPage, keyset_page
from qualify.core.listing import Column, Listing, Sort, choice_order, label_order
from qualify.core.workflow import TransitionInput
from qualify.participants.choices import MarketRole, Route
from qualify.plan.models import WaveDeadline


@dataclass(frozen=True)
class ExtraFilter:
    """A filter of the overview that a higher app provides (the case app cannot import it): its label, its choices
    and how a chosen value narrows the cases, as one queryset filter so the overview's query count stays fixed."""

    label: str
    choices: tuple[tuple[str, str], ...]
    apply: Callable[[QuerySet[QualificationCase], str], QuerySet[QualificationCase]]


# Filled from the higher apps' AppConfig.ready(), keyed by the CaseFilters field it reads (e.g. testing's "qt").
EXTRA_FILTERS: dict[str, ExtraFilter] = {}


def register_case_filter(name: str, extra: ExtraFilter) -> None:
    """Let a higher app add a filter to the overview; ``name`` must be a CaseFilters field."""
    if name not in CaseFilters.model_fields:
        raise ValueError(f"CaseFilters has no field {name!r}")
    EXTRA_FILTERS[name] = extra


class CaseFilters(Schema):
    """The one filter set for the case list: the HTML overview reads it from the query string, the API declares it
    as its query parameters, so both filter exactly alike."""

    role: str = ""
    route: str = ""
    wave: str = ""
    state: str = ""
    organisation: str = ""
    search: str = ""
    # Qualification Testing progress (testing registers what it means): "", "not_scoped", "not_started", ...
    qt: str = ""

    # A value that cannot name anything is a 400 (qualify/core/filters.py), not a database error or an empty list.
    _organisation = field_validator("organisation", mode="before")(uuid_filter("organisation"))
    _role = field_validator("role", mode="before")(choice_filter("role", lambda: MarketRole.values, upper=True))
    _route = field_validator("route", mode="before")(choice_filter("route", lambda: Route.values, upper=True))
    _state = field_validator("state", mode="before")(choice_filter("state", lambda: CaseState.values, upper=True))

    @classmethod
    def from_mapping(cls, data: Any) -> CaseFilters:
        return cls(**{f: str(data.get(f, "") or "").strip() for f in cls.model_fields})

    def apply(self, qs: QuerySet[QualificationCase]) -> QuerySet[QualificationCase]:
        if self.role:
            qs = qs.filter(participation__role=self.role)
        if self.route:
            qs = qs.filter(participation__route=self.route)
        if self.wave:
            qs = qs.filter(wave__code=self.wave)
        if self.state:
            qs = qs.filter(state=self.state)
        if self.organisation:
            qs = qs.filter(participation__organisation__uuid=self.organisation)
        if self.search:
            term = self.search
            qs = (
                qs.filter(participation__mpid__iexact=term)
                | qs.filter(participation__organisation__name__icontains=term)
                | qs.filter(reference__iexact=term)
            )
        for name, extra in EXTRA_FILTERS.items():
            value = str(getattr(self, name, "") or "")
            if value in dict(extra.choices):
                qs = extra.apply(qs, value)
        return qs


def _base(actor: Actor) -> QuerySet[QualificationCase]:
    return QualificationCase.objects.visible_to(actor).select_related("participation__organisation", "wave")


# The overview's order; the primary key breaks the (rare) ties, so a page boundary is always one row.
CASE_ORDER = ("participation__organisation__name", "participation__mpid", "participation__role", "pk")
_BY_PARTICIPATION = CASE_ORDER[:3]
NO_WAVE = 32767  # after every wave's sequence (a small positive integer): cases without a wave come last


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value is not None else None


# The overview's columns: each sorts by words (labels, the lifecycle's order for states), then as the default does.
CASE_LISTING: Listing[QualificationCase] = Listing(
    name="cases",
    noun="Cases",
    default="organisation",
    columns=(
        Column("Case", lambda c: c.reference, key="case", order=("reference",)),
        Column(
            "Organisation", lambda c: c.participation.organisation.name, key="organisation", order=_BY_PARTICIPATION
        ),
        Column("MPID", lambda c: c.participation.mpid, key="mpid", order=_BY_PARTICIPATION[1:]),
        Column(
            "Role",
            lambda c: c.participation.get_role_display(),
            key="role",
            order=("sort_role", *_BY_PARTICIPATION),
            annotations={"sort_role": label_order("participation__role", MarketRole.choices)},
        ),
        Column(
            "Route",
            lambda c: c.participation.get_route_display(),
            key="route",
            order=("sort_route", *_BY_PARTICIPATION),
            annotations={"sort_route": label_order("participation__route", Route.choices)},
        ),
        Column(
            "Wave",
            lambda c: c.wave.name if c.wave else "",
            key="wave",
            order=("sort_wave", *_BY_PARTICIPATION),
            annotations={"sort_wave": Coalesce(F("wave__sequence"), Value(NO_WAVE))},
        ),
        Column(
            "State",
            lambda c: c.get_state_display(),
            key="state",
            order=("sort_state", *_BY_PARTICIPATION),
            annotations={"sort_state": choice_order("state", CaseState.values)},
        ),
        Column("State since", lambda c: _local_day(c.state_changed_at), on_page=False),
        Column("Target migration", lambda c: c.target_migration_date, on_page=False),
    ),
)


def case_list(
    *, actor: Actor, filters: CaseFilters | None = None, sort: Sort[QualificationCase] | None = None
) -> QuerySet[QualificationCase]:
    """The overview's cases the actor may see, filtered, in the overview's order or the one the person chose."""
    qs = _base(actor)
    if filters:
        qs = filters.apply(qs)
    if sort is None:
        return qs.order_by(*CASE_ORDER)
    return CASE_LISTING.order(qs, sort)


def case_page(
    *,
    actor: Actor,
    filters: CaseFilters | None = None,
    cursor: str | None = None,
    per_page: int = 50,
    offset: int = 0,
    sort: Sort[QualificationCase] | None = None,
) -> KeysetPage[QualificationCase]:
    """One page of the overview, for the page and the API alike: keyset-paginated, so the last page costs what the
    first does (``BadCursor``, a 400, for a cursor this list did not make). ``offset`` serves older API clients.
    A chosen ``sort`` pages by keyset too: its ordering ends with the primary key, and its label orders are
    annotations the cursor reads back."""
    ordering = CASE_ORDER if sort is None else CASE_LISTING.ordering(sort)
    return keyset_page(
        case_list(actor=actor, filters=filters, sort=sort),
        ordering=ordering,
        cursor=cursor,
        per_page=per_page,
        offset=offset,
    )


def case_counts(*, actor: Actor, filters: CaseFilters | None = None) -> dict[str, int]:
    """Cases per state, under the same filters as the list (one query)."""
    qs: QuerySet[QualificationCase] = QualificationCase.objects.visible_to(actor)
    if filters:
        qs = filters.apply(qs)
    return {row["state"]: row["n"] for row in qs.values("state").annotate(n=Count("pk")).order_by()}


def case_get(*, actor: Actor, key: str) -> QualificationCase:
    """By UUID or by reference (QC-000123); NotFound if absent or outside the actor's scope."""
    qs = _base(actor).prefetch_related(Prefetch("transitions", queryset=CaseTransition.objects.order_by("at", "pk")))
    key = str(key).strip()
    case = qs.filter(reference=key.upper()).first() if key.upper().startswith("QC-") else None
    if case is None and (public_id := parse_uuid(key)) is not None:
        case = qs.filter(uuid=public_id).first()
    if case is None:
        raise NotFound("No such qualification case.")
    return case


@dataclass(frozen=True)
class Owed:
    """What a higher app knows a case owes now, which comes before its state's usual next step: e.g. an open
    query's answer, due before the wave's deadline, or nothing owed while the Code Body reviews an answer."""

    text: str
    participant_owes: bool
    due_label: str = ""
    due_date: dt.date | None = None


# Filled from the higher apps' AppConfig.ready(): each reads, for a list of cases, what each owes now (one query for
# the whole list, so the home page's query count does not grow with the cases). The first that answers wins.
OwedProvider = Callable[[list[QualificationCase]], dict[int, Owed]]
OWED_PROVIDERS: list[OwedProvider] = []


def register_owed(provider: OwedProvider) -> None:
    """Let a higher app say what a case owes ahead of its state's next step (``NEXT_STEPS``)."""
    if provider not in OWED_PROVIDERS:
        OWED_PROVIDERS.append(provider)


@dataclass(frozen=True)
class CaseSummary:
    case: QualificationCase
    next_text: str
    participant_owes: bool
    due_label: str
    due_date: dt.date | None
    days_left: int | None


def case_summaries(*, actor: Actor, today: dt.date | None = None) -> list[CaseSummary]:
    """Each visible case with what to do next and when it is due: what a higher app says the case owes now (an
    open query's answer), or else its state's next step and the wave deadline that step is measured against."""
    return summarise(list(case_list(actor=actor)), today=today)


def case_summary(*, case: QualificationCase, today: dt.date | None = None) -> CaseSummary:
    """``case_summaries`` for one case the caller may already see (the case page's "Next")."""
    return summarise([case], today=today)[0]


def summarise(cases: list[QualificationCase], *, today: dt.date | None = None) -> list[CaseSummary]:
    """What each case owes next and when (two queries, plus one per registered provider, whatever the count)."""
    today = today or timezone.localdate()
    wave_ids = {c.wave_id for c in cases if c.wave_id}
    deadlines: dict[tuple[int, str], WaveDeadline] = {
        (d.wave_id, d.kind): d for d in WaveDeadline.objects.filter(wave_id__in=wave_ids)
    }
    owed: dict[int, Owed] = {}
    for provider in OWED_PROVIDERS if cases else ():
        for case_id, provided in provider(cases).items():
            owed.setdefault(case_id, provided)
    summaries = []
    for case in cases:
        item = owed.get(case.pk) or _state_step(case, deadlines)
        days = (item.due_date - today).days if item.due_date else None
        summaries.append(
            CaseSummary(
                case=case,
                next_text=item.text,
                participant_owes=item.participant_owes,
                due_label=item.due_label,
                due_date=item.due_date,
                days_left=days,
            )
        )
    return summaries


def _state_step(case: QualificationCase, deadlines: dict[tuple[int, str], WaveDeadline]) -> Owed:
    """The state's usual next step (``NEXT_STEPS``), due by the wave deadline it is measured against."""
    step = NEXT_STEPS[case.state]
    key = (case.wave_id, step.deadline_kind) if case.wave_id and step.deadline_kind else None
    deadline = deadlines.get(key) if key else None
    return Owed(
        text=step.text,
        participant_owes=step.participant_owes,
        due_label=deadline.display_label if deadline else "",
        due_date=deadline.date if deadline else None,
    )


def case_next_deadline(*, case: QualificationCase) -> WaveDeadline | None:
    """The deadline of the case's wave that its current step is measured against (``NEXT_STEPS``), if the wave
    sets one (one query; none for a case without a wave or a step without a deadline)."""
    kind = NEXT_STEPS[case.state].deadline_kind
    if case.wave_id is None or kind is None:
        return None
    return WaveDeadline.objects.filter(wave_id=case.wave_id, kind=kind).first()


@dataclass(frozen=True)
class Resumption:
    """Where a deferred case goes when the Programme resumes it, and what resuming still waits for."""

    state: str
    state_label: str
    deferred_at: dt.datetime
    deferred_by: str
    reason: str
    deferred_from_wave: str | None
    deferred_from_wave_name: str | None
    waiting_for: str | None


def case_resumption(*, case: QualificationCase) -> Resumption | None:
    """For a deferred case (one the caller may already see): the state it resumes to, from its deferral's record."""
    if case.state != CaseState.DEFERRED:
        return None
    deferral = last_deferral(case)
    if deferral is None:
        return None
    return Resumption(
        state=deferral.from_state,
        state_label=deferral.get_from_state_display(),
        deferred_at=deferral.at,
        deferred_by=deferral.actor_name,
        reason=deferral.comment,
        deferred_from_wave=deferral.wave.code if deferral.wave else None,
        deferred_from_wave_name=deferral.wave.name if deferral.wave else None,
        waiting_for=in_a_later_wave(case, TransitionInput()),
    )
