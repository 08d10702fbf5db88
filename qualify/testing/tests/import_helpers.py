"""Set-up for the results-import tests: a case in testing with a frozen scope, and small results files."""

from __future__ import annotations

from qualify.cases.models import QualificationCase


def in_testing(case: QualificationCase) -> QualificationCase:
    # Test set-up only: jump to testing without walking the lifecycle (its gates are tested elsewhere).
    QualificationCase.objects.filter(pk=case.pk).update(state="TESTING")
    case.refresh_from_db()
    return case


def csv_file(*rows: str) -> bytes:
    """An Azure DevOps-style export with the given data rows (id, outcome, date, tester, comment)."""
    return ("Test Case Id,Outcome,Completed Date,Tester,Comment\n" + "".join(f"{r}\n" for r in rows)).encode()


def junit_file(*ids: str, failed: str = "") -> bytes:
    """A JUnit file passing ``ids`` (failing ``failed`` when given)."""
    cases = "".join(
        f'<testcase name="{i}"><failure message="broke"/></testcase>' if i == failed else f'<testcase name="{i}"/>'
        for i in ids
    )
    return f'<testsuite timestamp="2026-03-04T09:00:00">{cases}</testsuite>'.encode()
