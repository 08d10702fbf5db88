"""The required test set: which catalogue cases a participant must run, and why each one is in or out.

A pure function over plain data (no database, no clock), so the same answer comes from a page, the API, a test, or
the scoping step that will freeze it (DOMAIN.md §3, §10a). Every catalogue case gets exactly one verdict, decided by
the first rule that applies, in this order:

1. **role** — the case is written for other market roles;
2. **route** — a SIT-route participant's SIT exit evidence stands in for QT, so it runs no catalogue case; a case
   may also be limited to the QT or the new-entrant route;
3. **exemption** — a recorded exemption takes segments out of scope (``choices.EXEMPTED_SEGMENTS``: the smart-segment
   exemption removes a case whose every segment is smart);
4. **optional function** — the participant said at pre-qualification that it does not seek the function the case
   tests (e.g. a Supplier not qualifying for unmetered points);
5. **reliance** — an accepted or partly accepted Placing Reliance decision covers the case (by its id, or by every one
   of its requirement references), unless a **minimum set** keeps it: a "no reliance" case is run whatever was
   accepted; a "partial reliance" case is run unless the reliance covering it was accepted in full (our reading of
   the published minimum sets, see docs/qt-catalogue-format.md);
6. otherwise the case is **in scope** for the role and route.

The set's SHA-256 is taken over a canonical JSON of the catalogue version and the sorted ids of the cases that are
in, so it does not depend on the order of the inputs or of the catalogue's rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from qualify.participants.choices import MarketRole, Route
from qualify.testing.choices import EXEMPTED_SEGMENTS, MinimumSet, RelianceOutcome, ScopeReason


@dataclass(frozen=True)
class CaseRule:
    """What the computation needs to know about one catalogue case."""

    case_id: str
    roles: frozenset[str]
    segments: frozenset[str]
    routes: frozenset[str]
    requirements: frozenset[str] = frozenset()
    minimum_sets: frozenset[str] = frozenset()
    optional_function: str = ""


@dataclass(frozen=True)
class RelianceDecision:
    """A Code Body decision on a Placing Reliance proposal, as plain data (the proposal records come later).

    ``covers`` holds the test case ids and requirement references the decision accepts reliance for; for a partly
    accepted proposal, only the part that was accepted.
    """

    reference: str
    outcome: str
    relied_on: str
    covers: frozenset[str] = frozenset()

    def covers_case(self, case: CaseRule) -> bool:
        if self.outcome == RelianceOutcome.REFUSED:
            return False
        if case.case_id in self.covers:
            return True
        return bool(case.requirements) and case.requirements <= self.covers


@dataclass(frozen=True)
class ScopeInput:
    """Everything that decides a participant's required set."""

    role: str
    route: str
    exemptions: frozenset[str] = frozenset()
    optional_functions_not_sought: frozenset[str] = frozenset()
    reliance: tuple[RelianceDecision, ...] = ()


@dataclass(frozen=True)
class Verdict:
    case_id: str
    included: bool
    reason: str
    explanation: str
    minimum_sets: tuple[str, ...] = ()

    @property
    def runs_first(self) -> bool:
        """Minimum-set cases run before any other test (DOMAIN.md §10a)."""
        return self.included and bool(self.minimum_sets)


@dataclass(frozen=True)
class RequiredSet:
    catalogue: str
    verdicts: tuple[Verdict, ...]
    sha256: str
    required: tuple[str, ...] = field(default=())

    def verdict(self, case_id: str) -> Verdict:
        return next(v for v in self.verdicts if v.case_id == case_id)


def _label(value: str, choices: type[MarketRole] | type[Route]) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _names(values: Iterable[str]) -> str:
    return ", ".join(_label(v, MarketRole) for v in sorted(values))


def set_sha256(catalogue: str, required: Iterable[str]) -> str:
    """The hash that will be frozen at scoping: the catalogue version and the sorted ids of the cases that are in."""
    canonical = json.dumps(
        {"catalogue": catalogue, "required": sorted(required)}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _verdict(case: CaseRule, given: ScopeInput) -> Verdict:
    sets = tuple(s for s in MinimumSet.values if s in case.minimum_sets)

    def out(reason: str, explanation: str) -> Verdict:
        return Verdict(case.case_id, False, reason, explanation, sets)

    def keep(reason: str, explanation: str) -> Verdict:
        return Verdict(case.case_id, True, reason, explanation, sets)

    role = _label(given.role, MarketRole)
    if given.role not in case.roles:
        return out(ScopeReason.ROLE, f"Out: written for {_names(case.roles)}, not for {role}.")
    if given.route == Route.SIT:
        return out(ScopeReason.ROUTE, "Out: on the SIT route, SIT exit evidence stands in for Qualification Testing.")
    if given.route not in case.routes:
        routes = " and ".join(_label(r, Route) for r in sorted(case.routes))
        return out(ScopeReason.ROUTE, f"Out: run only on the {routes} route, not the {_label(given.route, Route)}.")
    for kind in sorted(given.exemptions):
        exempted = EXEMPTED_SEGMENTS.get(kind, frozenset())
        if exempted and case.segments <= exempted:
            segments = ", ".join(sorted(s.lower() for s in case.segments))
            return out(ScopeReason.EXEMPTION, f"Out: the {kind} exemption removes {segments}-segment cases.")
    if case.optional_function and case.optional_function in given.optional_functions_not_sought:
        return out(
            ScopeReason.OPTIONAL_FUNCTION,
            f"Out: tests {case.optional_function}, an optional function the participant does not seek.",
        )
    covering = [d for d in given.reliance if d.covers_case(case)]
    if covering:
        full = [d for d in covering if d.outcome == RelianceOutcome.ACCEPTED]
        chosen = (full or covering)[0]
        relied = f"{chosen.reference} (reliance on {chosen.relied_on}, {chosen.outcome.replace('_', ' ').lower()})"
        if MinimumSet.NO_RELIANCE in case.minimum_sets:
            return keep(
                ScopeReason.MINIMUM_SET,
                f"In: in the no-reliance minimum set, which reliance cannot remove; {relied} covers it.",
            )
        if MinimumSet.PARTIAL_RELIANCE in case.minimum_sets and not full:
            return keep(
                ScopeReason.MINIMUM_SET,
                f"In: in the partial-reliance minimum set, and the reliance covering it is only partly accepted: "
                f"{relied}.",
            )
        return out(ScopeReason.RELIANCE, f"Out: covered by {relied}.")
    return keep(ScopeReason.IN_SCOPE, f"In: written for {role} on the {_label(given.route, Route)} route.")


def required_set(catalogue: str, cases: Sequence[CaseRule], given: ScopeInput) -> RequiredSet:
    """Every catalogue case with its verdict, the ids of the cases that are in, and the set's SHA-256."""
    verdicts = tuple(_verdict(case, given) for case in cases)
    required = tuple(v.case_id for v in verdicts if v.included)
    return RequiredSet(
        catalogue=catalogue, verdicts=verdicts, sha256=set_sha256(catalogue, required), required=required
    )
