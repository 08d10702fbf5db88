"""Tampering that an intact-looking chain used to hide (issue 14): each is found by ``verify_audit_chain``.

Each test plays someone with the database owner's rights who switches the append-only guard off, rewrites rows
behind the application's back, and tries to leave a chain that verifies. What they do not have is the audit key
(kept in a secret store) or write access to the checkpoint file (kept on separate storage).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from config import env
from qualify.audit.checkpoints import FILE_NAME, checkpoint_write, verify_checkpoints
from qualify.audit.models import AuditChainHead, AuditEvent, HashScheme
from qualify.audit.services import GENESIS, audit_batch, audit_record, event_hash, verify_chain
from qualify.core.actor import system_actor


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path: Path) -> Path:
    settings.QUALIFY_AUDIT_CHECKPOINT_DIR = tmp_path
    return tmp_path


@pytest.fixture
def guard_off(cast) -> None:
    """The append-only triggers off, as a database owner could switch them (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")


def plain_hash(event: AuditEvent, prev_hash: str) -> str:  # also used by test_old_scheme.py
    """What a tamperer without the key can compute: the event's hash the old, unkeyed way."""
    return event_hash(
        scheme=HashScheme.SHA256,
        seq=event.seq,
        at=event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        request_id=event.request_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        organisation_id=event.organisation_id,
        changes=json.loads(json.dumps(event.changes, sort_keys=True)),
        prev_hash=prev_hash,
    )


def rewrite_from(seq: int, *, actor_name: str, scheme: int | None = None) -> None:
    """Re-attribute event ``seq`` and re-hash it and every later one without the key, moving the head along."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                event.actor_name = actor_name
            new_hash = plain_hash(event, prev)
            cursor.execute(
                "UPDATE audit_auditevent SET actor_name = %s, prev_hash = %s, hash = %s, scheme = %s WHERE seq = %s",
                [event.actor_name, prev, new_hash, scheme or event.scheme, event.seq],
            )
            prev = new_hash
    AuditChainHead.objects.filter(id=1).update(last_hash=prev)


def test_a_reattributed_event_rehashed_without_the_key_is_detected(cast, guard_off):
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None and last.seq > 6
    rewrite_from(4, actor_name="Someone Else")
    problems = list(verify_chain())
    assert [p.seq for p in problems][:1] == [4]
    assert "altered" in problems[0].problem
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit_chain")


def test_rewriting_keyed_events_as_unkeyed_ones_is_detected(cast, guard_off):
    # Marking the rewritten events as the old, unkeyed scheme makes their plain hashes "right", but a keyed event
    # never comes before an unkeyed one.
    rewrite_from(4, actor_name="Someone Else", scheme=HashScheme.SHA256)
    problems = list(verify_chain())
    assert problems and problems[0].seq == 4
    assert "without the key" in problems[0].problem


def test_cutting_off_the_newest_events_and_moving_the_head_back_is_detected_by_a_checkpoint(cast, guard_off, capsys):
    call_command("audit_checkpoint")
    events = list(AuditEvent.objects.order_by("seq"))
    kept = events[-4]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_truncate")
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [kept.seq])
    AuditChainHead.objects.filter(id=1).update(last_seq=kept.seq, last_hash=kept.hash)

    assert list(verify_chain()) == []  # the shortened chain holds together on its own
    breaks = verify_checkpoints().breaks
    assert [b.seq for b in breaks] == [events[-1].seq]
    assert "newest events were removed" in breaks[0].problem
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit_chain")
    assert "newest events were removed" in capsys.readouterr().err


def test_a_chain_rehashed_from_before_a_checkpoint_is_detected_by_it(cast, guard_off):
    checkpoint = checkpoint_write()
    rewrite_from(checkpoint.seq - 2, actor_name="Someone Else", scheme=HashScheme.SHA256)
    assert any("re-hashed" in b.problem for b in verify_checkpoints().breaks)


def test_checkpoints_round_trip_through_the_file_and_are_printed(cast, capsys, checkpoint_dir):
    first = checkpoint_write()
    audit_record(
        actor=system_actor(), action="audit.test", organisation_id=None, changes={}, object_type="t", object_id="1"
    )
    second = checkpoint_write()
    assert second.seq == first.seq + 1
    lines = (checkpoint_dir / FILE_NAME).read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [first.seq, second.seq]
    report = verify_checkpoints()
    assert report.breaks == []
    assert report.checkpoints == [first, second]
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert f"event #{second.seq} {second.hash}" in out
    assert "2 checkpoint(s) compared" in out


def test_a_forged_or_altered_checkpoint_is_reported(cast, checkpoint_dir):
    checkpoint_write()
    path = checkpoint_dir / FILE_NAME
    forged = json.loads(path.read_text())
    forged["seq"] += 1000  # e.g. to make the real log look cut off
    with path.open("a") as file:
        file.write(json.dumps(forged) + "\n")
        file.write("not json\n")
    problems = [b.problem for b in verify_checkpoints().breaks]
    assert len(problems) == 2
    assert "not signed with the audit key" in problems[0]
    assert "unreadable" in problems[1]


def test_a_batch_chains_its_events_only_when_it_ends(cast):
    before = AuditChainHead.objects.get(id=1).last_seq
    with transaction.atomic(), audit_batch():
        for n in range(3):
            audit_record(
                actor=system_actor(), action="audit.batch", organisation_id=None, changes={"n": n}, object_type="t"
            )
        assert AuditChainHead.objects.get(id=1).last_seq == before  # the head is not touched meanwhile
    assert list(AuditEvent.objects.filter(action="audit.batch").values_list("seq", flat=True)) == [
        before + 1,
        before + 2,
        before + 3,
    ]
    assert list(verify_chain()) == []


def test_production_refuses_a_missing_or_short_audit_key(monkeypatch):
    monkeypatch.delenv("QUALIFY_AUDIT_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="QUALIFY_AUDIT_KEY"):
        env.secret("QUALIFY_AUDIT_KEY", min_length=32)
    monkeypatch.setenv("QUALIFY_AUDIT_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        env.secret("QUALIFY_AUDIT_KEY", min_length=32)
    monkeypatch.setenv("QUALIFY_AUDIT_KEY", hashlib.sha256(b"x").hexdigest())
    assert len(env.secret("QUALIFY_AUDIT_KEY", min_length=32)) == 64
