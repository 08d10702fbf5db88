"""Gating re-run as known at a past instant (issue 11): "was this migration allowed when it was decided?"

The market of ``test_gate_command`` is loaded on 1 Aug 2025. On 1 Dec 2025 the Supplier NLSP's revocation from
1 Oct 2025 is recorded (back-dated, with its reason); on 2 Dec 2025 M12 (migration opens for Smart) moves from
20 Oct to 25 Oct 2025. A migration on 20 Oct 2025 was allowed as the register and the plan stood in September, and
is blocked as they stand now.
"""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
import time_machine
from django.core.management import CommandError, call_command

from qualify.core.actor import system_actor
from qualify.gating.tests.test_gate_command import MILESTONES, REGISTER
from qualify.gating.tests.world import MPAN_LDSA
from qualify.plan.imports import milestones_import
from qualify.plan.models import Milestone
from qualify.plan.services import milestone_move
from qualify.register.imports import register_import

pytestmark = pytest.mark.django_db

D = dt.date
SEPTEMBER = "2025-09-01T00:00:00Z"
BETWEEN = "2025-12-01T12:00:00Z"  # the revocation is known, the milestone has not moved yet
EVENTS = [
    "ref,kind,mpan,date,segment,supplier,mem,data_service,settlement",
    f"A1,MIGRATE,{MPAN_LDSA},2025-10-20,SMART,NLSP,MTRC,,LEGACY",
]
THEN = [("A1", "ALLOW", "")]
NOW = [("A1", "BLOCK", "BEFORE_MIGRATION_WINDOW;SUPPLIER_NOT_QUALIFIED")]


def at(year: int, month: int, day: int, hour: int) -> time_machine.travel:
    return time_machine.travel(dt.datetime(year, month, day, hour, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def history(cast):
    actor = system_actor("test market")
    with at(2025, 8, 1, 9):
        register_import(actor=actor, text="\n".join(REGISTER), source_name="register.csv", reason="initial load")
        milestones_import(actor=actor, text="\n".join(MILESTONES), source_name="milestones.csv")
    with at(2025, 12, 1, 9):
        revocation = "Northern Lights Supply,NLSP,SUPPLIER,REVOKED,2025-10-01,,BSC PAB decision of 30 Sep minuted late"
        register_import(
            actor=actor, text="\n".join([REGISTER[0] + ",reason", revocation]), source_name="revocation.csv"
        )
    with at(2025, 12, 2, 9):
        milestone_move(
            actor=actor, milestone=Milestone.objects.get(code="M12"), new_date=D(2025, 10, 25), change_request="CR099"
        )
    return cast


def decisions(client_for, token_for, known_at: str | None = None) -> list[tuple[str, str, str]]:
    events = [dict(zip(EVENTS[0].split(","), line.split(","), strict=True)) for line in EVENTS[1:]]
    payload: dict[str, object] = {"events": events}
    if known_at is not None:
        payload["known_at"] = known_at
    response = client_for(None).post(
        "/api/v1/gating/decisions", payload, content_type="application/json", **token_for("machine")
    )
    assert response.status_code == 200, response.content
    return [(d["ref"], d["outcome"], ";".join(d["reasons"])) for d in response.json()["decisions"]]


def test_http_decisions_known_at_a_past_instant_give_the_then_answer(history, client_for, token_for):
    assert decisions(client_for, token_for) == NOW
    assert decisions(client_for, token_for, SEPTEMBER) == THEN
    # Known on 1 Dec at noon: the revocation is recorded, the milestone still opens Smart migration on 20 Oct.
    assert decisions(client_for, token_for, BETWEEN) == [("A1", "BLOCK", "SUPPLIER_NOT_QUALIFIED")]
    # Before the market was loaded nobody was registered: no Supplier, MEM or LDSO, and no milestones.
    assert decisions(client_for, token_for, "2025-07-01T00:00:00+01:00") == [
        (
            "A1",
            "BLOCK",
            "BEFORE_MIGRATION_WINDOW;LDSO_NOT_QUALIFIED;MEM_NOT_QUALIFIED;SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT",
        )
    ]


def test_http_decisions_refuse_a_known_at_that_is_not_an_instant(history, client_for, token_for):
    payload = {"events": [dict(zip(EVENTS[0].split(","), EVENTS[1].split(","), strict=True))], "known_at": "2025-09"}
    response = client_for(None).post(
        "/api/v1/gating/decisions", payload, content_type="application/json", **token_for("machine")
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_instant"
    assert "known_at" in response.json()["error"]["message"]


def result_of(path: Path) -> list[tuple[str, str, str]]:
    frame = pl.read_csv(path, infer_schema=False)
    return [(r, o, s or "") for r, o, s in frame.select("ref", "outcome", "reasons").iter_rows()]


def test_gate_command_known_at_a_past_instant_gives_the_then_answer(history, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text("\n".join(EVENTS) + "\n")
    call_command("gate", str(events), out=str(tmp_path / "now.csv"), progress="never", stdout=StringIO())
    assert result_of(tmp_path / "now.csv") == NOW
    out = StringIO()
    call_command("gate", str(events), out=str(tmp_path / "then.csv"), known_at=SEPTEMBER, progress="never", stdout=out)
    assert result_of(tmp_path / "then.csv") == THEN
    assert "Decided as the register stood at 2025-09-01T00:00:00+00:00." in out.getvalue()
    with pytest.raises(CommandError, match="'--known-at' has no time zone"):
        call_command("gate", str(events), out=str(tmp_path / "x.csv"), known_at="2025-09-01T00:00", progress="never")
    assert not (tmp_path / "x.csv").exists()


def test_a_bulk_job_known_at_a_past_instant_gives_the_then_answer(
    history, client_for, token_for, django_capture_on_commit_callbacks
):
    client, auth = client_for(None), token_for("machine")
    content = io.BytesIO(("\n".join(EVENTS) + "\n").encode())
    content.name = "events.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/gating/jobs", {"file": content, "known_at": SEPTEMBER}, **auth)
    assert response.status_code == 200, response.content
    job = client.get(f"/api/v1/gating/jobs/{response.json()['reference']}", **auth).json()
    assert (job["state"], job["known_at"]) == ("DONE", "2025-09-01T00:00:00Z")
    body = b"".join(client.get(job["result_url"], **auth).streaming_content)
    frame = pl.read_csv(io.BytesIO(body), infer_schema=False)
    assert [(r, o, s or "") for r, o, s in frame.select("ref", "outcome", "reasons").iter_rows()] == THEN

    bad = io.BytesIO(b"x")
    bad.name = "events.csv"
    refused = client.post("/api/v1/gating/jobs", {"file": bad, "known_at": "soon"}, **auth)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "bad_instant"
