"""Signing deliveries the way the Standard Webhooks convention does, so subscribers can use its libraries.

Each delivery carries three headers: ``webhook-id`` (the event's id, the same on every attempt and re-send, so a
receiver can drop duplicates), ``webhook-timestamp`` (seconds since the epoch, when the attempt was signed, so a
receiver can refuse old replays) and ``webhook-signature``: ``v1,`` then the base64 HMAC-SHA256, keyed with the
subscription's secret, of ``<id>.<timestamp>.<body>``. A secret is ``whsec_`` followed by base64 of 24 random bytes;
the key is those bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, *, event_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value for one attempt."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secret: str, *, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, event_id=event_id, timestamp=timestamp, body=body),
    }
