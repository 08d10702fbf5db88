"""A validation run as people download it and as evidence holds it: CSV (one row per violation), JSON and PDF."""

from __future__ import annotations

from typing import Any

from qualify.assessment.exports import PackPdf
from qualify.core.spreadsheet import csv_bytes
from qualify.core.templatetags.qualify_format import uk_date
from qualify.dip.choices import Outcome
from qualify.dip.models import MessageResult, ValidationRun
from qualify.dip.validation import report_json

CSV_HEADERS = ["Message", "Outcome", "Matched schemas", "Checked against", "JSON path", "Violation", "Keyword", "Note"]
SHA_LABEL = "Specification SHA-256"
PDF_VIOLATIONS = 20  # violations a PDF lists per message (the count and the CSV hold the rest)


def run_facts(run: ValidationRun) -> list[tuple[str, str]]:
    spec = run.specification
    return [
        ("Specification", f"{spec.title or spec.original_name} (version {spec.version or 'not given'})"),
        ("Specification file", spec.original_name),
        (SHA_LABEL, spec.sha256),
        ("For", run.organisation.name if run.organisation else "The whole programme"),
        ("Schema", run.schema or "Detected for each message"),
        ("Run by", f"{run.run_by_name} on {uk_date(run.created_at)}"),
        ("Messages", f"{run.messages}: {run.valid} valid, {run.invalid} invalid, {run.unreadable} not readable"),
    ]


def run_csv(run: ValidationRun, results: list[MessageResult]) -> bytes:
    rows: list[list[Any]] = []
    for result in results:
        base = [result.name, result.get_outcome_display(), ", ".join(result.matched), result.compared_with]
        if result.violations:
            for violation in result.violations:
                rows.append([*base, violation["path"], violation["message"], violation["keyword"], ""])
            if result.violation_count > len(result.violations):
                more = result.violation_count - len(result.violations)
                rows.append([*base, "", "", "", f"{more} more violation(s) not kept"])
        else:
            rows.append([*base, "", "", "", result.problem])
    return csv_bytes(CSV_HEADERS, rows)


def run_payload(run: ValidationRun, results: list[MessageResult]) -> dict[str, Any]:
    spec = run.specification
    return {
        "run": str(run.uuid),
        "created_at": run.created_at.isoformat(),
        "run_by": run.run_by_name,
        "organisation": run.organisation.name if run.organisation else None,
        "specification": {
            "uuid": str(spec.uuid),
            "title": spec.title,
            "version": spec.version,
            "openapi": spec.openapi,
            "file": spec.original_name,
            "sha256": spec.sha256,
        },
        "schema": run.schema or None,
        "summary": {
            "messages": run.messages,
            "valid": run.valid,
            "invalid": run.invalid,
            "unreadable": run.unreadable,
            "per_schema": run.summary.get("per_schema", {}),
            "skipped": run.summary.get("skipped", []),
        },
        "messages": [
            {
                "name": r.name,
                "outcome": r.outcome,
                "matched": r.matched,
                "compared_with": r.compared_with or None,
                "violation_count": r.violation_count,
                "violations": r.violations,
                "problem": r.problem or None,
            }
            for r in results
        ],
    }


def run_json(run: ValidationRun, results: list[MessageResult]) -> bytes:
    return report_json(run_payload(run, results))


def run_pdf(run: ValidationRun, results: list[MessageResult]) -> bytes:
    title = f"DIP message validation {run.short}"
    doc = PackPdf(title)
    doc.heading(title, 16)
    doc.grid(run_facts(run), (1, 3), header=False)
    per_schema = run.summary.get("per_schema", {})
    if per_schema:
        doc.heading("Messages per schema", 12)
        doc.grid([("Schema", "Valid messages"), *((k, str(v)) for k, v in per_schema.items())], (3, 1), header=True)
    doc.heading("Messages", 12)
    doc.grid(
        [
            ("Message", "Outcome", "Schema"),
            *((r.name, r.get_outcome_display(), ", ".join(r.matched) or r.compared_with or "-") for r in results),
        ],
        (4, 1, 2),
        header=True,
    )
    for result in results:
        if result.outcome == Outcome.VALID:
            continue
        doc.heading(f"{result.name}: {result.get_outcome_display().lower()}", 11)
        if result.problem:
            doc.line(f"The file {result.problem}.")
            continue
        doc.line(f"{result.violation_count} violation(s) of {result.compared_with}.")
        shown = result.violations[:PDF_VIOLATIONS]
        doc.grid([("JSON path", "Violation"), *((v["path"], v["message"]) for v in shown)], (2, 4), header=True)
        if result.violation_count > len(shown):
            doc.line(f"{result.violation_count - len(shown)} more in the CSV or JSON report.")
    return doc.output()
