"""Benchmark: importing test results into one case (issue 12: "importing 20,000 results into one case").

    .venv/bin/python bench/qt_import.py                                   # SQLite in a temporary file
    .venv/bin/python bench/qt_import.py --database-url postgres://postgres@127.0.0.1:5432/bench_qt_import
    .venv/bin/python bench/qt_import.py --sizes 2000,20000 --catalogue 400 --kind both

Builds, through the services, a generated test catalogue of ``--catalogue`` Supplier cases (its library version
baselined, then published), and for each size a fresh Supplier case on the QT route, scoped on that catalogue (so its
required set is every generated case) and in testing. It then writes a results file of that many rows (several runs
of each required case, spread over run dates and testers, a few rows refused), and times, with the number of
database queries of each:

1. ``results_preview`` (reading the file and checking every row against the scope and the records);
2. ``results_apply`` (the one multi-row INSERT and the one UPDATE);
3. the same file previewed again (every row unchanged: the idempotent re-import);
4. ``case_progress`` for the case, and the imports page, one import's page, the case's testing page and its RTTM page
   through the Django test client.

The query counts must not grow with the number of rows (the runs go in with one multi-row INSERT); a count that
differs between sizes is flagged. Run it against PostgreSQL with ``--database-url`` (the database is created if
missing, and dropped at the end unless ``--keep``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BATCHES = ["FUNCTIONAL_1", "FUNCTIONAL_2", "FUNCTIONAL_3", "MIGRATION", "DIP", "NON_FUNCTIONAL"]
OUTCOMES = ["Passed"] * 6 + ["Failed"] * 2 + ["Blocked"]
FIRST_DAY = dt.date(2026, 1, 5)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def catalogue_text(size: int) -> str:
    import yaml

    sample = ROOT / "qualify" / "testing" / "data" / "sample-qt-catalogue-v1.0.yaml"
    doc = yaml.safe_load(sample.read_text(encoding="utf-8"))
    doc["version"] = "9.0"
    doc["cases"] = [
        {
            "id": f"QT-{n:03d}",
            "title": f"Generated Supplier case {n}",
            "batch": BATCHES[n % len(BATCHES)],
            "roles": ["SUPPLIER"],
            "segments": ["SMART", "ADVANCED"],
            "requirements": [f"REQ-BEN-{n:03d}"],
            "steps": f"Run generated case {n} and compare the messages with the expected ones.",
        }
        for n in range(1, size + 1)
    ]
    return str(yaml.safe_dump(doc, sort_keys=False))


def build_catalogue(size: int) -> Any:
    from qualify.testing.services import catalogue_load
    from qualify.testing.tests.helpers import library_version, programme

    library_version("9.0")
    return catalogue_load(actor=programme(), text=catalogue_text(size), source_name="bench.yaml", publish=True)


def build_case(n: int, catalogue: Any) -> tuple[Any, Any]:
    """A Supplier on the QT route, scoped on the generated catalogue, in testing; and its lead."""
    from qualify.accounts.services import user_create
    from qualify.cases.models import QualificationCase
    from qualify.cases.services import case_open
    from qualify.core.actor import actor_for_user, system_actor
    from qualify.core.roles import MembershipRole
    from qualify.participants.services import membership_add, organisation_create, participation_create
    from qualify.testing.services.scoping import scope_freeze

    system = system_actor("bench")
    org = organisation_create(actor=system, name=f"Bench Energy {n} Ltd")
    part = participation_create(actor=system, organisation=org, mpid=f"BN{n % 100:02d}", role="SUPPLIER", route="QT")
    case = case_open(actor=system, participation=part)
    scope_freeze(actor=system, case=case, reason="bench", catalogue=catalogue)
    QualificationCase.objects.filter(pk=case.pk).update(state="TESTING")  # bench set-up: skip the entry gates
    case.refresh_from_db()
    user = user_create(actor=system, email=f"lead{n}@bench.test", full_name=f"Bench Lead {n}", password=None)
    membership_add(actor=system, organisation=org, user=user, role=MembershipRole.LEAD)
    return case, (user, actor_for_user(user))


def results_csv(rows: int, required: list[str], seed: int) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("Test Case Id,Title,Outcome,Completed Date,Run By,Comment\n")
    for i in range(rows):
        if i % 500 == 499:
            out.write(f"{i},no id here,Passed,2026-03-04,Tess,\n")  # refused: no QT-nnn
            continue
        test_case = required[i % len(required)]
        day = FIRST_DAY + dt.timedelta(days=i // len(required))  # each sweep of the required set on its own day
        outcome = rng.choice(OUTCOMES)
        comment = "log attached" if outcome == "Failed" else ""
        out.write(f"{test_case},Generated,{outcome},{day.isoformat()},Tester {i % 7},{comment}\n")
    return out.getvalue().encode()


def results_junit(rows: int, required: list[str], seed: int) -> bytes:
    rng = random.Random(seed)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n']
    per_suite = len(required)
    for start in range(0, rows, per_suite):
        day = FIRST_DAY + dt.timedelta(days=start // per_suite)
        parts.append(f'<testsuite name="run {start}" timestamp="{day.isoformat()}T09:00:00">\n')
        parts.append(f'<properties><property name="tester" value="CI {start % 5}"/></properties>\n')
        for i in range(start, min(start + per_suite, rows)):
            test_case = required[i % len(required)]
            outcome = rng.random()
            if outcome < 0.75:
                parts.append(f'<testcase name="{test_case} generated" classname="bench"/>\n')
            elif outcome < 0.95:
                parts.append(
                    f'<testcase name="{test_case}"><failure message="mismatch {i}">trace</failure></testcase>\n'
                )
            else:
                parts.append(f'<testcase name="{test_case}"><skipped message="waiting on DIP"/></testcase>\n')
        parts.append("</testsuite>\n")
    parts.append("</testsuites>\n")
    return "".join(parts).encode()


def measured(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - started
    return value, elapsed, len(ctx.captured_queries)


def run_size(rows: int, kind: str, n: int, catalogue: Any) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from qualify.testing.models import Execution
    from qualify.testing.selectors.progress import case_progress
    from qualify.testing.services.results import results_apply, results_preview

    case, (user, actor) = build_case(n, catalogue)
    required = sorted(case.scope_records.order_by("-sequence").first().required)
    data = results_junit(rows, required, n) if kind == "JUNIT" else results_csv(rows, required, n)

    def preview() -> Any:
        return results_preview(actor=actor, case=case, kind=kind, source_name=f"bench-{rows}", data=data)

    found, preview_s, preview_q = measured(preview)
    applied, apply_s, apply_q = measured(lambda: results_apply(actor=actor, result_import=found))
    again, again_s, again_q = measured(preview)
    progress, progress_s, progress_q = measured(lambda: case_progress(case))
    client = Client()
    client.force_login(user)
    client.get(reverse("testing:imports", args=[case.reference]))  # warm the templates
    page, page_s, page_q = measured(lambda: client.get(reverse("testing:imports", args=[case.reference])))
    detail_url = reverse("testing:import_detail", args=[case.reference, str(found.uuid)])
    detail, detail_s, detail_q = measured(lambda: client.get(detail_url))
    pages = {}
    for name, url in (
        ("testing page", reverse("testing:case", args=[case.reference])),
        ("RTTM page", reverse("testing:rttm", args=[case.reference])),
    ):
        client.get(url)  # warm the templates
        answer, seconds, queries = measured(lambda url=url: client.get(url))  # type: ignore[misc]
        assert answer.status_code == 200, (name, answer.status_code)
        pages[name] = (seconds, queries)
    assert page.status_code == detail.status_code == 200
    assert again.preview["counts"]["added"] == 0, "re-import must add nothing"
    runs = Execution.objects.filter(case=case).count()
    return {
        "rows": rows,
        "kind": kind,
        "bytes": len(data),
        "required": len(required),
        "added": applied.rows_applied,
        "runs": runs,
        "refused": found.rows_refused,
        "passed": progress.passed,
        "preview": (preview_s, preview_q),
        "apply": (apply_s, apply_q),
        "reimport": (again_s, again_q),
        "progress": (progress_s, progress_q),
        "imports page": (page_s, page_q),
        "import page": (detail_s, detail_q),
        **pages,
    }


def ensure_postgres(url: str) -> Callable[[], None]:
    import urllib.parse

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    base = [
        "psql",
        "-h",
        parsed.hostname or "127.0.0.1",
        "-U",
        parsed.username or "postgres",
        "-p",
        str(parsed.port or 5432),
    ]
    subprocess.run([*base, "-c", f"create database {name}"], capture_output=True, check=False)

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        subprocess.run([*base, "-c", f"drop database if exists {name}"], capture_output=True, check=False)

    return drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--catalogue", type=int, default=400, help="Generated Supplier test cases (at most 999).")
    parser.add_argument("--kind", choices=["csv", "junit", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database.")
    args = parser.parse_args()
    cleanup: Callable[[], None] = lambda: None  # noqa: E731
    url = args.database_url
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='qt-import-bench-')}/bench.sqlite3"
    elif url.startswith("postgres") and not args.keep:
        cleanup = ensure_postgres(url)
    elif url.startswith("postgres"):
        ensure_postgres(url)
    setup_django(url)
    from django.db import connection

    try:
        started = time.perf_counter()
        catalogue = build_catalogue(args.catalogue)
        print(
            f"{connection.vendor}: catalogue of {catalogue.case_count} cases in {time.perf_counter() - started:.1f} s"
        )
        kinds = {"csv": ["AZURE_DEVOPS"], "junit": ["JUNIT"], "both": ["AZURE_DEVOPS", "JUNIT"]}[args.kind]
        results = []
        n = 0
        for kind in kinds:
            for rows in [int(s) for s in args.sizes.split(",")]:
                n += 1
                result = run_size(rows, kind, n, catalogue)
                results.append(result)
                print(
                    f"  {kind:<12} {rows:>6} rows ({result['bytes'] / 1024**2:.1f} MB): {result['added']} runs added, "
                    f"{result['refused']} refused, {result['runs']} on record"
                )
        steps = ["preview", "apply", "reimport", "progress", "imports page", "import page", "testing page", "RTTM page"]
        print()
        print(f"{connection.vendor}, {args.catalogue}-case required set; seconds (queries)")
        print(f"{'kind':<13}{'rows':>7}" + "".join(f"{s:>16}" for s in steps))
        for r in results:
            cells = "".join(f"{f'{r[s][0]:.3f} ({r[s][1]})':>16}" for s in steps)
            print(f"{r['kind']:<13}{r['rows']:>7}{cells}")
        for kind in kinds:
            mine = [r for r in results if r["kind"] == kind]
            for step in steps:
                counts = {r[step][1] for r in mine}
                if len(counts) > 1:
                    print(f"WARNING: {kind} {step} queries grow with the rows: {sorted(counts)}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
