"""Several first opens of a case's QAD at the same moment (PostgreSQL, one thread and connection each).

A case's QAD is created the first time anyone opens it. Four callers that all find none must not each try to create
it and fail on the unique case: one creates it, the others read the one it created.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from qualify.assessment.tests.test_race import overlapped, race
from qualify.audit.models import AuditEvent
from qualify.qad import services
from qualify.qad.models import QadResponse
from qualify.qad.tests.helpers import publish_sample

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent inserts are only real on PostgreSQL"),
]

HOLD = 0.3  # seconds each caller waits between finding no QAD and creating one


def test_four_concurrent_first_opens_through_the_api_all_succeed_with_one_response(cast, token_for, monkeypatch):
    publish_sample()
    headers = [token_for(key) for key in ("lead_a", "contributor_a", "lead_a", "contributor_a")]
    real = services.latest_published_version

    def slow():  # type: ignore[no-untyped-def]
        # Every caller has looked for the case's QAD and found none before any of them creates it.
        time.sleep(HOLD)
        return real()

    monkeypatch.setattr(services, "latest_published_version", slow)
    url = f"/api/v1/qad/cases/{cast.case_a.reference}"

    def open_it(auth: dict[str, Any]):  # type: ignore[no-untyped-def]
        return lambda: Client().get(url, **auth)

    results, timings = race(*(open_it(auth) for auth in headers))

    assert overlapped(timings)
    assert [r.status_code for r in results] == [200, 200, 200, 200], results
    assert QadResponse.objects.filter(case=cast.case_a).count() == 1
    # Everyone sees the same QAD, and its opening is audited once.
    assert len({r.json()["version"] for r in results}) == 1
    assert AuditEvent.objects.filter(action="qad.response.open").count() == 1
