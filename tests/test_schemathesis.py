"""Schemathesis over the whole API, as a participant and as Programme staff: no 5xx, and every answer conforms to the
OpenAPI document (its status documented, its body matching the schema declared for that status).

Two passes per person, both through schemathesis's WSGI transport against the Django app in this process:

- **real objects**: every API GET in the permission matrix (``tests/test_permission_matrix.py``), with its app's
  set-up applied, so the 200 answers of list and detail operations are checked against their schemas;
- **generated input**: every GET operation with a few generated cases each (hypothesis, derandomised so CI is
  deterministic): unknown keys, odd filters and paging values, which must answer a documented 4xx, never a 5xx.

POST and DELETE operations are not fuzzed (they write, and their own tests cover their refusals); their answers in
the permission matrix are checked for the shared error shape there.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api
from qualify.accounts.services import api_token_create
from qualify.core.actor import system_actor
from tests.test_permission_matrix import GROUP_OF, PREPARES, ROWS, _base

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 10
PEOPLE = {"participant": "lead_a", "staff": "admin"}


def _schema() -> Any:
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
    schema.app = WSGIHandler()
    return schema


SCHEMA = _schema()


def _headers(cast: Any, who: str) -> dict[str, str]:
    issued = api_token_create(actor=system_actor(), user=cast.user(PEOPLE[who]), name="schemathesis")
    return {"Authorization": f"Bearer {issued.secret}"}


def _failure(label: str, error: BaseException) -> str:
    """One line per failing operation: what failed, and the request that showed it."""
    found = getattr(error, "exceptions", None) or [error]
    titles = sorted({str(getattr(e, "title", type(e).__name__)) for e in found})
    request = next((line.strip() for line in str(error).splitlines() if line.strip().startswith("curl ")), "")
    details = " | ".join(str(getattr(e, "message", e)).replace("\n", " ")[:300] for e in found)
    return f"{label}: {', '.join(titles)}: {details} :: {request[:400]}"


def _case_for(row: Any, cast: Any) -> Any:
    """The schemathesis case for a matrix row's concrete URL (its operation found through Django's URL resolver)."""
    path, _, query_string = row.url(cast).partition("?")
    match = resolve(path)
    template = "/" + re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", match.route)
    operation = SCHEMA[template][row.method.upper()]
    query = dict(pair.partition("=")[::2] for pair in query_string.split("&") if pair)
    if row.method == "post":
        return operation.Case(
            path_parameters=dict(match.kwargs), query=query, body=row.data(cast), media_type="application/json"
        )
    return operation.Case(path_parameters=dict(match.kwargs), query=query)


def _real_objects(cast: Any, who: str, failures: list[str]) -> int:
    """Every API row of the permission matrix: each group with its own set-up in a savepoint rolled back after it, and
    each row in a savepoint of its own (a POST's change is never seen by the next row)."""
    checked = 0
    groups: dict[str, list[Any]] = {}
    for row in ROWS:
        if row.api:
            groups.setdefault(GROUP_OF.get(row.name, ""), []).append(row)
    for group, rows in groups.items():
        with transaction.atomic():
            if group:
                PREPARES[group](cast)
            headers = _headers(cast, who)
            for row in rows:
                with transaction.atomic():
                    try:
                        _case_for(row, cast).call_and_validate(headers=headers, checks=CHECKS)
                    except (AssertionError, BaseExceptionGroup) as error:  # schemathesis's failures
                        failures.append(_failure(f"{row.name} as {who}", error))
                    transaction.set_rollback(True)
                checked += 1
            transaction.set_rollback(True)
    return checked


def _generated(cast: Any, who: str, failures: list[str]) -> tuple[int, int]:
    """(operations, requests): every GET operation, with a few generated cases each."""
    headers = _headers(cast, who)
    checked = 0
    sent = [0]
    for result in SCHEMA.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            sent[0] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except (AssertionError, BaseExceptionGroup) as error:  # schemathesis's failures
            failures.append(_failure(f"{operation.label} as {who}", error))
        checked += 1
    return checked, sent[0]


@pytest.fixture
def connection_kept():
    """The app runs inside the test's transaction: stop it closing the connection at each request's start and end
    (as Django's own test client does), or PostgreSQL would lose the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_every_get_answers_as_documented(cast, who, connection_kept):
    cast = _base(cast)
    failures: list[str] = []
    assert _real_objects(cast, who, failures) > 40
    operations, requests = _generated(cast, who, failures)
    assert operations > 60
    assert requests >= 2 * operations
    assert not failures, "\n\n".join(failures)
