"""The Requirements-to-Test Traceability Matrix (RTTM) as plain data: rows, summary, hash and comparison.

Pure functions over plain values (no database, no clock), so the live page, a frozen snapshot, the Excel export and
the Test Completion Report all say the same thing (DOMAIN.md §4: the RTTM is re-submitted at PIT entry, PIT exit,
QT entry and QT exit; §10a). The reads that feed them are in selectors/rttm.py.

One row per (requirement, test case) of the catalogue version the case was scoped on, for the cases written for the
participant's role (cases written only for other roles trace other roles' requirements and are left out). A row says
whether the case is in the required set and why (the frozen verdict), the QAD questions its batch's results are
evidence for (docs/qt-catalogue-format.md, ``qad_questions``), the latest run's status and date, that run's evidence
files by name and SHA-256, and the open defects raised against the test case. A requirement none of whose test cases
is in the required set is **not covered**: every one of its rows says so.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from qualify.testing.choices import ExecutionStatus, ScopeReason


class RttmStatus(models.TextChoices):
    """A row's status: the latest run's, or why there is none (words on pages, codes in data and exports)."""

    NOT_RUN = "NOT_RUN", "Not run"
    PASSED = "PASSED", "Passed"
    FAILED = "FAILED", "Failed"
    BLOCKED = "BLOCKED", "Blocked"
    NOT_APPLICABLE = "NOT_APPLICABLE", "Not applicable"
    OUT_OF_SCOPE = "OUT_OF_SCOPE", "Not in the required set"


# What a page or the API may filter rows by: a status, or the requirements not covered.
NOT_COVERED = "NOT_COVERED"
FILTER_CHOICES: list[tuple[str, str]] = [*RttmStatus.choices, (NOT_COVERED, "Requirement not covered")]
# A requirement counts as passed when every required test case tracing it passed or was accepted as not applicable.
DONE = frozenset({ExecutionStatus.PASSED, ExecutionStatus.NOT_APPLICABLE})


@dataclass(frozen=True)
class CaseLine:
    """What the matrix needs about one catalogue case, in catalogue order."""

    case_id: str
    title: str
    batch: str
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class RunLine:
    """The latest run of one test case and its evidence files (name, SHA-256)."""

    status: str
    run_date: str | None
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RttmInputs:
    cases: Sequence[CaseLine]
    verdicts: Mapping[str, Mapping[str, Any]]
    runs: Mapping[str, RunLine] = field(default_factory=dict)
    open_defects: Mapping[str, Sequence[str]] = field(default_factory=dict)
    batch_questions: Mapping[str, Sequence[str]] = field(default_factory=dict)


def rttm_rows(given: RttmInputs) -> list[dict[str, Any]]:
    """Every (requirement, test case) row, ordered by requirement, then the catalogue's own order."""
    traced: list[tuple[str, int, CaseLine]] = []
    for position, line in enumerate(given.cases):
        verdict = given.verdicts.get(line.case_id)
        if verdict is None or verdict.get("reason") == ScopeReason.ROLE:
            continue
        traced.extend((requirement, position, line) for requirement in line.requirements)
    covered = {r for r, _, line in traced if given.verdicts[line.case_id].get("included")}
    rows = []
    for requirement, _, line in sorted(traced, key=lambda t: (t[0], t[1])):
        verdict = given.verdicts[line.case_id]
        included = bool(verdict.get("included"))
        run = given.runs.get(line.case_id) if included else None
        if not included:
            status = RttmStatus.OUT_OF_SCOPE
        elif run is None:
            status = RttmStatus.NOT_RUN
        else:
            status = RttmStatus(run.status)
        rows.append(
            {
                "requirement": requirement,
                "test_case": line.case_id,
                "title": line.title,
                "batch": line.batch,
                "included": included,
                "reason": str(verdict.get("reason", "")),
                "explanation": str(verdict.get("explanation", "")),
                "covered": requirement in covered,
                "qad_questions": list(given.batch_questions.get(line.batch, ())),
                "status": str(status),
                "run_date": run.run_date if run is not None else None,
                "evidence": [{"name": n, "sha256": h} for n, h in (run.evidence if run is not None else ())],
                "open_defects": sorted(given.open_defects.get(line.case_id, ())) if included else [],
            }
        )
    return rows


