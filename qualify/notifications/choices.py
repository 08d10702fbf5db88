"""Notification kinds are strings owned by the apps that send them; this module only keeps their labels.

Notifications sit below every domain app (they may import only ``qualify.core``), so a domain app registers the kinds
it sends, with the label the preferences page shows, from its ``AppConfig.ready()``.
"""

from __future__ import annotations

import re

_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

KINDS: dict[str, str] = {}


def register_kind(kind: str, label: str) -> str:
    """Name a kind of notice (``app.event``, e.g. ``library.consultation_opened``) so people can choose its e-mails."""
    if not _KIND.match(kind):
        raise ValueError(f"A notification kind looks like 'app.event', not {kind!r}.")
    KINDS[kind] = label
    return kind


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)
