"""Parsing public identifiers from URLs and payloads."""

from __future__ import annotations

import uuid


def parse_uuid(value: object) -> uuid.UUID | None:
    """A UUID, or None for anything that is not one (so a bad id is 'not found', never a server error)."""
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None
