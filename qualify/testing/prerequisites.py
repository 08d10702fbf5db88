"""Which prerequisites apply to a participation (DOMAIN.md §10a "Entering QT", "Leaving QT"; QA&P Annexes 1 to 3).

A pure rule over the participation's role and route, so the gates, the pages and the API agree on one table:

- on a QT route (QT or new entrant): PIT exit evidence, DIP onboarding in the test environment and onboarding to
  the test framework for every role; test data (test MPANs and market data) for Suppliers; a smoke test for LDSOs,
  which they run before any other test case (Annexes 1 and 3);
- on the SIT route: only the SIT exit evidence, which stands in for leaving QT.
"""

from __future__ import annotations

from qualify.participants.choices import MarketRole, Route
from qualify.testing.choices import QT_ROUTES, Prerequisite

P = Prerequisite

# The prerequisites that stand behind leaving testing; every other one stands behind entering it.
EXIT_KINDS = frozenset({P.SIT_EXIT})


def applicable(role: str, route: str) -> tuple[str, ...]:
    """Every prerequisite a participation with this role and route records, in the order they are met."""
    if route == Route.SIT:
        return (P.SIT_EXIT,)
    if route not in QT_ROUTES:
        return ()
    kinds: list[str] = [P.PIT_EXIT, P.DIP_ONBOARDING, P.FRAMEWORK_ONBOARDING]
    if role == MarketRole.SUPPLIER:
        kinds.append(P.TEST_DATA)
    if role == MarketRole.LDSO:
        kinds.append(P.SMOKE_TEST)
    return tuple(kinds)


def for_entry(role: str, route: str) -> tuple[str, ...]:
    """The prerequisites accepted before the case enters testing."""
    return tuple(k for k in applicable(role, route) if k not in EXIT_KINDS)


def for_exit(role: str, route: str) -> tuple[str, ...]:
    """The prerequisites accepted before the case leaves testing."""
    return tuple(k for k in applicable(role, route) if k in EXIT_KINDS)
