"""Benchmark: every main page and list endpoint, for each role, under production settings, at two market sizes.

    .venv/bin/python bench/pages.py                          # scales 1 and 10, 30 timed requests per page and role
    .venv/bin/python bench/pages.py --scales 1 --requests 10 --json bench/out/pages.json

For each scale (``--scales``, default 1 and 10; see bench/scale.py for what a scale is), all on loopback:
1. a throw-away PostgreSQL database (bench/production_server.py) gets the generated market (bench/scale.py, which
   also checks the audit chain and snapshot hashes unless ``--no-check``);
2. gunicorn serves ``config.settings.production`` through bench/querycount_wsgi.py, which adds the number of
   database queries of each request to its response headers (production itself is unchanged);
3. each role signs in through the real login form (CSRF token, session cookie): a participant's qualification lead
   and contributor, a BSC, a REC and a DIP assessor, a BSC PAB member and a programme administrator; the API is
   called with each role's bearer token;
4. each page is requested ``--warmup`` times, then ``--requests`` times one after another on a kept-alive
   connection (stopping early after ``--max-seconds`` on one page), and its p50, p95 and queries per request are
   printed as they come.

``--database-url URL --manifest FILE`` measures a database bench/scale.py has already built (with that manifest)
instead, without building or dropping anything: build 10x once, then measure after each change.

At the end a table puts the sizes side by side and flags a page whose p95 reaches 150 ms or whose query count
differs between sizes (a count that grows with the data is an N+1). ``--json`` writes every result.
A page that answers a role with something other than 200 (not that role's page) is listed as such, not timed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from production_server import PYTHON, ROOT, gunicorn, production_database, run

TARGET_P95_MS = 150.0
PARTICIPANTS = ("participant_lead", "participant_contributor")
ASSESSORS = ("bsc_assessor", "rec_assessor", "dip_assessor")
STAFF = (*ASSESSORS, "board_member", "programme_admin")
EVERYONE = (*PARTICIPANTS, *STAFF)
API_ROLES = ("participant_lead", "bsc_assessor", "programme_admin")


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # formatted with the manifest's samples and the late page numbers
    roles: tuple[str, ...] = EVERYONE
    api: bool = False


PAGES: tuple[Page, ...] = (
    Page("home", "/", PARTICIPANTS),  # staff are redirected to the overview
    Page("overview", "/cases/"),
    Page("overview, last page", "/cases/?cursor={cases_last_cursor}", STAFF),
    Page("case", "/cases/{case}/"),
    Page("case QAD", "/qad/cases/{case}/"),
    Page("QAD section", "/qad/cases/{case}/sections/{qad_section}/"),
    Page("submission", "/qad/submissions/{submission}/"),
    Page("assessment queue", "/assessment/", STAFF),
    Page("assessment queue, overdue", "/assessment/?body=REC&overdue=1", STAFF),
    Page("case assessment", "/assessment/cases/{case}/"),
    Page("queries", "/assessment/queries/"),
    Page("query", "/assessment/queries/{query}/"),
    Page("board calendar", "/assessment/board/", STAFF),
    Page("meeting, upcoming", "/assessment/board/{meeting_upcoming}/", STAFF),
    Page("meeting, held", "/assessment/board/{meeting_past}/", STAFF),
    Page("library", "/library/"),
    Page("library artefact", "/library/artefacts/{artefact}/"),
    Page("consultations", "/library/consultations/"),
    Page("consultation", "/library/consultations/{consultation}/"),
    Page("plan", "/plan/"),
    Page("organisations", "/organisations/"),
    Page("organisations, last page", "/organisations/?page={organisations_last_page}", STAFF),
    Page("inbox", "/notifications/"),
    Page("programme dashboard", "/dashboard/", STAFF),
    Page("programme dashboard, Suppliers", "/dashboard/?role=SUPPLIER", STAFF),
    Page("findings, overdue", "/dashboard/findings/?overdue=1", STAFF),
    Page("regulator's reports", "/dashboard/reports/", STAFF),
    Page("API cases", "/api/v1/cases?limit=50", API_ROLES, api=True),
    Page("API cases, late", "/api/v1/cases?limit=50&cursor={cases_last_cursor}", API_ROLES[1:], api=True),
    Page("API organisations", "/api/v1/organisations?limit=50", API_ROLES, api=True),
    Page("API participations", "/api/v1/participations?limit=50", API_ROLES, api=True),
    Page("API assessment queue", "/api/v1/assessment/queue?body=BSC", API_ROLES[1:], api=True),
    Page("API assessment queue, overdue", "/api/v1/assessment/queue?body=REC&overdue=true", API_ROLES[1:], api=True),
    Page("API queries", "/api/v1/assessment/queries?limit=50", API_ROLES, api=True),
    Page("API meetings", "/api/v1/assessment/meetings?limit=50", API_ROLES[1:], api=True),
    Page("API submissions of a case", "/api/v1/qad/cases/{case}/submissions", API_ROLES, api=True),
    Page("API library artefacts", "/api/v1/library/artefacts?limit=50", API_ROLES, api=True),
    Page("API consultations", "/api/v1/library/consultations?limit=50", API_ROLES, api=True),
    Page("API notifications", "/api/v1/notifications?limit=50", API_ROLES, api=True),
    Page("API programme dashboard", "/api/v1/programme/dashboard", API_ROLES[1:], api=True),
    Page("API register changes", "/api/v1/register/changes?after=0", ("market_system",), api=True),
)


@dataclass
class Result:
    scale: float
    page: str
    role: str
    path: str
    status: int
    n: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    max_ms: float = 0.0
    queries: int | None = None
    queries_vary: bool = False
    query_ms_p50: float = 0.0
    bytes: int = 0
    samples_ms: list[float] = field(default_factory=list)


class Client:
    """One kept-alive connection, as a browser (session cookie) or an API client (bearer token) of one role."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes, float]:
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",  # production believes the proxy: the request came over TLS
            "Accept": "application/json" if self.token else "text/html",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                payload = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()  # the server closed the kept-alive connection: open a new one, once
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    for name, morsel in SimpleCookie(value).items():
                        self.cookies[name] = morsel.value
            return response.status, {k.lower(): v for k, v in response.getheaders()}, payload, elapsed
        raise AssertionError("unreachable")

    def sign_in(self, email: str, password: str) -> None:
        """Through the login form: its CSRF token and cookie, then the session cookie it sets."""
        status, _, page, _ = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise SystemExit(f"no login form ({status})")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1).decode(), "username": email, "password": password}
        ).encode()
        status, headers, _, _ = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://127.0.0.1:{self.port}/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"could not sign in as {email} ({status} {headers.get('location', '')})")


def percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def measure(client: Client, scale: float, page: Page, role: str, path: str, args: argparse.Namespace) -> Result:
    result = Result(scale=scale, page=page.name, role=role, path=path, status=0)
    for _ in range(max(1, args.warmup)):
        status, _, payload, _ = client.request("GET", path)
        result.status = status
        if status != 200:
            return result
    timings, queries, query_ms = [], [], []
    started = time.perf_counter()
    for _ in range(args.requests):
        status, headers, payload, elapsed = client.request("GET", path)
        if status != 200:
            result.status = status
            break
        timings.append(elapsed * 1000)
        queries.append(int(headers.get("x-bench-queries", "-1")))
        query_ms.append(float(headers.get("x-bench-query-ms", "0")))
        result.bytes = len(payload)
        if time.perf_counter() - started > args.max_seconds:
            break
    ordered = sorted(timings)
    if ordered:
        result.n = len(ordered)
        result.p50_ms = round(statistics.median(ordered), 1)
        result.p95_ms = round(percentile(ordered, 95), 1)
        result.max_ms = round(ordered[-1], 1)
        result.queries = int(statistics.median(queries))
        result.queries_vary = min(queries) != max(queries)
        result.query_ms_p50 = round(statistics.median(query_ms), 1)
        result.samples_ms = [round(t, 1) for t in timings]
    return result


