"""Importing test results: a preview first, then an atomic apply (issue 12 "Importing results", DOMAIN.md §10a).

``results_preview`` reads the file (qualify/testing/results.py), checks every row against the case's frozen required
set and what is already on record, and keeps a ``ResultImport`` saying what the apply will do. ``results_apply``
records the runs in one transaction with bulk writes (one multi-row INSERT for the runs, one UPDATE for the runs
they supersede) and one audit event for the whole import.

Idempotency: each row's ``row_key`` (SHA-256 of its canonical content) is stored on its run, and a row whose key is
already on the case is "unchanged", so re-applying an import or importing the same file again records nothing new.

Which run counts (``is_latest``): among one file's rows for a test case, the latest run date wins, then the later row
in the file (an undated row ranks below a dated one); that run then replaces the run counting now unless the latter
has a later run date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import Conflict, ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.testing.choices import ExecutionSource, ExecutionStatus, ImportKind, ImportState
from qualify.testing.imports_workflow import RESULT_IMPORT_WORKFLOW
from qualify.testing.models import CatalogueCase, Execution, ResultImport, ScopeRecord
from qualify.testing.permissions import can_apply_import, can_import_results
from qualify.testing.results import (
    SHOWN_PROBLEMS,
    ParsedResult,
    RowProblem,
    parse_results,
)
from qualify.testing.services.execution import scoped_or_refuse

SOURCE_OF_KIND: dict[str, str] = {
    ImportKind.JUNIT: ExecutionSource.JUNIT,
    ImportKind.AZURE_DEVOPS: ExecutionSource.AZURE_DEVOPS,
}


def _insert_runs(*, constant: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Add the runs with one statement, each value prepared by its model field, so the values are the ORM's on SQLite
    and PostgreSQL alike; a field not given takes its model default (``created_at`` the clock's now).

    Not ``bulk_create``: at 20,000 runs it spent nine tenths of its time building and preparing one model instance
    per run (10 s on SQLite). Here the values are prepared column by column and go in as one ``executemany`` on
    SQLite (in-process, so one call is cheap per row) and as one ``COPY … FROM STDIN`` on PostgreSQL (one stream
    instead of a round trip per row; psycopg formats the rows in C); see bench/qt_import.py.
    """
    if not rows:
        return
    db = transaction.get_connection()
    now = clock.now()
    fields = [f for f in Execution._meta.concrete_fields if not f.primary_key]
    columns: list[list[Any]] = []
    for f in fields:
        if f.attname in rows[0]:
            values = [row[f.attname] for row in rows]
            sample = next((v for v in values if v is not None), None)
            if sample is not None and not isinstance(sample, str | bool | int):
                values = [None if v is None else f.get_db_prep_save(v, db) for v in values]
            columns.append(values)
        else:
            value = (
                constant[f.attname]
                if f.attname in constant
                else now
                if f.attname in ("created_at", "updated_at")
                else f.get_default()
            )
            columns.append([f.get_db_prep_save(value, db)] * len(rows))
    quote = db.ops.quote_name
    # Table and column names come from the model's _meta; every value is a parameter (or a COPY row).
    table = f"{quote(Execution._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)})"
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            sql = f"COPY {table} FROM STDIN"
            started = time.monotonic()
            with cursor.cursor.copy(sql) as copy:
                for row in zip(*columns, strict=True):
                    copy.write_row(row)
            if db.queries_logged:  # so query counts (tests, bench) see the statement
                db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
        else:
            sql = f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
            cursor.executemany(sql, list(zip(*columns, strict=True)))


@dataclass
class Plan:
    """What applying a set of rows to a case would do, computed against the records as they stand."""

    add: list[ParsedResult] = field(default_factory=list)
    latest: set[int] = field(default_factory=set)  # rows (ParsedResult.row) that become the run that counts
    superseded: list[int] = field(default_factory=list)  # pks of runs that stop counting
    unchanged: int = 0
    not_run: int = 0
    refused: list[RowProblem] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        return {
            "added": len(self.add),
            "unchanged": self.unchanged,
            "not_run": self.not_run,
            "latest_changes": len(self.latest),
            "by_status": dict(sorted(Counter(r.status for r in self.add).items())),
        }


def _testing_or_refuse(case: QualificationCase) -> None:
    if case.state != CaseState.TESTING:
        raise Conflict(
            f"Test results are recorded only while the case is in testing; {case.reference} is "
            f"{case.get_state_display().lower()}.",
            details={"state": case.state},
            code="case_not_in_testing",
        )


def plan_rows(case: QualificationCase, scope: ScopeRecord, rows: list[ParsedResult]) -> Plan:
    """Sort rows into refused (not in the required set), unchanged (already recorded, or repeated in the file),
    not run (nothing to record) and added, and work out which runs count afterwards. Three queries, whatever the
    number of rows."""
    plan = Plan()
    required = set(scope.required)
    existing = set(Execution.objects.filter(case=case).exclude(row_key="").values_list("row_key", flat=True))
    seen: set[str] = set()
    for row in rows:
        if row.test_case_id not in required:
            plan.refused.append(
                RowProblem(
                    row.row,
                    row.line,
                    row.id_column,
                    f"{row.test_case_id} is not in this case's required test set (scope {scope.sequence})",
                )
            )
            continue
        if row.status == ExecutionStatus.NOT_RUN:
            plan.not_run += 1
            continue
        key = row.row_key
        if key in existing or key in seen:
            plan.unchanged += 1
            continue
        seen.add(key)
        plan.add.append(row)
    winners: dict[str, ParsedResult] = {}
    for row in plan.add:
        best = winners.get(row.test_case_id)
        if best is None or (row.run_date or dt.date.min, row.row) >= (best.run_date or dt.date.min, best.row):
            winners[row.test_case_id] = row
    current = {
        test_case_id: (pk, run_date)
        for test_case_id, pk, run_date in Execution.objects.filter(
            case=case, is_latest=True, test_case_id__in=list(winners)
        ).values_list("test_case_id", "pk", "run_date")
    }
    for test_case_id, winner in winners.items():
        now = current.get(test_case_id)
        if now is not None and now[1] is not None and winner.run_date is not None and now[1] > winner.run_date:
            continue  # the run on record is later than anything in the file: it keeps counting
        plan.latest.add(winner.row)
        if now is not None:
            plan.superseded.append(now[0])
    return plan


