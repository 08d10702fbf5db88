"""Set-up for DIP validation tests: the small specification written for them, and messages built in memory."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from qualify.core.actor import Actor
from qualify.dip.models import Specification
from qualify.dip.services import specification_upload
from qualify.dip.validation import Upload

SPEC = Path(__file__).resolve().parent / "data" / "meter-readings.yaml"

GOOD_BATCH: dict[str, Any] = {
    "batchId": "3f1c8a9e-2b4d-4c6e-8f00-1234567890ab",
    "sentAt": "2026-11-30T10:00:00Z",
    "items": [{"mpan": "1234567890123", "mpid": "ABCD", "value": 1.5, "quality": "ACTUAL"}],
}
BAD_BATCH: dict[str, Any] = {
    "batchId": "3f1c8a9e-2b4d-4c6e-8f00-1234567890ab",
    "sentAt": "2026-11-30T10:00:00Z",
    "items": [
        {"mpan": "1234567890123", "mpid": "ABCD", "value": 1, "quality": "ACTUAL"},
        {"mpan": "1234567890123", "mpid": "ABCD", "value": 2, "quality": "GUESSED"},
        {"mpan": "1234567890123", "mpid": "abcd", "value": 3, "quality": "ACTUAL"},
    ],
}
REGISTRATION: dict[str, Any] = {"mpan": "1234567890123", "role": "MEM", "effectiveFrom": "2026-12-01", "note": None}


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()


def upload(name: str, raw: bytes) -> Upload:
    return Upload(name=name, stream=io.BytesIO(raw), size=len(raw))


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, raw in members.items():
            archive.writestr(name, raw)
    return out.getvalue()


def upload_spec(actor: Actor, organisation_id: int | None, raw: bytes | None = None) -> Specification:
    data = SPEC.read_bytes() if raw is None else raw
    return specification_upload(
        actor=actor,
        organisation_id=organisation_id,
        stream=io.BytesIO(data),
        name="meter-readings.yaml",
        size=len(data),
    )
