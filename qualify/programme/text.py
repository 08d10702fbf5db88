"""User-supplied text as the Programme's services store it."""

from __future__ import annotations


def bounded(text: object, limit: int) -> str:
    """Control characters (NUL included) removed, trimmed, at most ``limit`` characters."""
    cleaned = "".join(ch for ch in str(text or "") if ch in "\n\t" or ch.isprintable())
    return cleaned.strip()[:limit]
