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

The clients are asyncio tasks in one process. By default each request opens a new connection, so the measured
latency includes connecting, as a client without keep-alive sees it; ``--keep-alive`` gives each client one
HTTP/1.1 connection that it reuses (as a market system with a connection pool would), reconnecting when gunicorn
closes it. ``--no-health-checks`` runs the server with DATABASE_CONN_HEALTH_CHECKS=false (one round trip fewer per
request). The load average is printed before and after: the generator shares the machine's cores with the server
and PostgreSQL, and anything else running on the machine shows in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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


def request_bytes(path: str, token: str, *, keep_alive: bool) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"X-Forwarded-Proto: https\r\nConnection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    ).encode()


async def one_request(port: int, path: str, token: str) -> tuple[float, int]:
    """A request on a new connection, closed by the server after the response."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request_bytes(path, token, keep_alive=False))
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # the rest of the response, until the server closes
    writer.close()
    elapsed = time.perf_counter() - started
    return elapsed, int(status_line.split()[1])


class KeptConnection:
    """One client's reused connection; reopened (and the request sent again) when the server has closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, path: str, token: str) -> tuple[float, int]:
        started = time.perf_counter()
        for attempt in (1, 2):
            if self.streams is None:
                self.streams = await asyncio.open_connection("127.0.0.1", self.port)
            reader, writer = self.streams
            try:
                writer.write(request_bytes(path, token, keep_alive=True))
                await writer.drain()
                status_line = await reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed by the server")
                length, close = 0, False
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "connection" and value.strip().lower() == "close":
                        close = True
                await reader.readexactly(length)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if close:
                self.close()
            return time.perf_counter() - started, int(status_line.split()[1])
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def client(
    port: int,
    token: str,
    pairs: list[tuple[str, str]],
    until: float,
    think: float,
    latencies: list[float],
    statuses: dict[int, int],
    keep_alive: bool,
) -> None:
    rng = random.Random()
    kept = KeptConnection(port) if keep_alive else None
    while time.perf_counter() < until:
        mpid, role = rng.choice(pairs)
        day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        path = f"/api/v1/register/{mpid}/{role}?on={day}"
        elapsed, status = await (kept.request(path, token) if kept else one_request(port, path, token))
        latencies.append(elapsed)
        statuses[status] = statuses.get(status, 0) + 1
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    if kept:
        kept.close()


async def load(
    port: int, token: str, pairs: list[tuple[str, str]], clients: int, seconds: float, think: float, keep_alive: bool
) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(client(port, token, pairs, until, think, latencies, statuses, keep_alive) for _ in range(clients))
    )
    return latencies, statuses, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.1, help="mean pause between a client's requests (s)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep-alive", action="store_true", help="reuse one connection per client")
    parser.add_argument("--no-health-checks", action="store_true", help="server with DATABASE_CONN_HEALTH_CHECKS=false")
    args = parser.parse_args()

    with production_database(args.pg, "register") as env:
        if args.no_health_checks:
            env["DATABASE_CONN_HEALTH_CHECKS"] = "false"
        token, pairs = prepare(env)
        with gunicorn(
            env, args.port, workers=args.workers, threads=args.threads, worker_class=args.worker_class
        ) as server:
            asyncio.run(load(args.port, token, pairs, 5, 2, 0, args.keep_alive))  # warm every worker
            load_before, cpu_before, own_before = os.getloadavg(), server.cpu_seconds(), time.process_time()
            latencies, statuses, elapsed = asyncio.run(
                load(args.port, token, pairs, args.clients, args.seconds, args.think, args.keep_alive)
            )
            load_after, cpu_after, own_after = os.getloadavg(), server.cpu_seconds(), time.process_time()

    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    print(
        f"gunicorn {args.worker_class}: {args.workers} workers"
        f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}; {args.clients} clients, "
        f"think {args.think * 1000:.0f} ms, {args.seconds:.0f} s; "
        f"{'keep-alive' if args.keep_alive else 'new connection per request'}; "
        f"database health checks {'off' if args.no_health_checks else 'on'}"
    )
    print(f"load average (1/5/15 min): before {_loads(load_before)}, after {_loads(load_after)}")
    per_request = [(after - before) / len(ordered) * 1e6 for before, after in zip(cpu_before, cpu_after, strict=True)]
    print(
        f"CPU per request (us): gunicorn {per_request[0]:.0f}, PostgreSQL {per_request[1]:.0f}, "
        f"load generator {(own_after - own_before) / len(ordered) * 1e6:.0f}"
    )
    print(f"requests: {len(ordered)}  throughput: {len(ordered) / elapsed:.0f}/s  statuses: {statuses}")
    print(
        f"latency ms: p50 {pct(50):.1f}  p90 {pct(90):.1f}  p95 {pct(95):.1f}  p99 {pct(99):.1f}  "
        f"max {ordered[-1] * 1000:.1f}  mean {statistics.fmean(ordered) * 1000:.1f}"
    )
    print(f"target p95 < 20 ms: {'MET' if pct(95) < 20 else 'NOT MET'}")


def _loads(loads: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.2f}" for x in loads)


if __name__ == "__main__":
    main()
