"""Shared test helpers of the Programme app."""

from __future__ import annotations

import re

from django.core import mail

LINK = re.compile(r"https?://\S+/programme/join/\S+/|/programme/join/\S+/")


def invitation_link(to: str) -> str:
    """The path of the last invitation link e-mailed to ``to`` (as the invitee would open it)."""
    for message in reversed(mail.outbox):
        if to in message.to:
            found = LINK.search(str(message.body))
            assert found, message.body
            link = found.group(0)
            return link[link.index("/programme/") :]
    raise AssertionError(f"no invitation e-mailed to {to}")
