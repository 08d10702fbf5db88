"""Shared by the HTTP benchmarks: a throw-away PostgreSQL database and the app under gunicorn on loopback.

with production_database(pg_url, "label") as env:      # created, then dropped on the way out
    run([PYTHON, "manage.py", "migrate"], env)          # anything that needs the database
    with gunicorn(env, port, workers=3, threads=2) as server:   # started, healthy, then stopped
        before = server.cpu_seconds()                   # CPU used so far by gunicorn and its PostgreSQL sessions
        ...
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def run(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


@contextmanager
def production_database(pg: str, label: str) -> Iterator[dict[str, str]]:
    """A new database on the PostgreSQL server at ``pg``, and the environment for production settings over it."""
    import psycopg

    database = f"qualify_bench_{label}_{os.getpid()}"
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        yield {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"{pg}/{database}",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "QUALIFY_AUDIT_KEY": "bench-only-audit-key-not-a-secret-0123456789",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # no TLS on loopback
            "LOG_LEVEL": "WARNING",
        }
    finally:
        with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (Linux /proc), 0 if it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """A running gunicorn, able to say how much CPU it and the database sessions serving it have used."""

    def __init__(self, process: subprocess.Popen[bytes], database_url: str) -> None:
        self.process = process
        self.database_url = database_url

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [self.process.pid, *(int(pid) for pid in children.read_text().split())]

    def database_pids(self) -> list[int]:
        import psycopg

        database = self.database_url.rsplit("/", 1)[1]
        with psycopg.connect(self.database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database]).fetchall()
        return [pid for (pid,) in rows]

    def cpu_seconds(self) -> tuple[float, float]:
        """(gunicorn master and workers, PostgreSQL sessions open now on the benchmark database)."""
        return (
            sum(_process_cpu_seconds(pid) for pid in self.worker_pids()),
            sum(_process_cpu_seconds(pid) for pid in self.database_pids()),
        )


def _wait_until_healthy(port: int, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/", headers={"X-Forwarded-Proto": "https"})
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


@contextmanager
def gunicorn(
    env: dict[str, str],
    port: int,
    *,
    workers: int,
    threads: int,
    worker_class: str = "gthread",
    app: str = "config.wsgi",
) -> Iterator[Server]:
    """The production WSGI server on 127.0.0.1:``port``, answering /health/ before it yields.

    ``worker_class`` "gthread" (default: ``threads`` threads per worker, keeps connections alive) or "sync" (one
    request at a time per worker, closes every connection; what ``gunicorn config.wsgi --workers N`` runs).
    ``app`` is the WSGI application (bench/pages.py wraps the production one to count queries).
    ``worker_class`` may also be "gevent" (one greenlet per connection; needs the gevent package).
    """
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        *(["--threads", str(threads)] if worker_class == "gthread" else []),
        "--log-level",
        "warning",
    ]
    with _serving(command, env, port) as server:
        yield server


@contextmanager
def granian(
    env: dict[str, str], port: int, *, workers: int, threads: int, app: str = "config.wsgi:application"
) -> Iterator[Server]:
    """Granian (a Rust HTTP server) serving the WSGI application, ``threads`` blocking threads per worker."""
    command = [
        str(Path(PYTHON).parent / "granian"),
        "--interface",
        "wsgi",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "--log-level",
        "warning",
    ]
    with _serving(command, env, port) as server:
        yield server


@contextmanager
def _serving(command: list[str], env: dict[str, str], port: int) -> Iterator[Server]:
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_healthy(port)
        yield Server(server, env["DATABASE_URL"])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