def _stored_row(row: ParsedResult) -> list[Any]:
    return [
        row.row,
        row.line,
        row.test_case_id,
        row.status,
        row.run_date.isoformat() if row.run_date else None,
        row.tester,
        row.comment,
        row.not_applicable_reason,
        row.id_column,
    ]


def _row_from(stored: list[Any]) -> ParsedResult:
    number, line, test_case_id, status, run_date, tester, comment, reason, column = stored
    return ParsedResult(
        row=int(number),
        line=int(line),
        test_case_id=str(test_case_id),
        status=str(status),
        run_date=dt.date.fromisoformat(run_date) if run_date else None,
        tester=str(tester),
        comment=str(comment),
        not_applicable_reason=str(reason),
        id_column=str(column),
    )


def _source_name(name: str) -> str:
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip("=+-@").strip()
    return name[:160] or "results"


@transaction.atomic
def results_preview(
    *,
    actor: Actor,
    case: QualificationCase,
    kind: str,
    source_name: str,
    data: bytes,
    source: str = "",
) -> ResultImport:
    """Read a results file (``kind`` JUNIT or AZURE_DEVOPS, or "" to tell from the content) and keep a preview of
    what applying it would do: runs to add, rows unchanged, rows refused with row, line and column, and counts by
    status. A file that cannot be read at all is refused whole (nothing is kept)."""
    case = QualificationCase.objects.select_related("participation").get(pk=case.pk)
    can_import_results(actor, case).enforce()
    _testing_or_refuse(case)
    scope = scoped_or_refuse(case)
    if kind and kind not in ImportKind.values:
        raise ValidationFailed(f"Unknown results file kind {kind[:40]!r}.", details={"kind": "unknown"})
    parsed = parse_results(data, kind)
    plan = plan_rows(case, scope, parsed.results)
    problems = sorted([*parsed.problems, *plan.refused], key=lambda p: (p.row or 0, p.column or ""))
    refused_rows = len({p.row for p in problems})
    preview = {
        "scope_id": scope.pk,
        "scope_sequence": scope.sequence,
        "source": source or SOURCE_OF_KIND[parsed.kind],
        "counts": {"rows": parsed.rows_total, "refused": refused_rows, **plan.counts()},
        "problems": [p.as_dict() for p in problems[:SHOWN_PROBLEMS]],
        "problems_total": len(problems),
        "rows": [_stored_row(r) for r in plan.add],
    }
    return ResultImport.objects.create(
        case=case,
        kind=parsed.kind,
        source_name=_source_name(source_name),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        preview=preview,
        rows_total=parsed.rows_total,
        rows_refused=refused_rows,
        uploaded_by_name=actor.display_name[:200],
    )


def results_apply(*, actor: Actor, result_import: ResultImport) -> ResultImport:
    """Record the previewed runs, all or nothing: one multi-row INSERT, one UPDATE for the runs they
    supersede, one audit event for the import. Applying an applied import again changes nothing."""
    with transaction.atomic():
        locked = ResultImport.objects.select_for_update().select_related("case__participation").get(pk=result_import.pk)
        can_apply_import(actor, locked).enforce()
        if locked.state == ImportState.APPLIED:
            return locked
        RESULT_IMPORT_WORKFLOW.check(actor, locked, RESULT_IMPORT_WORKFLOW.get("apply"), TransitionInput())
        case = QualificationCase.objects.select_for_update().get(pk=locked.case_id)
        scope = ScopeRecord.objects.get(pk=locked.preview["scope_id"])
        plan = plan_rows(case, scope, [_row_from(r) for r in locked.preview.get("rows", [])])
        catalogue = {
            case_id: (pk, batch)
            for case_id, pk, batch in CatalogueCase.objects.filter(
                catalogue_id=scope.catalogue_id, case_id__in={r.test_case_id for r in plan.add}
            ).values_list("case_id", "pk", "batch")
        }
        if plan.superseded:
            Execution.objects.filter(pk__in=plan.superseded).update(is_latest=False)
        source = str(locked.preview.get("source") or SOURCE_OF_KIND.get(locked.kind, str(ExecutionSource.API)))
        _insert_runs(
            constant={
                "case_id": case.pk,
                "scope_id": scope.pk,
                "source": source,
                "result_import_id": locked.pk,
                "recorded_by_name": actor.display_name[:200],
            },
            rows=[
                {
                    "uuid": uuid.uuid4(),
                    "catalogue_case_id": catalogue[r.test_case_id][0],
                    "test_case_id": r.test_case_id,
                    "batch": catalogue[r.test_case_id][1],
                    "status": r.status,
                    "not_applicable_reason": r.not_applicable_reason,
                    "run_date": r.run_date,
                    "tester": r.tester,
                    "comment": r.comment,
                    "row_key": r.row_key,
                    "is_latest": r.row in plan.latest,
                }
                for r in plan.add
            ],
        )
        counts = {**plan.counts(), "superseded": len(plan.superseded)}
        return apply_transition(
            RESULT_IMPORT_WORKFLOW,
            actor=actor,
            instance=locked,
            name="apply",
            data=TransitionInput(extra={"counts": counts}),
        )
