"""Signed checkpoints of the audit chain's head, kept outside the database.

The chain proves that no event in it was changed or removed, but not that the newest events are all there: someone
who deletes the last events and moves the head back leaves an intact, shorter chain. A checkpoint records the head
(its ``seq`` and ``hash``) at a moment, signed with the audit key, as one JSON line appended to
``QUALIFY_AUDIT_CHECKPOINT_DIR/audit-checkpoints.jsonl`` (``manage.py audit_checkpoint``, run on a schedule).
Verification compares the database with every checkpoint: the event a checkpoint names must still be there with the
same hash. The file is only ever appended to; it belongs on storage the database's administrators cannot rewrite.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from qualify.audit.models import AuditChainHead, AuditEvent, HashScheme
from qualify.audit.services import GENESIS, ChainBreak, sign

FILE_NAME = "audit-checkpoints.jsonl"
KIND = "qualify.audit.checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # when it was written, ISO 8601 in UTC
    first_keyed_seq: int | None  # the first event hashed with the key, if any yet
    signature: str = ""

    def payload(self) -> bytes:
        fields = {
            "kind": KIND,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "first_keyed_seq": self.first_keyed_seq,
        }
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def signed(self) -> Checkpoint:
        return Checkpoint(self.seq, self.hash, self.at, self.first_keyed_seq, sign(self.payload()))

    def signature_holds(self) -> bool:
        return hmac.compare_digest(sign(self.payload()), self.signature)

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def checkpoint_path() -> Path:
    return Path(settings.QUALIFY_AUDIT_CHECKPOINT_DIR) / FILE_NAME


def checkpoint_write() -> Checkpoint:
    """Sign the chain's head as it is now and append it to the checkpoint file; returns what was written."""
    head = AuditChainHead.objects.filter(id=1).first()
    first_keyed = (
        AuditEvent.objects.filter(scheme__gte=HashScheme.HMAC_SHA256).order_by("seq").values_list("seq", flat=True)
    ).first()
    checkpoint = Checkpoint(
        seq=head.last_seq if head else 0,
        hash=head.last_hash if head else GENESIS,
        at=timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        first_keyed_seq=first_keyed,
    ).signed()
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write of one line in append mode: lines from two runs at once cannot interleave.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (checkpoint.line() + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return checkpoint


@dataclass(frozen=True)
class CheckpointReport:
    checkpoints: list[Checkpoint]
    breaks: list[ChainBreak]


def _read(path: Path) -> Iterator[tuple[int, Checkpoint | None]]:
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
                yield (
                    number,
                    Checkpoint(
                        seq=int(fields["seq"]),
                        hash=str(fields["hash"]),
                        at=str(fields["at"]),
                        first_keyed_seq=None if fields["first_keyed_seq"] is None else int(fields["first_keyed_seq"]),
                        signature=str(fields["signature"]),
                    ),
                )
            except (ValueError, KeyError, TypeError):
                yield number, None


def verify_checkpoints() -> CheckpointReport:
    """Compare the database with every checkpoint in the file: each names an event that must still be there."""
    path = checkpoint_path()
    if not path.exists():
        return CheckpointReport([], [])
    checkpoints: list[Checkpoint] = []
    breaks: list[ChainBreak] = []
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for number, checkpoint in _read(path):
        if checkpoint is None:
            breaks.append(ChainBreak(0, f"checkpoint line {number} is unreadable"))
            continue
        where = f"the checkpoint of {checkpoint.at} (line {number})"
        if not checkpoint.signature_holds():
            breaks.append(ChainBreak(checkpoint.seq, f"{where} is not signed with the audit key (altered or forged)"))
            continue
        checkpoints.append(checkpoint)
        if checkpoint.seq > last:
            breaks.append(
                ChainBreak(
                    checkpoint.seq,
                    f"{where} records the chain up to #{checkpoint.seq}, but the log ends at #{last} "
                    "(the newest events were removed)",
                )
            )
            continue
        if checkpoint.seq:
            found = AuditEvent.objects.filter(seq=checkpoint.seq).values_list("hash", flat=True).first()
            if found is None:
                breaks.append(ChainBreak(checkpoint.seq, f"{where} names an event that is missing"))
            elif found != checkpoint.hash:
                breaks.append(
                    ChainBreak(checkpoint.seq, f"{where} has another hash for this event (the chain was re-hashed)")
                )
    keyed_from = min((c.first_keyed_seq for c in checkpoints if c.first_keyed_seq is not None), default=None)
    if keyed_from is not None:
        unkeyed = AuditEvent.objects.filter(seq__gte=keyed_from, scheme__lt=HashScheme.HMAC_SHA256)
        first_unkeyed = unkeyed.order_by("seq").values_list("seq", flat=True).first()
        if first_unkeyed is not None:
            breaks.append(
                ChainBreak(
                    first_unkeyed, f"a checkpoint says events are keyed from #{keyed_from} on, but this one is not"
                )
            )
    return CheckpointReport(checkpoints, breaks)
