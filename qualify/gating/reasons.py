"""The stable codes a gating decision is made of (issue 5: market systems and scripts depend on these names).

Plain ``StrEnum`` rather than Django ``TextChoices`` so that the engine and the file readers stay free of Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Outcome(StrEnum):
    """What the market system should do with the event."""

    ALLOW = "ALLOW"
    BLOCK = "BLOCK"
    # A registration before M14 by a Supplier that is not qualified, of a point already settled under MHHS: it may
    # go ahead, and the point goes back to the legacy arrangements (DOMAIN.md §8).
    ALLOW_REVERSE_MIGRATION = "ALLOW_REVERSE_MIGRATION"


class Reason(StrEnum):
    """Why. A decision lists every reason that applies, sorted and ``;``-joined.

    ``UNKNOWN_PARTICIPANT`` is information, never a refusal: it says that an MPID named on the event holds no
    participation at all, and it always comes with the ``*_NOT_QUALIFIED`` reason of the role the MPID was named
    for, which is what blocks (DOMAIN.md §8: a participant absent from the register is simply not qualified).
    """

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


# Reasons that inform and never block on their own.
INFORMATION: frozenset[Reason] = frozenset({Reason.UNKNOWN_PARTICIPANT})


def outcome_for(reasons: set[Reason] | frozenset[Reason]) -> Outcome:
    """BLOCK if any reason blocks; else ALLOW_REVERSE_MIGRATION if the point reverse-migrates; else ALLOW.

    Every reason blocks except UNKNOWN_PARTICIPANT (information) and, in a reverse migration,
    SUPPLIER_NOT_QUALIFIED, which is the cause of the reverse migration rather than a refusal (the rules only ever
    raise REVERSE_MIGRATION together with it).
    """
    blocking = reasons - INFORMATION
    if Reason.REVERSE_MIGRATION in reasons:
        blocking = blocking - {Reason.REVERSE_MIGRATION, Reason.SUPPLIER_NOT_QUALIFIED}
        return Outcome.BLOCK if blocking else Outcome.ALLOW_REVERSE_MIGRATION
    return Outcome.BLOCK if blocking else Outcome.ALLOW


# The details that say why a participant is not qualified when the reason code alone cannot: it is named by no MPID,
# holds no participation at all, or holds other roles than the one the event needs. Templates for ``str.format``
# (the reference) and ``polars.format`` (the engine), so both spell them the same.
DETAIL_NO_SUPPLIER = "no Supplier named"
DETAIL_NOT_ON_REGISTER = "{} is not on the register"
DETAIL_NO_LDSO = "no LDSO on the register holds distributor id {}"


def detail_other_roles(mpid: str, role: str, held: Iterable[str]) -> str:
    """The detail for an MPID registered, but not in ``role``: names the role it lacks and the roles it holds."""
    return f"{mpid} is not registered as {role} (it is registered as {', '.join(held)})"


# Each code in words, for the pages (the codes stay the API's and the result file's).
EXPLANATIONS: dict[str, str] = {
    Outcome.ALLOW: "The event may go ahead.",
    Outcome.BLOCK: "The event must not go ahead; its reasons say why.",
    Outcome.ALLOW_REVERSE_MIGRATION: "The registration may go ahead and the point returns to the legacy arrangements.",
    Reason.INVALID_MPAN: "The MPAN is not a well-formed 13-digit MPAN core.",
    Reason.UNKNOWN_PARTICIPANT: "An MPID on the event holds no participation at all (information; the role's own "
    "reason blocks).",
    Reason.BEFORE_MIGRATION_WINDOW: "The date is before the segment's migration window opens.",
    Reason.AFTER_MIGRATION_WINDOW: "The date is after the segment's migration window closes.",
    Reason.SUPPLIER_NOT_QUALIFIED: "The Supplier is not qualified and operational on the date.",
    Reason.LDSO_NOT_QUALIFIED: "The point's distributor (LDSO) is not qualified and operational on the date.",
    Reason.MEM_NOT_QUALIFIED: "The Metering Equipment Manager is not qualified and operational on the date.",
    Reason.DATA_SERVICE_NOT_QUALIFIED: "The data service is not qualified and operational for the segment's role on "
    "the date.",
    Reason.REVERSE_MIGRATION: "A registration by an unqualified Supplier of a point settled under MHHS before M14: "
    "the point goes back to the legacy arrangements.",
}


def explain(code: str) -> str:
    """A code's explanation, or the empty text for a code this table does not know."""
    return EXPLANATIONS.get(code, "")
