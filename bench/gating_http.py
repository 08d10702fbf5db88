"""Benchmark: POST /api/v1/gating/decisions with 10,000 events under the production server (issue 5, target < 1 s).

What it does, all on loopback:
1. creates a throw-away PostgreSQL database (default server 127.0.0.1:5432, user postgres) and migrates it;
2. loads a register of a few hundred participations with ``manage.py import_register`` from a generated CSV, and the
   migration milestones with ``manage.py import_milestones``; creates a market-system account and its API token;
3. starts gunicorn with ``config.settings.production`` (HTTPS redirect off: there is no TLS on loopback);
4. POSTs a batch of 10,000 generated events (valid and malformed MPANs, every kind and segment, known and unknown
   MPIDs, dates across the migration window) a few times to warm up, then ``--repeat`` times, one at a time on a
   kept-alive connection, and reports the wall time per request (min, median, p95, max) as a client sees it:
   sending the JSON, deciding, and reading the whole answer;
5. stops gunicorn and drops the database.

    .venv/bin/python bench/gating_http.py
    .venv/bin/python bench/gating_http.py --repeat 50 --events 10000
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from production_server import PYTHON, gunicorn, production_database, run

MPAN_WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
DISTRIBUTOR_IDS = [f"{n:02d}" for n in range(10, 24)]
ROLE_COUNTS = {"SUPPLIER": 150, "MEM": 70, "SDS": 40, "ADS": 20, "UMSDS": 20}
MILESTONES = [
    "code,name,date,meaning,segments",
    "M11,Migration opens: UMS and Advanced,2025-10-06,MIGRATION_START,UMS;ADVANCED",
    "M12,Migration opens: Smart,2025-10-20,MIGRATION_START,SMART",
    "M14,All Suppliers qualified,2026-10-28,ALL_SUPPLIERS_QUALIFIED,",
    "M15,Migration ends,2027-05-31,MIGRATION_END,",
]


def mpid(prefix: str, number: int) -> str:
    return f"{prefix}{number:03d}"


def register_csv(rng: random.Random) -> tuple[str, dict[str, list[str]]]:
    """A register: LDSOs holding every distributor id, and market roles in several states on different dates."""
    lines = ["organisation,mpid,role,event,date,distributor_ids"]
    by_role: dict[str, list[str]] = {}
    for number, distributor in enumerate(DISTRIBUTOR_IDS):
        code = mpid("L", number)
        by_role.setdefault("LDSO", []).append(code)
        lines.append(f"Distributor {number},{code},LDSO,QUALIFIED,2025-0{1 + number % 9}-01,{distributor}")
        if number % 7:  # a few LDSOs are never activated
            lines.append(f"Distributor {number},{code},LDSO,SERVICE_ACTIVATED,2025-0{1 + number % 9}-15,")
    for role, count in ROLE_COUNTS.items():
        for number in range(count):
            code = mpid(role[0], number)
            by_role.setdefault(role, []).append(code)
            organisation = f"{role.title()} Company {number}"
            qualified = f"{rng.choice([2025, 2026])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            shape = number % 5
            if shape == 4:  # registered, not yet qualified
                lines.append(f"{organisation},{code},{role},,,")
                continue
            lines.append(f"{organisation},{code},{role},QUALIFIED,{qualified},")
            if shape != 3:
                lines.append(f"{organisation},{code},{role},SERVICE_ACTIVATED,{qualified},")
            if shape == 1:
                lines.append(f"{organisation},{code},{role},SUSPENDED,2026-06-01,")
                lines.append(f"{organisation},{code},{role},REINSTATED,2026-07-01,")
            if shape == 2 and number % 10 == 2:
                lines.append(f"{organisation},{code},{role},REVOKED,2026-09-01,")
    return "\n".join(lines) + "\n", by_role


def with_check_digit(first12: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first12, MPAN_WEIGHTS, strict=True))
    return first12 + str(total % 11 % 10)


def events(rng: random.Random, count: int, by_role: dict[str, list[str]]) -> list[dict[str, str]]:
    data_role = {"SMART": "SDS", "ADVANCED": "ADS", "UMS": "UMSDS"}
    batch = []
    for number in range(count):
        kind = rng.choice(["MIGRATE", "MIGRATE", "APPOINT", "REGISTER"])
        segment = rng.choice(["SMART", "SMART", "ADVANCED", "UMS"])
        mpan = with_check_digit(rng.choice([*DISTRIBUTOR_IDS, "99"]) + f"{rng.randrange(10**10):010d}")
        if number % 50 == 0:
            mpan = mpan[:-1] + str((int(mpan[-1]) + 1) % 10)  # a wrong check digit
        supplier = rng.choice(by_role["SUPPLIER"] + ["ZZZZ"])
        mem = rng.choice(by_role["MEM"]) if kind != "APPOINT" or number % 2 else ""
        data_service = rng.choice(by_role[data_role[segment]]) if kind != "APPOINT" or not mem else ""
        batch.append(
            {
                "ref": f"E{number:06d}",
                "kind": kind,
                "mpan": mpan,
                "date": f"{rng.choice([2025, 2026, 2027])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "segment": segment,
                "supplier": supplier if kind != "APPOINT" else "",
                "mem": mem,
                "data_service": data_service,
                "settlement": rng.choice(["MHHS", "LEGACY"]),
            }
        )
    return batch


def prepare(env: dict[str, str], rng: random.Random) -> tuple[str, dict[str, list[str]]]:
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    text, by_role = register_csv(rng)
    with tempfile.TemporaryDirectory() as directory:
        register = Path(directory) / "register.csv"
        register.write_text(text, encoding="utf-8")
        milestones = Path(directory) / "milestones.csv"
        milestones.write_text("\n".join(MILESTONES) + "\n", encoding="utf-8")
        command = [PYTHON, "manage.py", "import_register", str(register), "--reason", "bench: a generated history"]
        print(run(command, env).strip())
        print(run([PYTHON, "manage.py", "import_milestones", str(milestones)], env).strip())
    email = "bench-gating@market.test"
    run(
        [PYTHON, "manage.py", "create_account", email, "Gating bench", "--staff-role", "MARKET_SYSTEM", "--machine"],
        env,
    )
    token = run([PYTHON, "manage.py", "create_api_token", email, "bench"], env).strip().splitlines()[-1].strip()
    return token, by_role


def post(connection: http.client.HTTPConnection, body: bytes, token: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    connection.request(
        "POST",
        "/api/v1/gating/decisions",
        body=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "X-Forwarded-Proto": "https",
        },
    )
    response = connection.getresponse()
    payload = response.read()
    return time.perf_counter() - started, response.status, payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    timings: list[float] = []
    with production_database(args.pg, "gating") as env:
        token, by_role = prepare(env, rng)
        participations = sum(len(codes) for codes in by_role.values())
        batch = events(rng, args.events, by_role)
        body = json.dumps({"events": batch}, separators=(",", ":")).encode()
        with gunicorn(env, args.port, workers=args.workers, threads=args.threads):
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
            outcomes: dict[str, int] = {}
            # Warm-up: every worker builds its gating context once (then reused until the register changes).
            for _ in range(args.warmup * args.workers):
                _, status, payload = post(connection, body, token)
                if status != 200:
                    raise SystemExit(f"warm-up failed: {status} {payload[:500]!r}")
            for _ in range(args.repeat):
                elapsed, status, payload = post(connection, body, token)
                if status != 200:
                    raise SystemExit(f"request failed: {status} {payload[:500]!r}")
                decisions = json.loads(payload)["decisions"]
                assert len(decisions) == args.events and decisions[0]["ref"] == batch[0]["ref"]
                timings.append(elapsed)
            for decision in decisions:
                outcomes[decision["outcome"]] = outcomes.get(decision["outcome"], 0) + 1
            connection.close()

    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(
        f"register: {participations} participations; batch: {args.events:,} events, {len(body) / 1e6:.2f} MB of JSON; "
        f"gunicorn gthread {args.workers} workers x {args.threads} threads; {args.repeat} timed requests after "
        f"{args.warmup * args.workers} warm-up"
    )
    print(f"outcomes in the last answer: {dict(sorted(outcomes.items()))}")
    print(
        f"wall time per request ms: min {ordered[0] * 1000:.0f}  median {statistics.median(ordered) * 1000:.0f}  "
        f"p95 {p95 * 1000:.0f}  max {ordered[-1] * 1000:.0f}"
    )
    print(f"target < 1 s: {'MET' if ordered[-1] < 1 else 'NOT MET'} (slowest request)")


if __name__ == "__main__":
    main()
