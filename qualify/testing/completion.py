"""The Test Completion Report as data and as documents (DOMAIN.md §10a "Leaving QT": what was tested, the status,
defects and proposed work-off items; issue 12: scope and its reasons, reliance, results by batch, defects and their
work-off plans, the RTTM summary).

``scope_facts`` and ``results_by_batch`` are pure functions over plain values (table-driven tests); ``report_docx``
and ``report_pdf`` draw the same outline of the stored facts in Word (python-docx) and PDF (fpdf2, with the
decision pack's Unicode font handling from assessment/exports.py), so both files say exactly what ``facts`` says.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from docx import Document

from qualify.assessment.exports import PackPdf, docx_facts
from qualify.testing.choices import ExecutionStatus, ScopeReason
from qualify.testing.rttm import RttmStatus

RESULT_COLUMNS = ("passed", "failed", "blocked", "not_applicable", "not_run")


def scope_facts(verdicts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """How many catalogue cases are in and out for each reason, and the minimum-set cases in the required set (which
    run before any other test)."""
    by_reason: dict[str, dict[str, Any]] = {
        reason: {"label": str(label), "in": 0, "out": 0} for reason, label in ScopeReason.choices
    }
    minimum: list[dict[str, Any]] = []
    for v in verdicts:
        entry = by_reason.setdefault(str(v["reason"]), {"label": str(v["reason"]), "in": 0, "out": 0})
        entry["in" if v["included"] else "out"] += 1
        if v["included"] and v.get("minimum_sets"):
            minimum.append({"case_id": v["case_id"], "minimum_sets": list(v["minimum_sets"])})
    return {
        "by_reason": [{"reason": k, **e} for k, e in by_reason.items() if e["in"] or e["out"]],
        "minimum_set_cases": minimum,
    }


def results_by_batch(
    batches: Sequence[Mapping[str, Any]], required: Mapping[str, str], latest: Mapping[str, str]
) -> list[dict[str, Any]]:
    """For each batch (in the catalogue's order) with required cases: how many passed, failed, were blocked, were
    accepted as not applicable, or have not run. ``required`` maps each required test case id to its batch,
    ``latest`` a test case id to its latest run's status."""
    rows = []
    for batch in batches:
        code = str(batch["code"])
        cases = [c for c, b in required.items() if b == code]
        if not cases:
            continue
        counts = dict.fromkeys(RESULT_COLUMNS, 0)
        for case_id in cases:
            status = latest.get(case_id, ExecutionStatus.NOT_RUN)
            counts[str(status).lower()] += 1
        rows.append({"batch": code, "title": str(batch.get("title", code)), "required": len(cases), **counts})
    return rows


# --- the documents ---------------------------------------------------------------------------------------------------


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    header: tuple[str, ...] = ()
    table: list[tuple[str, ...]] = field(default_factory=list)
    widths: tuple[int, ...] = ()


SECTION_TITLES = ("Scope", "Placing Reliance", "Results by batch", "Defects and work-off plans", "RTTM summary")


def outline(facts: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]], list[Section]]:
    """The report's title, its opening facts and its sections, from the stored facts alone."""
    title = f"Test Completion Report: {facts['case']}"
    opening = [
        ("Organisation", str(facts["organisation"])),
        ("Market role and MPID", f"{facts['role']} · {facts['mpid']}"),
        ("Route", str(facts["route"])),
        ("Report", f"{facts['sequence']}, generated {facts['generated_at']} by {facts['generated_by']}"),
    ]
    scope = facts["scope"]
    sections = [
        Section(
            "Scope",
            lines=[
                f"Scope {scope['sequence']} against catalogue v{scope['catalogue']}: {scope['required']} test cases "
                f"required (SHA-256 {scope['sha256']}).",
                "Minimum-set cases run first: "
                + (", ".join(m["case_id"] for m in scope["minimum_set_cases"]) or "none")
                + ".",
            ],
            header=("Reason", "In", "Out"),
            table=[(r["label"], str(r["in"]), str(r["out"])) for r in scope["by_reason"]],
            widths=(4, 1, 1),
        ),
        Section(
            "Placing Reliance",
            lines=[] if facts["reliance"] else ["No Placing Reliance proposal was decided."],
            header=("Proposal", "Relied on", "Outcome", "Accepted for"),
            table=[
                (p["reference"], p["relied_on"], p["outcome"], ", ".join(p["accepted_covers"]) or "-")
                for p in facts["reliance"]
            ],
            widths=(2, 3, 2, 4),
        ),
        Section(
            "Results by batch",
            header=("Batch", "Required", "Passed", "Failed", "Blocked", "Not applicable", "Not run"),
            table=[(b["title"], *(str(b[k]) for k in ("required", *RESULT_COLUMNS))) for b in facts["results"]],
            widths=(5, 2, 2, 2, 2, 2, 2),
        ),
        Section(
            "Defects and work-off plans",
            lines=[] if facts["defects"] else ["No defect is open."],
            header=("Defect", "Test case", "Severity", "State", "Work-off plan", "Plan state", "Due"),
            table=[
                (
                    f"{d['reference']} {d['title']}",
                    d["test_case"] or "-",
                    d["severity"],
                    d["state"],
                    (d["plan"] or {}).get("work_off_plan") or "No work-off plan yet",
                    (d["plan"] or {}).get("state", "-"),
                    (d["plan"] or {}).get("due_date") or d["target_date"] or "-",
                )
                for d in facts["defects"]
            ],
            widths=(4, 2, 2, 2, 5, 3, 2),
        ),
    ]
    rttm = facts["rttm"]
    requirements = rttm["summary"]["requirements"]
    source = (
        f"RTTM snapshot at {rttm['snapshot']['gate_label']} (snapshot {rttm['snapshot']['sequence']}, SHA-256 "
        f"{rttm['snapshot']['sha256']})"
        if rttm.get("snapshot")
        else "The live RTTM (no QT exit snapshot has been taken)"
    )
    sections.append(
        Section(
            "RTTM summary",
            lines=[
                f"{source}.",
                f"Requirements: {requirements['total']} traced, {requirements['covered']} covered, "
                f"{requirements['not_covered']} not covered, {requirements['passed']} passed, "
                f"{requirements['untested']} untested, {requirements['failing']} failing.",
            ],
            header=("Test case status", "Count"),
            table=[
                (str(RttmStatus(k).label) if k in RttmStatus.values else k, str(n))
                for k, n in rttm["summary"]["test_cases"].items()
            ],
            widths=(4, 1),
        )
    )
    return title, opening, sections


def report_docx(facts: Mapping[str, Any]) -> bytes:
    title, opening, sections = outline(facts)
    document = Document()
    document.add_heading(title, level=0)
    docx_facts(document, opening)
    for section in sections:
        document.add_heading(section.heading, level=1)
        for line in section.lines:
            document.add_paragraph(line)
        if section.table:
            grid = document.add_table(rows=1, cols=len(section.header))
            grid.style = "Light Grid Accent 1"
            for cell, text in zip(grid.rows[0].cells, section.header, strict=True):
                cell.text = text
            for values in section.table:
                for cell, text in zip(grid.add_row().cells, values, strict=True):
                    cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def report_pdf(facts: Mapping[str, Any]) -> bytes:
    title, opening, sections = outline(facts)
    doc = PackPdf(title)
    doc.heading(title, 16)
    doc.grid(opening, (1, 3), header=False)
    for section in sections:
        doc.heading(section.heading, 13)
        for line in section.lines:
            doc.line(line)
        if section.table:
            doc.grid([section.header, *section.table], section.widths, header=True)
    return doc.output()
