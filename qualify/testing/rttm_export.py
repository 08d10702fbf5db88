"""The RTTM as an Excel workbook (openpyxl): the live matrix or a frozen snapshot, with the gate, time and hash above
the table so a printed or forwarded copy still says what it is.

Every text cell goes through ``core.spreadsheet.safe_cell``: a value a participant or a catalogue author wrote that
starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written as text with a leading
apostrophe, so opening the file never runs it (CSV/formula injection).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from qualify.core.spreadsheet import safe_cell
from qualify.testing.choices import ScopeReason
from qualify.testing.rttm import RttmStatus

COLUMNS = (
    "Requirement",
    "Requirement covered",
    "Test case",
    "Title",
    "Batch",
    "In the required set",
    "Why",
    "QAD questions",
    "Status",
    "Run date",
    "Evidence (name and SHA-256)",
    "Open defects",
)


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def rttm_workbook(
    *,
    case_reference: str,
    organisation: str,
    heading: Sequence[tuple[str, str]],
    rows: Sequence[Mapping[str, Any]],
    summary: Mapping[str, Any],
    batch_titles: Mapping[str, str],
) -> bytes:
    """The workbook: a "RTTM" sheet (the facts in ``heading``, then one row per requirement and test case) and a
    "Summary" sheet (test cases by status, requirements covered, passed and untested)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "RTTM"
    sheet.append([safe_cell(f"Requirements-to-Test Traceability Matrix: {case_reference} ({organisation})")])
    sheet["A1"].font = Font(bold=True, size=13)
    for label, value in heading:
        sheet.append([safe_cell(label), safe_cell(value)])
    sheet.append([])
    sheet.append(list(COLUMNS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                safe_cell(row["requirement"]),
                "Yes" if row["covered"] else "Not covered",
                safe_cell(row["test_case"]),
                safe_cell(row["title"]),
                safe_cell(batch_titles.get(row["batch"], row["batch"])),
                "Yes" if row["included"] else "No",
                safe_cell(row["explanation"] or _label(ScopeReason, row["reason"])),
                safe_cell(", ".join(row["qad_questions"])),
                safe_cell(_label(RttmStatus, row["status"])),
                safe_cell(row["run_date"] or ""),
                safe_cell("; ".join(f"{e['name']} ({e['sha256']})" for e in row["evidence"])),
                safe_cell(", ".join(row["open_defects"])),
            ]
        )
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for letter, width in zip("ABCDEFGHIJKL", (16, 12, 10, 48, 28, 10, 48, 18, 16, 12, 60, 18), strict=True):
        sheet.column_dimensions[letter].width = width

    totals = book.create_sheet("Summary")
    totals.append(["Test cases by status", "Count"])
    for status, count in summary.get("test_cases", {}).items():
        totals.append([safe_cell(_label(RttmStatus, status)), int(count)])
    totals.append([])
    totals.append(["Requirements", "Count"])
    for key, count in summary.get("requirements", {}).items():
        totals.append([safe_cell(key.replace("_", " ").capitalize()), int(count)])
    for cell in (*totals[1], *totals[totals.max_row - len(summary.get("requirements", {}))]):
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _titles(batches: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {str(b["code"]): str(b["title"]) for b in batches}


def live_workbook(*, case: Any, live: Any, now: dt.datetime) -> tuple[str, bytes]:
    """The live matrix (selectors.rttm.LiveRttm) of a case as a file name and the workbook's bytes."""
    scope = live.scope
    data = rttm_workbook(
        case_reference=case.reference,
        organisation=case.participation.organisation.name,
        heading=[
            ("Matrix", "Live, computed from the records"),
            ("Computed at", now.isoformat(timespec="seconds")),
            ("Scope", f"{scope.sequence} ({scope.sha256})" if scope is not None else "Not scoped yet"),
        ],
        rows=live.rows,
        summary=live.summary,
        batch_titles=_titles(scope.catalogue.batches if scope is not None else []),
    )
    return f"RTTM-{case.reference}-live.xlsx", data


def snapshot_workbook(*, case: Any, snapshot: Any) -> tuple[str, bytes]:
    """A frozen snapshot as a file name and the workbook's bytes, headed with its gate, time, author and hash."""
    data = rttm_workbook(
        case_reference=case.reference,
        organisation=case.participation.organisation.name,
        heading=[
            ("Gate", f"{snapshot.get_gate_display()} (snapshot {snapshot.sequence})"),
            ("Taken at", snapshot.created_at.isoformat(timespec="seconds")),
            ("Taken by", snapshot.taken_by_name),
            ("SHA-256", snapshot.sha256),
        ],
        rows=snapshot.rows,
        summary=snapshot.summary,
        batch_titles=_titles(snapshot.scope.catalogue.batches if snapshot.scope is not None else []),
    )
    return f"RTTM-{case.reference}-{snapshot.gate}-{snapshot.sequence}.xlsx", data
