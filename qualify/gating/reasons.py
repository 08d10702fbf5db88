"""The stable codes a gating decision is made of (issue 5: market systems and scripts depend on these names).

Plain ``StrEnum`` rather than Django ``TextChoices`` so that the engine and the file readers stay free of Django.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """What the market system should do with the event."""

    ALLOW = "ALLOW"
    BLOCK = "BLOCK"
    # A registration before M14 by a Supplier that is not qualified, of a point already settled under MHHS: it may
    # go ahead, and the point goes back to the legacy arrangements (DOMAIN.md §8).
    ALLOW_REVERSE_MIGRATION = "ALLOW_REVERSE_MIGRATION"


class Reason(StrEnum):
    """Why. A decision lists every reason that applies, sorted and ``;``-joined."""

    INVALID_MPAN = "INVALID_MPAN"
    UNKNOWN_PARTICIPANT = "UNKNOWN_PARTICIPANT"
    BEFORE_MIGRATION_WINDOW = "BEFORE_MIGRATION_WINDOW"
    AFTER_MIGRATION_WINDOW = "AFTER_MIGRATION_WINDOW"
    SUPPLIER_NOT_QUALIFIED = "SUPPLIER_NOT_QUALIFIED"
    LDSO_NOT_QUALIFIED = "LDSO_NOT_QUALIFIED"
    MEM_NOT_QUALIFIED = "MEM_NOT_QUALIFIED"
    DATA_SERVICE_NOT_QUALIFIED = "DATA_SERVICE_NOT_QUALIFIED"
    REVERSE_MIGRATION = "REVERSE_MIGRATION"


REASON_SEPARATOR = ";"


def join_reasons(reasons: set[Reason] | frozenset[Reason]) -> str:
    """The wire form of a set of reasons: sorted by code, ``;``-joined, empty when there is none."""
    return REASON_SEPARATOR.join(sorted(str(r) for r in reasons))


def outcome_for(reasons: set[Reason] | frozenset[Reason]) -> Outcome:
    """BLOCK if any reason blocks; else ALLOW_REVERSE_MIGRATION if the point reverse-migrates; else ALLOW.

    Every reason blocks except in a reverse migration, where SUPPLIER_NOT_QUALIFIED is the cause of the reverse
    migration rather than a refusal (the rules only ever raise REVERSE_MIGRATION together with it).
    """
    if Reason.REVERSE_MIGRATION in reasons:
        blocking = reasons - {Reason.REVERSE_MIGRATION, Reason.SUPPLIER_NOT_QUALIFIED}
        return Outcome.BLOCK if blocking else Outcome.ALLOW_REVERSE_MIGRATION
    return Outcome.BLOCK if reasons else Outcome.ALLOW
