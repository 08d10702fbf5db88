"""Load test: GET /api/v1/register/{mpid}/{role}?on=DATE against the floor, under the production server.

What it does, all on loopback:
1. creates a throw-away PostgreSQL database (default server 127.0.0.1:5432, user postgres), migrates it and loads
   the demo market (about 56 participations with their register history);
2. starts the server (``--server``: gunicorn ``gthread`` (default), ``sync`` or ``gevent`` workers, or ``granian``
   in WSGI mode) with the production settings plus one extra URL, ``/bench/floor``: a trivial Django JSON view behind
   the same middleware (bench/floor_settings.py and bench/floor_urls.py, selected by DJANGO_SETTINGS_MODULE here and
   never part of the product's URLs). HTTPS redirect is off: there is no TLS on loopback;
3. runs alternating phases (``--rounds`` x floor then register, ``--seconds`` each) of N concurrent clients (default
   50). Each client asks for a random participation on a random date with a machine token (the floor gets the same
   request shape), waits ``--think`` seconds, and asks again, as registration systems checking one event at a time
   do; ``--think 0`` makes them fire back to back (saturation);
4. reports each phase (throughput, p50, p95, statuses, CPU per request of the server, its PostgreSQL sessions and
   the load generator, load average before and after), each side over all its phases, and the register/floor
   ratios against the goal (throughput >= 0.8x the floor's, p95 within 1.5x), then stops the server and drops the
   database.

    .venv/bin/python bench/register_load.py --think 0                  # saturation, a new connection per request
    .venv/bin/python bench/register_load.py --think 0 --keep-alive     # saturation, one connection per client
    .venv/bin/python bench/register_load.py --think 0 --server granian

The clients are asyncio tasks in one process. By default each request opens a new connection, so the measured
latency includes connecting, as a client without keep-alive sees it; ``--keep-alive`` gives each client one
HTTP/1.1 connection that it reuses (as a market system with a connection pool would), reconnecting when the server
closes it. ``--no-health-checks`` runs the server with DATABASE_CONN_HEALTH_CHECKS=false. The generator shares the
machine's cores with the server and PostgreSQL, and anything else running on the machine shows in the figures:
the phases alternate so that such load falls on both sides alike, and the load average is printed for each.

Measured (see docs/architecture.md, "The register", for every server): 2 cores shared with other jobs (load average
4-8), 50 clients, --think 0, 2 x 15 s phases, 3 workers x 2 threads. gunicorn gthread, new connections: floor 2054/s
(p95 67 ms), register 1468/s (p95 84 ms), ratios 0.71 and 1.26; keep-alive: floor 4520/s (26 ms), register 2659/s
(41 ms), ratios 0.59 and 1.57. granian (WSGI), new connections: 2799/s (28 ms) and 1813/s (54 ms); keep-alive: 8024/s
(12 ms) and 4561/s (20 ms). Before the register learned of changes by LISTEN/NOTIFY (a marker query and a health
check per read), gunicorn gthread gave ratios 0.65 / 1.50 and 0.46 / 2.35 (new connections), 0.30 / 3.63 and
0.41 / 1.74 (keep-alive).

Since the hot read's common case is answered by a middleware ahead of the rest (register/hot.py::HotReadMiddleware),
with a staff token's Actor kept and the marker verified through libpq: keep-alive 1.05 / 0.98, 1.06 / 0.86,
1.07 / 0.81; new connections 1.20 / 0.84 (load average 2-10). The same command on the code before gave 0.75 / 1.63
and 0.74 / 1.48 at load 1-9, but 1.02-1.05 / 0.91-1.12 at load 4-15, so read the server's CPU per request too:
register 560-860 us against the floor's 580-1020 us now, 860-1320 us against 700-1000 us before. See
docs/architecture.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

from production_server import PYTHON, ROOT, granian, gunicorn, production_database, run

BENCH = Path(__file__).resolve().parent


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
    target: str,
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
        path = f"/bench/floor?on={day}" if target == "floor" else f"/api/v1/register/{mpid}/{role}?on={day}"
        elapsed, status = await (kept.request(path, token) if kept else one_request(port, path, token))
        latencies.append(elapsed)
        statuses[status] = statuses.get(status, 0) + 1
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    if kept:
        kept.close()


@dataclass
class Phase:
    target: str  # "floor" or "register"
    latencies: list[float]
    statuses: dict[int, int]
    elapsed: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)  # gunicorn, PostgreSQL, load generator (s)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed


async def load(
    port: int,
    token: str,
    target: str,
    pairs: list[tuple[str, str]],
    clients: int,
    seconds: float,
    think: float,
    keep_alive: bool,
) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(client(port, token, target, pairs, until, think, latencies, statuses, keep_alive) for _ in range(clients))
    )
    return latencies, statuses, time.perf_counter() - started


def percentile(latencies: list[float], p: float) -> float:
    """The p-th percentile in milliseconds."""
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


SERVERS = ("gthread", "sync", "gevent", "granian")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15, help="length of each phase (s)")
    parser.add_argument("--rounds", type=int, default=2, help="floor/register phase pairs, alternated")
    parser.add_argument("--think", type=float, default=0.1, help="mean pause between a client's requests (s)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread, granian)")
    parser.add_argument("--server", choices=SERVERS, default="gthread", help="gunicorn worker class, or granian")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep-alive", action="store_true", help="reuse one connection per client")
    parser.add_argument("--no-health-checks", action="store_true", help="server with DATABASE_CONN_HEALTH_CHECKS=false")
    args = parser.parse_args()

    phases: list[Phase] = []
    with production_database(args.pg, "register") as env:
        if args.no_health_checks:
            env["DATABASE_CONN_HEALTH_CHECKS"] = "false"
        # The floor view lives only in the benchmark's settings (bench/floor_settings.py), never in the product.
        env["DJANGO_SETTINGS_MODULE"] = "floor_settings"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), str(ROOT), env.get("PYTHONPATH", "")]))
        token, pairs = prepare(env)
        if args.server == "granian":
            serving = granian(env, args.port, workers=args.workers, threads=args.threads)
        else:
            serving = gunicorn(env, args.port, workers=args.workers, threads=args.threads, worker_class=args.server)
        with serving as server:
            for target in ("floor", "register"):  # warm every worker on both paths
                asyncio.run(load(args.port, token, target, pairs, 5, 2, 0, args.keep_alive))
            for _ in range(args.rounds):
                for target in ("floor", "register"):
                    load_before, cpu_before, own_before = os.getloadavg(), server.cpu_seconds(), time.process_time()
                    latencies, statuses, elapsed = asyncio.run(
                        load(args.port, token, target, pairs, args.clients, args.seconds, args.think, args.keep_alive)
                    )
                    load_after, cpu_after, own_after = os.getloadavg(), server.cpu_seconds(), time.process_time()
                    cpu = (cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1], own_after - own_before)
                    phases.append(Phase(target, latencies, statuses, elapsed, load_before, load_after, cpu))

    server_name = f"gunicorn {args.server}" if args.server != "granian" else "granian (WSGI)"
    threads = f" x {args.threads} threads" if args.server in ("gthread", "granian") else ""
    print(
        f"{server_name}: {args.workers} workers{threads}; {args.clients} clients, "
        f"think {args.think * 1000:.0f} ms, {args.rounds} x (floor, register) phases of {args.seconds:.0f} s; "
        f"{'keep-alive' if args.keep_alive else 'new connection per request'}; "
        f"database health checks {'off' if args.no_health_checks else 'on'}"
    )
    for number, phase in enumerate(phases, 1):
        per_request = [c / len(phase.latencies) * 1e6 for c in phase.cpu]
        print(
            f"phase {number} {phase.target:8} {phase.throughput:6.0f}/s  p50 {percentile(phase.latencies, 50):6.1f} ms"
            f"  p95 {percentile(phase.latencies, 95):6.1f} ms  statuses {phase.statuses}  "
            f"CPU/request us: server {per_request[0]:.0f}, PostgreSQL {per_request[1]:.0f}, "
            f"generator {per_request[2]:.0f}  load {_loads(phase.load_before)} -> {_loads(phase.load_after)}"
        )
    summary: dict[str, tuple[float, float, float]] = {}
    for target in ("floor", "register"):
        mine = [p for p in phases if p.target == target]
        latencies = [x for p in mine for x in p.latencies]
        summary[target] = (
            len(latencies) / sum(p.elapsed for p in mine),
            percentile(latencies, 50),
            percentile(latencies, 95),
        )
        rps, p50, p95 = summary[target]
        print(f"{target:8} all phases: {rps:6.0f}/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    (f_rps, f_p50, f_p95), (r_rps, r_p50, r_p95) = summary["floor"], summary["register"]
    rps_ratio, p95_ratio = r_rps / f_rps, r_p95 / f_p95
    print(
        f"register/floor: throughput {rps_ratio:.2f} (goal >= 0.80: {'MET' if rps_ratio >= 0.8 else 'NOT MET'})"
        f"  p50 {r_p50 / f_p50:.2f}  p95 {p95_ratio:.2f} (goal <= 1.50: {'MET' if p95_ratio <= 1.5 else 'NOT MET'})"
    )


def _loads(loads: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.2f}" for x in loads)


if __name__ == "__main__":
    main()
