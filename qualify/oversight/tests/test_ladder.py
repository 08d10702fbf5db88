"""The ladder file: the shipped default reads cleanly; every problem is named by its line and field; loading is
versioned and audited; the daily commands are safe to run again."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qualify.audit.models import AuditEvent
from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.oversight.ladder import LadderFileInvalid, LadderSpec, default_ladder_text, parse_ladder
from qualify.oversight.models import NonCompletionLadder, NonCompletionRecord
from qualify.oversight.services import ladder_current, ladder_load

GOOD = default_ladder_text()


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(LadderFileInvalid) as caught:
        parse_ladder(text)
    return [(p.line, p.field) for p in caught.value.problems]


def test_the_shipped_default_reads_and_round_trips():
    spec = parse_ladder(GOOD)
    assert [s.code for s in spec.steps] == ["NOTICE", "RESPONSE", "REVIEW", "REFERRAL", "PAB_DECISION", "ESCALATION"]
    assert LadderSpec.from_data(spec.as_data()) == spec
    assert {s.code for s in spec.sanctions_for("SUPPLIER")} == {"BSC_BREACH", "BSC_DEFAULT"}
    assert {s.code for s in spec.sanctions_for("MEM")} == {"AGENT_REFUSAL", "AGENT_REMOVAL"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("next: RESPONSE}", "next: NOWHERE}"), (17, "steps[0].outcomes[0].next")),
        (("acts: programme\n    due_working_days: 2", "acts: nobody\n    due_working_days: 2"), (14, "steps[0].acts")),
        (("due_working_days: 2", "due_working_days: 0"), (15, "steps[0].due_working_days")),
        (
            ("leads_to: step, next: RESPONSE}", "leads_to: somewhere, next: RESPONSE}"),
            (17, "steps[0].outcomes[0].leads_to"),
        ),
        (('version: "1.0"', 'version: "one"'), (5, "version")),
        (("agent: [MEM, SDS, ADS, UMSDS]", "agent: [MEM, SDS, ADS]"), (8, "parties")),
        (("register_event: REVOKED}", "register_event: QUALIFIED}"), (62, "sanctions[3].register_event")),
    ],
)
def test_each_problem_names_its_line_and_field(change, expected):  # type: ignore[no-untyped-def]
    old, new = change
    assert old in GOOD
    assert expected in problems(GOOD.replace(old, new, 1))


def test_a_sanction_outcome_needs_a_sanction_for_each_kind_of_party():
    text = GOOD.split("sanctions:")[0] + "sanctions:\n  - {code: BSC_BREACH, label: Breach, applies_to: bsc_party}\n"
    assert any(field == "sanctions" for _, field in problems(text))


def test_not_yaml_is_reported_on_its_line():
    assert [field for _, field in problems("version: [1\n")] == ["(file)"]


def test_loading_is_versioned_audited_and_for_the_programme(cast):
    with pytest.raises(NotAllowed):
        ladder_load(actor=cast.actor("board"), text=GOOD)
    ladder = ladder_load(actor=cast.actor("admin"), text=GOOD, source_name="ladder.yaml")
    assert AuditEvent.objects.filter(action="oversight.ladder.load").exists()
    with pytest.raises(ValidationFailed, match="already loaded"):
        ladder_load(actor=cast.actor("admin"), text=GOOD)
    newer = ladder_load(actor=cast.actor("admin"), text=GOOD.replace('version: "1.0"', 'version: "1.1"'))
    assert ladder_current() == newer != ladder


def test_a_bad_file_is_refused_with_every_problem(cast):
    with pytest.raises(ValidationFailed) as caught:
        ladder_load(actor=cast.actor("admin"), text=GOOD.replace("due_working_days: 2", "due_working_days: x"))
    assert caught.value.details["problems"][0]["field"] == "steps[0].due_working_days"


def test_the_default_is_loaded_when_none_was(cast):
    assert not NonCompletionLadder.objects.exists()
    assert ladder_current().version == "1.0"
    assert NonCompletionLadder.objects.count() == 1


def test_the_load_command_lists_the_problems(cast, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("acts: bsc_pab", "acts: panel", 1), encoding="utf-8")
    with pytest.raises(CommandError, match=r"steps\[4\]\.acts"):
        call_command("load_ladder", str(bad))
    out = StringIO()
    call_command("load_ladder", stdout=out)
    assert "v1.0" in out.getvalue()


def test_the_daily_commands_are_safe_to_run_again(cast):
    out = StringIO()
    for _ in range(2):
        call_command("detect_non_completion", "--date", "2026-12-02", stdout=out)
        call_command("send_non_completion_reminders", "--date", (dt.date(2026, 12, 2)).isoformat(), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2026-12-02: 2 record(s) opened") and lines[2].startswith("2026-12-02: 0 record(s)")
    assert NonCompletionRecord.objects.count() == 2
