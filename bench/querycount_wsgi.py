"""The production WSGI application, with each response saying how many database queries it made (bench only).

bench/pages.py runs gunicorn on ``bench.querycount_wsgi:application`` instead of ``config.wsgi``; nothing in the
application imports this module, so production behaves exactly as without it. Each request runs under a
``connection.execute_wrapper`` on its own thread's connection that counts the queries and their time, and the
response starts with two more headers: ``X-Bench-Queries`` and ``X-Bench-Query-Ms``. Everything a page renders
happens before the response starts (only a streamed body could query later, and the benchmarked pages do not
stream), so the count is the request's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections

from config.wsgi import application as production_application


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    counted = {"queries": 0, "seconds": 0.0}

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            counted["queries"] += 1
            counted["seconds"] += time.perf_counter() - started

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        headers = [
            *headers,
            ("X-Bench-Queries", str(counted["queries"])),
            ("X-Bench-Query-Ms", f"{counted['seconds'] * 1000:.1f}"),
        ]
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    with connections["default"].execute_wrapper(count):
        return production_application(environ, start)
