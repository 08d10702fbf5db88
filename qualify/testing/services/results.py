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
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import Conflict, ValidationFailed
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.testing.choices import ExecutionSource, ExecutionStatus, ImportKind, ImportState
from qualify.testing.models import CatalogueCase, Execution, ResultImport, ScopeRecord
from qualify.testing.permissions import can_apply_import, can_import_results
from qualify.testing.results import (
    SHOWN_PROBLEMS,
    ParsedResult,
    RowProblem,
    parse_results,
)
from qualify.testing.services.execution import scoped_or_refuse
from qualify.testing.workflow import RESULT_IMPORT_WORKFLOW

SOURCE_OF_KIND: dict[str, str] = {
    ImportKind.JUNIT: ExecutionSource.JUNIT,
    ImportKind.AZURE_DEVOPS: ExecutionSource.AZURE_DEVOPS,
}


def _insert_runs(*, constant: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Add the runs with one multi-row INSERT (``executemany``), each value prepared by its model field, so the SQL
    is the ORM's on SQLite and PostgreSQL alike; a field neither given takes its model default (``created_at`` the
    clock's now). Not ``bulk_create``: at 20,000 runs it spent nine tenths of its time building and preparing one
    model instance per run (about 10 s on SQLite, against well under 1 s here, bench/qt_import.py)."""
    if not rows:
        return
    now = clock.now()
    fields = [f for f in Execution._meta.concrete_fields if not f.primary_key]
    varying = set(rows[0])
    fixed = {
        f.attname: f.get_db_prep_save(
            constant[f.attname]
            if f.attname in constant
            else now
            if f.attname in ("created_at", "updated_at")
            else f.get_default(),
            connection,
        )
        for f in fields
        if f.attname not in varying
    }

    def prepared(field: Any, value: Any) -> Any:
        return value if isinstance(value, str) or value is None else field.get_db_prep_save(value, connection)

    quote = connection.ops.quote_name
    # Table and column names come from the model's _meta; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(Execution._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [prepared(f, row[f.attname]) if f.attname in varying else fixed[f.attname] for f in fields]
                for row in rows
            ],
        )


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