def build(env: dict[str, str], scale: float, manifest: Path, check: bool) -> dict[str, Any]:
    """bench/scale.py into the throw-away database, its progress passed through as it comes."""
    command = [PYTHON, str(ROOT / "bench" / "scale.py"), "--scale", f"{scale:g}", "--manifest", str(manifest)]
    if not check:
        command.append("--no-check")
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as p:
        assert p.stdout is not None
        for line in p.stdout:
            print(f"  scale {scale:g} | {line}", end="", flush=True)
    if p.returncode:
        raise SystemExit(f"bench/scale.py failed ({p.returncode})")
    data: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    return data


@contextmanager
def existing_database(url: str) -> Iterator[dict[str, str]]:
    """The environment for production settings over a database that is kept as it is."""
    yield {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # fixed: the database is kept, and its audit chain with it
        "QUALIFY_AUDIT_KEY": "bench-only-audit-key-not-a-secret-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }


def run_scale(scale: float, args: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    var = tempfile.mkdtemp(prefix="qualify-pages-")
    reuse = args.database_url is not None
    try:
        with (
            existing_database(args.database_url)
            if reuse
            else production_database(args.pg, f"pages{scale:g}".replace(".", "_"))
        ) as env:
            # Static files collected as a deployment does (WhiteNoise serves the hashed names), evidence on disk.
            env["QUALIFY_VAR_DIR"] = var
            env["QUALIFY_MEDIA_ROOT"] = str(Path(var) / "media")
            run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
            if reuse:
                manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
                env["QUALIFY_MEDIA_ROOT"] = manifest["media_root"]
            else:
                manifest = build(env, scale, Path(var) / "manifest.json", args.check)
            counts = manifest["counts"]
            values = {
                **manifest["samples"],
                "cases_last_cursor": last_page_cursor(env["DATABASE_URL"]),
                "organisations_last_page": max(1, math.ceil(counts["organisations"] / 50)),
            }
            with gunicorn(
                env, args.port, workers=args.workers, threads=args.threads, app="bench.querycount_wsgi:application"
            ):
                clients: dict[str, Client] = {}
                print(f"\nscale {scale:g}: {args.requests} requests per page and role after {args.warmup} warm-up")
                print(f"{'page':28} {'role':24} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}  path")
                for page in PAGES:
                    for role in page.roles:
                        if args.roles and role not in args.roles:
                            continue
                        if args.pages and not any(f.lower() in page.name.lower() for f in args.pages):
                            continue
                        key = (role, page.api)
                        client = clients.get(f"{key}")
                        if client is None:
                            client = clients[f"{key}"] = Client(args.port)
                            if page.api:
                                client.token = manifest["tokens"][role]
                            else:
                                client.sign_in(manifest["logins"][role], manifest["password"])
                        path = page.path.format(**values)
                        result = measure(client, scale, page, role, path, args)
                        results.append(result)
                        print(_line(result), flush=True)
    finally:
        shutil.rmtree(var, ignore_errors=True)
    return results


def _line(r: Result) -> str:
    if r.status != 200 and not r.n:
        return f"{r.page:28} {r.role:24} {'':>3} {'':>8} {'':>8} {'':>8}  {r.path}  (answers {r.status}: not timed)"
    flag = "  SLOW" if r.p95_ms >= TARGET_P95_MS else ""
    vary = "~" if r.queries_vary else " "
    return f"{r.page:28} {r.role:24} {r.n:>3} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.queries!s:>7}{vary}  {r.path}{flag}"


def summary(results: list[Result], scales: list[float]) -> list[dict[str, Any]]:
    """The sizes side by side; flags: p95 at or over the target, or a query count that changes with size."""
    rows: dict[tuple[str, str], dict[float, Result]] = {}
    for r in results:
        if r.n:
            rows.setdefault((r.page, r.role), {})[r.scale] = r
    header = (
        f"{'page':28} {'role':24}" + "".join(f" | {f'x{s:g} p50':>9} {'p95':>7} {'q':>5}" for s in scales) + " | flags"
    )
    print("\n" + header)
    print("-" * len(header))
    table = []
    for (page, role), by_scale in rows.items():
        cells, flags = "", []
        for s in scales:
            r = by_scale.get(s)
            cells += f" | {r.p50_ms:>9.1f} {r.p95_ms:>7.1f} {r.queries!s:>5}" if r else f" | {'-':>9} {'-':>7} {'-':>5}"
        if any(r.p95_ms >= TARGET_P95_MS for r in by_scale.values()):
            worst = max(by_scale.values(), key=lambda r: r.p95_ms)
            flags.append(f"p95>={TARGET_P95_MS:.0f}ms at x{worst.scale:g}")
        counts = {r.queries for r in by_scale.values()}
        if len(counts) > 1:
            flags.append("queries grow" if max(counts) > min(counts) else "queries differ")
        if any(r.queries_vary for r in by_scale.values()):
            flags.append("queries vary per request")
        print(f"{page:28} {role:24}{cells} | {', '.join(flags)}")
        table.append(
            {"page": page, "role": role, "flags": flags, **{f"x{s:g}": asdict(r) for s, r in by_scale.items()}}
        )
    slow = sum(1 for row in table if any("p95" in f for f in row["flags"]))
    grow = sum(1 for row in table if any("queries grow" in f or "differ" in f for f in row["flags"]))
    print(
        f"\n{len(table)} page/role pairs; {slow} at or over p95 {TARGET_P95_MS:.0f} ms; {grow} with query counts that "
        "change with size"
    )
    return table


def last_page_cursor(database_url: str) -> str:
    """The overview's cursor for its last page of 50 (staff see every case): the page after the 51st case from the
    end, in the overview's order (qualify/cases/selectors.py CASE_ORDER), encoded as qualify/core/keyset.py does."""
    import base64

    import psycopg

    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT o.name, p.mpid, p.role, c.id FROM cases_qualificationcase c"
            " JOIN participants_marketparticipation p ON p.id = c.participation_id"
            " JOIN participants_organisation o ON o.id = p.organisation_id"
            " ORDER BY o.name DESC, p.mpid DESC, p.role DESC, c.id DESC OFFSET 50 LIMIT 1"
        ).fetchone()
    if row is None:
        return ""
    text = json.dumps({"a": list(row)}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode("ascii").rstrip("=")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10", help="market sizes, comma-separated (default 1,10)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and role")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=15, help="stop timing one page after this long")
    parser.add_argument("--roles", type=lambda s: s.split(","), help="only these roles (comma-separated)")
    parser.add_argument("--pages", type=lambda s: s.split(","), help="only pages whose name contains one of these")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--no-check", dest="check", action="store_false", help="skip the generator's checks")
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("--database-url", help="measure this already-built database (with --manifest) instead")
    parser.add_argument("--manifest", type=Path, help="bench/scale.py's manifest of --database-url")
    args = parser.parse_args()

    scales = [float(s) for s in args.scales.split(",")]
    if args.database_url:
        if args.manifest is None:
            raise SystemExit("--database-url needs the --manifest bench/scale.py wrote for it")
        scales = [float(json.loads(args.manifest.read_text(encoding="utf-8"))["scale"])]
    results: list[Result] = []
    builds: dict[str, Any] = {}
    for scale in scales:
        started = time.perf_counter()
        results += run_scale(scale, args)
        builds[f"x{scale:g}"] = round(time.perf_counter() - started, 1)
    table = summary(results, scales)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "scales": scales,
                    "requests": args.requests,
                    "target_p95_ms": TARGET_P95_MS,
                    "seconds_per_scale": builds,
                    "summary": table,
                    "results": [asdict(r) for r in results],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
