"""A long register import holds up no other audited write (issue 14), on PostgreSQL where row locks are real.

The probe saw a participant's answer save time out after 60 s while a 200,000-row register import ran: the import
took the audit chain's head lock at its first audited write and held it until its commit. Here the import runs in
one thread and connection while the participant saves an answer in another; the save must finish within a second.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection

from qualify.audit.models import AuditEvent
from qualify.audit.services import verify_chain
from qualify.qad.models import Answer
from qualify.qad.services import answer_save
from qualify.qad.tests.helpers import open_qad, publish_sample
from qualify.register import imports
from qualify.register.imports import register_import
from qualify.register.models import RegisterEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are only real on PostgreSQL"),
]

ROWS = 200_000  # the probe's import
PARTICIPATIONS = 1_000
FIRST_DAY = dt.date(2001, 1, 1)


def register_file(rows: int) -> str:
    """``rows`` events for PARTICIPATIONS suppliers of 50 organisations, each on a day of its own."""
    lines = ["organisation,mpid,role,event,date,distributor_ids"]
    for i in range(rows):
        p = i % PARTICIPATIONS
        day = FIRST_DAY + dt.timedelta(days=i // PARTICIPATIONS)
        lines.append(f"Contention Energy {p % 50},C{p:03d},SUPPLIER,QUALIFIED,{day.isoformat()},")
    return "\n".join(lines) + "\n"


def test_an_answer_saves_within_a_second_while_a_long_register_import_runs(cast, monkeypatch):
    publish_sample()
    lead, admin = cast.actor("lead_a"), cast.actor("admin")
    qad = open_qad(cast.case_a, lead)
    text = register_file(ROWS)

    # The import signals once it is well into its work: its organisations and participations are created (each
    # audited) and it is about to write its events.
    writing = threading.Event()
    real_record_events = imports._record_events

    def record_events(**kwargs: Any) -> Any:
        writing.set()
        return real_record_events(**kwargs)

    monkeypatch.setattr(imports, "_record_events", record_events)
    outcome: dict[str, Any] = {}

    def run_import() -> None:
        try:
            outcome["result"] = register_import(actor=admin, text=text, source_name="big.csv", reason="initial load")
        except Exception as exc:  # reported by the assertions below
            outcome["error"] = exc
        finally:
            writing.set()
            connection.close()

    importer = threading.Thread(target=run_import)
    importer.start()
    try:
        assert writing.wait(timeout=120), "the import never started writing events"
        started = time.monotonic()
        answer_save(actor=lead, response=qad, question_id="Q-2.2", value="1,200")
        took = time.monotonic() - started
        import_still_running = importer.is_alive()
    finally:
        importer.join(timeout=900)
    assert "error" not in outcome, outcome.get("error")
    assert took < 1.0, f"the answer save waited {took:.1f} s for the import"
    assert import_still_running, "the import ended before the save; the test proved nothing"

    assert outcome["result"].events_created == ROWS == RegisterEvent.objects.filter(reference="big.csv").count()
    assert Answer.objects.get(response=qad, question_id="Q-2.2").value == "1200"
    # The import is one audit event, chained after the answer's, and the chain holds.
    actions = list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert actions[0] == "register.import"
    assert AuditEvent.objects.filter(action="register.event.record").count() == 0
    assert list(verify_chain()) == []
