"""User-supplied and foreign text made safe to store, log or show: one definition the apps share.

Text from a person, a file or an exception can carry NUL bytes (which PostgreSQL refuses in a text column), other
control characters (which break logs and terminals) and any length. ``clean_text`` keeps what a person could have
typed — letters, punctuation, spaces and, where the field is multi-line, line breaks and tabs — trims it and bounds
it; ``one_line`` also collapses every run of whitespace to one space, for names, titles and error messages.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def _kept(ch: str, *, multiline: bool) -> bool:
    if multiline and ch in "\n\t":
        return True
    return not unicodedata.category(ch).startswith("C")


def clean_text(value: object, *, limit: int, multiline: bool = True, mark_cut: bool = False) -> str:
    """``value`` as text without control characters (line breaks and tabs kept if ``multiline``), trimmed, at most
    ``limit`` characters; with ``mark_cut`` a text that had to be cut ends in an ellipsis (within the limit)."""
    text = "" if value is None else str(value)
    kept = "".join(ch for ch in text if _kept(ch, multiline=multiline))
    if multiline:
        kept = kept.replace("\r\n", "\n")
    kept = kept.strip()
    if len(kept) <= limit:
        return kept
    if mark_cut and limit > 0:
        return kept[: limit - 1].rstrip() + ELLIPSIS
    return kept[:limit]


def one_line(value: object, *, limit: int, mark_cut: bool = False) -> str:
    """``value`` on one line: control characters dropped, whitespace collapsed, at most ``limit`` characters."""
    collapsed = " ".join(clean_text(value, limit=max(limit * 4, limit), multiline=True).split())
    return clean_text(collapsed, limit=limit, multiline=False, mark_cut=mark_cut)


def error_text(error: BaseException, *, limit: int = 2000) -> str:
    """An exception as a person may read it and a database may store it: its type when it has no message."""
    message = one_line(str(error), limit=limit, mark_cut=True)
    return message or type(error).__name__