def rttm_summary(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Test cases by status (each counted once however many requirements it traces) and requirements covered,
    not covered, passed, untested (covered, with a required case not yet run) and failing (a required case failed or
    blocked)."""
    case_status: dict[str, str] = {}
    by_requirement: dict[str, list[str]] = {}
    for row in rows:
        case_status[row["test_case"]] = row["status"]
        statuses = by_requirement.setdefault(row["requirement"], [])
        if row["included"]:
            statuses.append(row["status"])
    counts = Counter(case_status.values())
    covered = {r: s for r, s in by_requirement.items() if s}
    return {
        "test_cases": {status: counts.get(status, 0) for status in RttmStatus.values},
        "required_test_cases": sum(n for s, n in counts.items() if s != RttmStatus.OUT_OF_SCOPE),
        "requirements": {
            "total": len(by_requirement),
            "covered": len(covered),
            "not_covered": len(by_requirement) - len(covered),
            "passed": sum(1 for s in covered.values() if set(s) <= DONE),
            "untested": sum(1 for s in covered.values() if RttmStatus.NOT_RUN in s),
            "failing": sum(1 for s in covered.values() if {RttmStatus.FAILED, RttmStatus.BLOCKED} & set(s)),
        },
    }


def canonical_sha256(value: Any) -> str:
    """SHA-256 over the canonical JSON of ``value`` (keys sorted, no spaces, UTF-8): the same content, the same hash."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_sha256(*, case: str, gate: str, rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]) -> str:
    """The hash a snapshot is frozen with: the case, the gate, the rows and the summary (not the time it was taken,
    so the same matrix at the same gate always hashes the same)."""
    return canonical_sha256({"case": case, "gate": gate, "rows": list(rows), "summary": dict(summary)})


def filter_rows(rows: Sequence[Mapping[str, Any]], *, status: str = "", requirement: str = "") -> list[Any]:
    """Rows with a status (or, for NOT_COVERED, of requirements not covered) and a requirement reference containing
    ``requirement`` (case-insensitive); an unknown status filters nothing."""
    wanted = requirement.strip().lower()
    out = []
    for row in rows:
        if status == NOT_COVERED and row["covered"]:
            continue
        if status in RttmStatus.values and row["status"] != status:
            continue
        if wanted and wanted not in str(row["requirement"]).lower():
            continue
        out.append(row)
    return out


def _label(status: str | None) -> str:
    if status is None:
        return "absent"
    return str(RttmStatus(status).label) if status in RttmStatus.values else status


def compare_rows(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What changed per (requirement, test case) from ``before`` to ``after``: rows whose status moved (with the
    move in words, e.g. "Not run → Passed"), rows that are new, rows that left, and how many moves of each kind."""
    old = {(r["requirement"], r["test_case"]): r for r in before}
    new = {(r["requirement"], r["test_case"]): r for r in after}
    moved, added, left = [], [], []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        entry = {
            "requirement": key[0],
            "test_case": key[1],
            "title": (now or was or {}).get("title", ""),
            "before": was["status"] if was else None,
            "after": now["status"] if now else None,
        }
        entry["change"] = f"{_label(entry['before'])} → {_label(entry['after'])}"
        if was is None:
            added.append(entry)
        elif now is None:
            left.append(entry)
        elif was["status"] != now["status"]:
            moved.append(entry)
    kinds = Counter(e["change"] for e in moved)
    return {
        "moved": moved,
        "new": added,
        "left": left,
        "moves": [{"change": change, "count": n} for change, n in sorted(kinds.items())],
        "unchanged": len(old.keys() & new.keys()) - len(moved),
    }
