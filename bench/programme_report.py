"""Benchmark: the programme dashboard's figures and the regulator's report at two market sizes (issue 13).

    .venv/bin/python bench/programme_report.py                     # scales 1 and 10, 10 timed runs of each
    .venv/bin/python bench/programme_report.py --scales 10 --runs 20
    .venv/bin/python bench/programme_report.py --database-url postgres://.../db   # an already-built bench database

For each scale, a throw-away PostgreSQL database gets the generated market (bench/scale.py; see bench/pages.py for
the same set-up), then a child process under the production settings times, ``--runs`` times each after one warm-up:
the dashboard's figures for a programme administrator (``reporting.selectors.dashboard``, everything the page shows
but the HTML), and generating the regulator's report for the last fortnight (``reporting.services.report_generate``:
facts, PDF with charts and workbook, stored). It prints p50, p95 and the number of queries of each; the query count
must be the same at both sizes. The dashboard page itself, through gunicorn, is in bench/pages.py.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from production_server import PYTHON, ROOT, production_database


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def inner(runs: int) -> None:
    """Runs in the child, with DJANGO_SETTINGS_MODULE and DATABASE_URL set: prints one JSON line of results."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qualify.accounts.models import User
    from qualify.cases.selectors import CaseFilters
    from qualify.core import clock
    from qualify.core.actor import actor_for_user
    from qualify.core.roles import StaffRole
    from qualify.reporting.selectors import dashboard
    from qualify.reporting.services import report_generate

    admin = actor_for_user(User.objects.filter(staff_role=StaffRole.PROGRAMME_ADMIN).first())
    today = clock.today()
    jobs = {
        "dashboard": lambda: dashboard(actor=admin, filters=CaseFilters(), today=today),
        "dashboard, Suppliers": lambda: dashboard(actor=admin, filters=CaseFilters(role="SUPPLIER"), today=today),
        "regulator's report": lambda: report_generate(
            actor=admin, start=today - dt.timedelta(days=14), end=today - dt.timedelta(days=1)
        ),
    }
    out: dict[str, Any] = {}
    for name, job in jobs.items():
        job()
        samples, queries = [], set()
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                job()
                samples.append((time.perf_counter() - start) * 1000)
            queries.add(len(ctx.captured_queries))
        out[name] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(_p(samples, 0.95), 1),
            "queries": sorted(queries),
        }
    print(json.dumps(out))


def measure(env: dict[str, str], runs: int) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, __file__, "--inner", "--runs", str(runs)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database-url", help="measure this already-built database instead of building one")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.runs)
        return
    results: dict[str, dict[str, Any]] = {}
    if args.database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": args.database_url,
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
            "QUALIFY_AUDIT_KEY": "bench-only-audit-key-not-a-secret-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        results["given"] = measure(env, args.runs)
    else:
        for scale in [float(s) for s in args.scales.split(",")]:
            with production_database(args.pg, f"report{int(scale * 10)}") as env, tempfile.TemporaryDirectory() as var:
                env["QUALIFY_MEDIA_ROOT"] = var
                print(f"scale {scale:g}: building the market ...", flush=True)
                subprocess.run(
                    [PYTHON, str(ROOT / "bench" / "scale.py"), "--scale", f"{scale:g}", "--no-check",
                     "--manifest", str(Path(var) / "manifest.json")],
                    cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                )  # fmt: skip
                results[f"{scale:g}x"] = measure(env, args.runs)
    names = sorted({name for r in results.values() for name in r})
    print(f"\n{'':24}" + "".join(f"{size:>28}" for size in results))
    for name in names:
        cells = []
        for r in results.values():
            m = r.get(name)
            cells.append(f"p50 {m['p50_ms']:7.1f} p95 {m['p95_ms']:7.1f} q {m['queries']}" if m else "-")
        print(f"{name:24}" + "".join(f"{c:>28}" for c in cells))


if __name__ == "__main__":
    main()
