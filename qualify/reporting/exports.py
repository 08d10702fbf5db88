"""The lists people take away: the programme overview, queries and findings as CSV or Excel, with the filters the
page had. Each starts from the list's own selector, so a download holds exactly what the person may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from qualify.assessment.choices import FindingState, Severity
from qualify.assessment.models import Finding, Query
from qualify.assessment.selectors import QueryFilters, finding_list, is_overdue, query_list
from qualify.cases.models import QualificationCase
from qualify.cases.selectors import CaseFilters, case_list
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.core.listing import Column, Listing, choice_order, label_order
from qualify.core.spreadsheet import csv_bytes, xlsx_bytes
from qualify.oversight.selectors import RecordFilters, record_list
from qualify.qad.choices import Body

MAX_ROWS = 100_000  # ten times the largest list the market would have; a larger one is refused, not truncated


@dataclass(frozen=True)
class FindingFilters:
    """The findings list's filters: the body that raised them, their state, and only those past their due date."""

    body: str = ""
    state: str = ""
    overdue: bool = False

    @classmethod
    def from_mapping(cls, data: Any) -> FindingFilters:
        return cls(
            body=str(data.get("body", "") or "").strip().upper()[:8],
            state=str(data.get("state", "") or "").strip().upper()[:16],
            overdue=str(data.get("overdue", "")).lower() in ("1", "true", "on", "yes"),
        )

    def apply(self, qs: QuerySet[Finding], today: dt.date) -> QuerySet[Finding]:
        if self.body:
            qs = qs.filter(body=self.body)
        if self.state:
            qs = qs.filter(state=self.state)
        if self.overdue:
            qs = qs.filter(due_date__lt=today).exclude(state=FindingState.CLOSED)
        return qs


def findings(*, actor: Actor, filters: FindingFilters, today: dt.date) -> QuerySet[Finding]:
    return filters.apply(finding_list(actor=actor), today)


# The findings list's columns; the page shows the first seven, the download adds who owns the work-off and its plan.
FINDING_LISTING: Listing[Finding] = Listing(
    name="findings",
    noun="Findings",
    default="due",
    columns=(
        Column("Finding", lambda f: f.reference, key="finding", order=("reference",)),
        Column("Case", lambda f: f.case.reference, key="case", order=("case__reference", "due_date")),
        Column(
            "Body",
            lambda f: f.get_body_display(),
            key="body",
            order=("sort_body", "due_date"),
            annotations={"sort_body": label_order("body", Body.choices)},
        ),
        Column("Title", lambda f: f.title, key="title", order=("title",)),
        Column(
            "Severity",
            lambda f: f.get_severity_display(),
            key="severity",
            order=("sort_severity", "due_date"),
            annotations={"sort_severity": choice_order("severity", Severity.values)},
        ),
        Column("Due", lambda f: f.due_date, key="due", order=("due_date", "reference")),
        Column(
            "State",
            lambda f: f.get_state_display(),
            key="state",
            order=("sort_state", "due_date"),
            annotations={"sort_state": choice_order("state", FindingState.values)},
        ),
        Column("Organisation", lambda f: f.case.participation.organisation.name, on_page=False),
        Column("Owner", lambda f: f.owner, on_page=False),
        Column("Condition of approval", lambda f: f.condition_of_approval, on_page=False),
        Column("Work-off plan", lambda f: f.work_off_plan, on_page=False),
    ),
)


@dataclass(frozen=True)
class Table:
    name: str
    headers: Sequence[str]
    rows: Callable[[], Iterator[Sequence[Any]]]
    count: Callable[[], int]


def _day(value: dt.date | None) -> Any:
    return value if value is not None else ""


