"""Set-up for case tests, through the services as the Programme would do it."""

from __future__ import annotations

from qualify.cases.services import case_open
from qualify.core.actor import system_actor
from qualify.participants.choices import MarketRole
from qualify.participants.services import organisation_create, participation_create


def more_cases(n: int, *, start: int = 0) -> None:
    """``n`` organisations named "Extra Energy 000"... with one case each: every third a MEM, the rest suppliers
    (MPIDs X000 to X999, so ``start + n`` stays within 1,000)."""
    system = system_actor("case tests")
    for i in range(start, start + n):
        org = organisation_create(actor=system, name=f"Extra Energy {i:03d}")
        role = MarketRole.MEM if i % 3 == 0 else MarketRole.SUPPLIER
        participation = participation_create(actor=system, organisation=org, mpid=f"X{i:03d}", role=role)
        case_open(actor=system, participation=participation)
