"""Shared by the HTTP benchmarks: a throw-away PostgreSQL database and the app under gunicorn on loopback.

with production_database(pg_url, "label") as env:      # created, then dropped on the way out
    run([PYTHON, "manage.py", "migrate"], env)          # anything that needs the database
    with gunicorn(env, port, workers=3, threads=2):     # started, healthy, then stopped
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
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # no TLS on loopback
            "LOG_LEVEL": "WARNING",
        }
    finally:
        with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _wait_until_healthy(port: int, timeout: float = 30) -> None:
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
    raise SystemExit("gunicorn did not start")


@contextmanager
def gunicorn(env: dict[str, str], port: int, *, workers: int, threads: int) -> Iterator[None]:
    """The production WSGI server (gthread workers) on 127.0.0.1:``port``, answering /health/ before it yields."""
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_healthy(port)
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