def overview_table(actor: Actor, data: Any) -> Table:
    qs: QuerySet[QualificationCase] = case_list(actor=actor, filters=CaseFilters.from_mapping(data))

    def rows() -> Iterator[Sequence[Any]]:
        for c in qs.iterator(chunk_size=2000):
            p = c.participation
            yield [
                c.reference,
                p.organisation.name,
                p.mpid,
                p.get_role_display(),
                p.get_route_display(),
                c.wave.name if c.wave else "",
                c.get_state_display(),
                c.state_changed_at.date() if c.state_changed_at else "",
                _day(c.target_migration_date),
            ]

    headers = ["Case", "Organisation", "MPID", "Role", "Route", "Wave", "State", "State since", "Target migration"]
    return Table("programme-overview", headers, rows, qs.count)


def queries_table(actor: Actor, data: Any, today: dt.date) -> Table:
    qs: QuerySet[Query] = query_list(actor=actor, filters=QueryFilters.from_mapping(data))

    def rows() -> Iterator[Sequence[Any]]:
        for q in qs.iterator(chunk_size=2000):
            yield [
                q.reference,
                q.case.reference,
                q.case.participation.organisation.name,
                q.get_body_display(),
                f"{q.section_number} / {q.question_number}",
                q.get_state_display(),
                q.created_at.date(),
                q.response_due,
                _day(q.reviewer_due),
                "Yes" if is_overdue(q, today) else "No",
            ]

    headers = ["Query", "Case", "Organisation", "Body", "Question", "State", "Raised", "Answer due", "Reviewer due",
               "Overdue"]  # fmt: skip
    return Table("queries", headers, rows, qs.count)


def findings_table(actor: Actor, data: Any, today: dt.date) -> Table:
    qs = findings(actor=actor, filters=FindingFilters.from_mapping(data), today=today)

    def rows() -> Iterator[Sequence[Any]]:
        for f in qs.iterator(chunk_size=2000):
            yield [
                f.reference,
                f.case.reference,
                f.case.participation.organisation.name,
                f.get_body_display(),
                f.title,
                f.get_severity_display(),
                f.owner,
                f.due_date,
                f.get_state_display(),
                "Yes" if f.condition_of_approval else "No",
                f.work_off_plan,
            ]

    headers = ["Finding", "Case", "Organisation", "Body", "Title", "Severity", "Owner", "Due", "State",
               "Condition of approval", "Work-off plan"]  # fmt: skip
    return Table("findings", headers, rows, qs.count)


def non_completion_table(actor: Actor, data: Any) -> Table:
    filters = RecordFilters.of(data.get("state"), data.get("step"), data.get("trigger"))
    qs = record_list(actor=actor, filters=filters)

    def rows() -> Iterator[Sequence[Any]]:
        for r in qs.iterator(chunk_size=2000):
            yield [
                r.reference,
                r.case.reference,
                r.case.participation.organisation.name,
                r.case.participation.mpid,
                r.get_state_display(),
                r.current_step.label if r.current_step is not None else "",
                _day(r.step_due),
                r.opened_on,
                _day(r.closed_on),
                r.sanction_label,
            ]

    headers = ["Record", "Case", "Organisation", "MPID", "State", "Step", "Step due", "Opened", "Closed", "Sanction"]
    return Table("non-completion", headers, rows, qs.count)


def table_bytes(table: Table, fmt: str) -> tuple[bytes, str, str]:
    """The file's bytes, content type and file name; a list too long to be a sensible download is refused."""
    if table.count() > MAX_ROWS:
        raise ValidationFailed(
            f"The list has more than {MAX_ROWS:,} rows; narrow it with the filters first.", details={"rows": "too many"}
        )
    if fmt == "csv":
        return csv_bytes(table.headers, table.rows()), "text/csv; charset=utf-8", f"{table.name}.csv"
    if fmt == "xlsx":
        content = xlsx_bytes([(table.name.replace("-", " ").capitalize(), table.headers, table.rows())])
        return content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{table.name}.xlsx"
    raise ValidationFailed("Choose csv or xlsx.", details={"format": fmt[:10]})


__all__ = [
    "FINDING_LISTING",
    "FindingFilters",
    "findings",
    "findings_table",
    "non_completion_table",
    "overview_table",
    "queries_table",
    "table_bytes",
]
