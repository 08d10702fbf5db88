"""The shape of a capability check: a pure function returning a Decision with the reason when refused."""

from __future__ import annotations

from dataclasses import dataclass

from qualify.core.errors import NotAllowed


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        """Raise NotAllowed with the reason; services call this, views only read ``allowed``."""
        if not self.allowed:
            raise NotAllowed(self.reason or "You are not allowed to do this.")


ALLOW = Decision(True)


def deny(reason: str) -> Decision:
    return Decision(False, reason)
