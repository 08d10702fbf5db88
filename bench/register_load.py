"""Load test: GET /api/v1/register/{mpid}/{role}?on=DATE under the production server, 50 concurrent clients.

What it does, all on loopback:
1. creates a throw-away PostgreSQL database (default server 127.0.0.1:5432, user postgres), migrates it and loads
   the demo market (about 56 participations with their register history);
2. starts gunicorn with ``config.settings.production`` (HTTPS redirect off: there is no TLS on loopback);
3. runs N concurrent clients (default 50) for a fixed time. Each client asks for a random participation on a random
   date with a machine token, waits ``--think`` seconds, and asks again, as registration systems checking one event
   at a time do; ``--think 0`` makes them fire back to back (saturation);
4. reports requests, throughput, errors and the latency percentiles, then stops gunicorn and drops the database.

    .venv/bin/python bench/register_load.py                  # 50 clients, 100 ms think time, 30 s
    .venv/bin/python bench/register_load.py --think 0        # saturation: what the 2 cores can serve

The clients are asyncio tasks in one process with one new connection per request, so the measured latency includes
connecting, as a client without keep-alive sees it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

from production_server import PYTHON, gunicorn, production_database, run


def prepare(env: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    output = run([PYTHON, "manage.py", "load_demo"], env)
    token = next(line.strip() for line in output.splitlines() if line.strip().startswith("qfy_"))
    pairs = run(
        [
            PYTHON,
            "-c",
            "import django; django.setup();"
            "from qualify.participants.models import MarketParticipation as M;"
            "print('\\n'.join(f'{m} {r}' for m, r in M.objects.values_list('mpid', 'role')))",
        ],
        env,
    )
    return token, [tuple(line.split()) for line in pairs.splitlines() if line.strip()]  # type: ignore[misc]


async def one_request(port: int, path: str, token: str) -> tuple[float, int]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # the rest of the response, until the server closes
    writer.close()
    elapsed = time.perf_counter() - started
    return elapsed, int(status_line.split()[1])


async def client(
    port: int,
    token: str,
    pairs: list[tuple[str, str]],
    until: float,
    think: float,
    latencies: list[float],
    statuses: dict[int, int],
) -> None:
    rng = random.Random()
    while time.perf_counter() < until:
        mpid, role = rng.choice(pairs)
        day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        elapsed, status = await one_request(port, f"/api/v1/register/{mpid}/{role}?on={day}", token)
        latencies.append(elapsed)
        statuses[status] = statuses.get(status, 0) + 1
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


async def load(
    port: int, token: str, pairs: list[tuple[str, str]], clients: int, seconds: float, think: float
) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(client(port, token, pairs, until, think, latencies, statuses) for _ in range(clients)))
    return latencies, statuses, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.1, help="mean pause between a client's requests (s)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    with production_database(args.pg, "register") as env:
        token, pairs = prepare(env)
        with gunicorn(env, args.port, workers=args.workers, threads=args.threads):
            asyncio.run(load(args.port, token, pairs, 5, 2, 0))  # warm every worker's connections and caches
            latencies, statuses, elapsed = asyncio.run(
                load(args.port, token, pairs, args.clients, args.seconds, args.think)
            )

    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    print(
        f"gunicorn gthread: {args.workers} workers x {args.threads} threads; {args.clients} clients, "
        f"think {args.think * 1000:.0f} ms, {args.seconds:.0f} s"
    )
    print(f"requests: {len(ordered)}  throughput: {len(ordered) / elapsed:.0f}/s  statuses: {statuses}")
    print(
        f"latency ms: p50 {pct(50):.1f}  p90 {pct(90):.1f}  p95 {pct(95):.1f}  p99 {pct(99):.1f}  "
        f"max {ordered[-1] * 1000:.1f}  mean {statistics.fmean(ordered) * 1000:.1f}"
    )
    print(f"target p95 < 20 ms: {'MET' if pct(95) < 20 else 'NOT MET'}")


if __name__ == "__main__":
    main()
