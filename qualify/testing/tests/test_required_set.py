"""The required test set: for every catalogue case, in or out and why (role, route, exemption, optional function,
reliance, minimum set), with a stable hash — table-driven over role, route, reliance, exemption and function."""

from __future__ import annotations

import hashlib
import itertools
import json
import random

import pytest

from qualify.participants.choices import MarketRole, Route
from qualify.testing.scope import CaseRule, RelianceDecision, ScopeInput, required_set, set_sha256
from qualify.testing.selectors import case_rules
from qualify.testing.tests.helpers import load

ALL_ROLES = frozenset(MarketRole.values)
BOTH = frozenset({"QT", "NEW_ENTRANT"})


def rule(case_id, roles, segments, *, routes=BOTH, requirements=(), minimum=(), function=""):  # type: ignore[no-untyped-def]
    return CaseRule(
        case_id=case_id,
        roles=frozenset(roles),
        segments=frozenset(segments),
        routes=frozenset(routes),
        requirements=frozenset(requirements),
        minimum_sets=frozenset(minimum),
        optional_function=function,
    )


CATALOGUE = [
    rule("QT-001", ["SUPPLIER"], ["SMART"], requirements=["R-1"], minimum=["NO_RELIANCE", "PARTIAL_RELIANCE"]),
    rule("QT-002", ["SUPPLIER"], ["ADVANCED"], requirements=["R-2"], minimum=["PARTIAL_RELIANCE"]),
    rule("QT-003", ["SUPPLIER"], ["UMS"], requirements=["R-3"], function="UMS_SUPPLY"),
    rule("QT-004", ["SUPPLIER"], ["SMART", "ADVANCED"], requirements=["R-4", "R-5"]),
    rule("QT-005", ["SUPPLIER"], ["SMART"], requirements=["R-6"]),
    rule("QT-020", ["LDSO"], ["SMART", "ADVANCED", "UMS"], requirements=["R-20"]),
    rule("QT-021", ["LDSO"], ["SMART", "ADVANCED", "UMS"], routes=["NEW_ENTRANT"], requirements=["R-21"]),
    rule("QT-120", ALL_ROLES, ["SMART", "ADVANCED", "UMS"], requirements=["R-99"], minimum=["NO_RELIANCE"]),
]
IDS = [c.case_id for c in CATALOGUE]

NONE: tuple[RelianceDecision, ...] = ()
FULL = (RelianceDecision("RP-1", "ACCEPTED", "Acme Billing", frozenset(IDS)),)
PARTLY = (RelianceDecision("RP-2", "PARTLY_ACCEPTED", "Acme Billing", frozenset(IDS)),)
REFUSED = (RelianceDecision("RP-3", "REFUSED", "Acme Billing", frozenset(IDS)),)
BY_REQUIREMENT = (RelianceDecision("RP-4", "ACCEPTED", "Group IT", frozenset({"R-4", "R-5", "R-2"})),)
HALF_REQUIREMENTS = (RelianceDecision("RP-5", "ACCEPTED", "Group IT", frozenset({"R-4"})),)

Y, N = True, False
ROLE, ROUTE, EXEMPT, FUNCTION, RELY, MINIMUM, IN = (
    "ROLE",
    "ROUTE",
    "EXEMPTION",
    "OPTIONAL_FUNCTION",
    "RELIANCE",
    "MINIMUM_SET",
    "IN_SCOPE",
)

# (name, role, route, reliance, exemptions, functions not sought, expected: case id -> (in?, reason))
TABLE = [
    (
        "supplier qt plain",
        "SUPPLIER",
        "QT",
        NONE,
        (),
        (),
        {
            "QT-001": (Y, IN),
            "QT-002": (Y, IN),
            "QT-003": (Y, IN),
            "QT-004": (Y, IN),
            "QT-005": (Y, IN),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, IN),
        },
    ),
    (
        "supplier sit runs nothing",
        "SUPPLIER",
        "SIT",
        FULL,
        ("SMART_SEGMENT",),
        ("UMS_SUPPLY",),
        {
            "QT-001": (N, ROUTE),
            "QT-002": (N, ROUTE),
            "QT-003": (N, ROUTE),
            "QT-004": (N, ROUTE),
            "QT-005": (N, ROUTE),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (N, ROUTE),
        },
    ),
    (
        "supplier smart exemption",
        "SUPPLIER",
        "QT",
        NONE,
        ("SMART_SEGMENT",),
        (),
        {
            "QT-001": (N, EXEMPT),
            "QT-002": (Y, IN),
            "QT-003": (Y, IN),
            "QT-004": (Y, IN),
            "QT-005": (N, EXEMPT),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, IN),
        },
    ),
    (
        "other exemption removes nothing",
        "SUPPLIER",
        "QT",
        NONE,
        ("OTHER",),
        (),
        {
            "QT-001": (Y, IN),
            "QT-002": (Y, IN),
            "QT-003": (Y, IN),
            "QT-004": (Y, IN),
            "QT-005": (Y, IN),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, IN),
        },
    ),
    (
        "supplier not seeking unmetered",
        "SUPPLIER",
        "QT",
        NONE,
        (),
        ("UMS_SUPPLY",),
        {
            "QT-001": (Y, IN),
            "QT-002": (Y, IN),
            "QT-003": (N, FUNCTION),
            "QT-004": (Y, IN),
            "QT-005": (Y, IN),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, IN),
        },
    ),
    (
        "full reliance keeps both minimum sets' floor",
        "SUPPLIER",
        "QT",
        FULL,
        (),
        (),
        {
            "QT-001": (Y, MINIMUM),
            "QT-002": (N, RELY),
            "QT-003": (N, RELY),
            "QT-004": (N, RELY),
            "QT-005": (N, RELY),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, MINIMUM),
        },
    ),
    (
        "partial reliance keeps the partial set",
        "SUPPLIER",
        "QT",
        PARTLY,
        (),
        (),
        {
            "QT-001": (Y, MINIMUM),
            "QT-002": (Y, MINIMUM),
            "QT-003": (N, RELY),
            "QT-004": (N, RELY),
            "QT-005": (N, RELY),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, MINIMUM),
        },
    ),
    (
        "refused reliance removes nothing",
        "SUPPLIER",
        "QT",
        REFUSED,
        (),
        (),
        {
            "QT-001": (Y, IN),
            "QT-002": (Y, IN),
            "QT-003": (Y, IN),
            "QT-004": (Y, IN),
            "QT-005": (Y, IN),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, IN),
        },
    ),
    (
        "reliance by requirements covers a case when all its requirements are covered",
        "SUPPLIER",
        "QT",
        BY_REQUIREMENT,
        (),
        (),
        {
            "QT-001": (Y, IN),
            "QT-002": (N, RELY),
            "QT-003": (Y, IN),
            "QT-004": (N, RELY),
            "QT-005": (Y, IN),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, IN),
        },
    ),
    (
        "half the requirements is not cover",
        "SUPPLIER",
        "QT",
        HALF_REQUIREMENTS,
        (),
        (),
        {
            "QT-001": (Y, IN),
            "QT-002": (Y, IN),
            "QT-003": (Y, IN),
            "QT-004": (Y, IN),
            "QT-005": (Y, IN),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, IN),
        },
    ),
    (
        "exemption comes before reliance and functions",
        "SUPPLIER",
        "QT",
        FULL,
        ("SMART_SEGMENT",),
        ("UMS_SUPPLY",),
        {
            "QT-001": (N, EXEMPT),
            "QT-002": (N, RELY),
            "QT-003": (N, FUNCTION),
            "QT-004": (N, RELY),
            "QT-005": (N, EXEMPT),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, MINIMUM),
        },
    ),
    (
        "ldso on annex 1",
        "LDSO",
        "QT",
        NONE,
        (),
        (),
        {
            "QT-001": (N, ROLE),
            "QT-002": (N, ROLE),
            "QT-003": (N, ROLE),
            "QT-004": (N, ROLE),
            "QT-005": (N, ROLE),
            "QT-020": (Y, IN),
            "QT-021": (N, ROUTE),
            "QT-120": (Y, IN),
        },
    ),
    (
        "new-entrant ldso",
        "LDSO",
        "NEW_ENTRANT",
        NONE,
        (),
        (),
        {
            "QT-001": (N, ROLE),
            "QT-002": (N, ROLE),
            "QT-003": (N, ROLE),
            "QT-004": (N, ROLE),
            "QT-005": (N, ROLE),
            "QT-020": (Y, IN),
            "QT-021": (Y, IN),
            "QT-120": (Y, IN),
        },
    ),
    (
        "a function is only ever not sought for its cases",
        "LDSO",
        "NEW_ENTRANT",
        PARTLY,
        (),
        ("UMS_SUPPLY",),
        {
            "QT-001": (N, ROLE),
            "QT-002": (N, ROLE),
            "QT-003": (N, ROLE),
            "QT-004": (N, ROLE),
            "QT-005": (N, ROLE),
            "QT-020": (N, RELY),
            "QT-021": (N, RELY),
            "QT-120": (Y, MINIMUM),
        },
    ),
    (
        "mem",
        "MEM",
        "QT",
        NONE,
        ("SMART_SEGMENT",),
        (),
        {
            "QT-001": (N, ROLE),
            "QT-002": (N, ROLE),
            "QT-003": (N, ROLE),
            "QT-004": (N, ROLE),
            "QT-005": (N, ROLE),
            "QT-020": (N, ROLE),
            "QT-021": (N, ROLE),
            "QT-120": (Y, IN),
        },
    ),
]


@pytest.mark.parametrize(
    ("role", "route", "reliance", "exemptions", "not_sought", "expected"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_every_case_is_in_or_out_for_one_stated_reason(role, route, reliance, exemptions, not_sought, expected):
    given = ScopeInput(
        role=role,
        route=route,
        exemptions=frozenset(exemptions),
        optional_functions_not_sought=frozenset(not_sought),
        reliance=reliance,
    )
    result = required_set("9.9", CATALOGUE, given)
    assert {v.case_id: (v.included, v.reason) for v in result.verdicts} == expected
    assert result.required == tuple(case_id for case_id in IDS if expected[case_id][0])
    assert all(v.explanation.startswith("In: " if v.included else "Out: ") for v in result.verdicts)


def test_explanations_name_the_reason_in_words():
    given = ScopeInput(
        role="SUPPLIER",
        route="QT",
        exemptions=frozenset({"SMART_SEGMENT"}),
        optional_functions_not_sought=frozenset({"UMS_SUPPLY"}),
        reliance=PARTLY,
    )
    result = required_set("9.9", CATALOGUE, given)
    assert result.verdict("QT-001").explanation == "Out: the SMART_SEGMENT exemption removes smart-segment cases."
    assert result.verdict("QT-003").explanation == (
        "Out: tests UMS_SUPPLY, an optional function the participant does not seek."
    )
    assert result.verdict("QT-002").explanation == (
        "In: in the partial-reliance minimum set, and the reliance covering it is only partly accepted: "
        "RP-2 (reliance on Acme Billing, partly accepted)."
    )
    assert result.verdict("QT-004").explanation == "Out: covered by RP-2 (reliance on Acme Billing, partly accepted)."
    assert result.verdict("QT-020").explanation == (
        "Out: written for LDSO (distribution network operator), not for Supplier."
    )
    assert result.verdict("QT-120").runs_first and not result.verdict("QT-004").runs_first
    ldso = required_set("9.9", CATALOGUE, ScopeInput(role="LDSO", route="QT"))
    assert ldso.verdict("QT-021").explanation == (
        "Out: run only on the New entrant route, not the Qualification Testing (non-SIT)."
    )


def test_the_hash_covers_the_catalogue_version_and_the_ids_in_and_nothing_else():
    given = ScopeInput(role="SUPPLIER", route="QT", reliance=FULL)
    result = required_set("9.9", CATALOGUE, given)
    canonical = json.dumps({"catalogue": "9.9", "required": ["QT-001", "QT-120"]}, separators=(",", ":"))
    assert result.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    shuffled = CATALOGUE[:]
    random.Random(7).shuffle(shuffled)
    assert required_set("9.9", shuffled, given).sha256 == result.sha256
    assert required_set("9.10", CATALOGUE, given).sha256 != result.sha256
    # The same set reached another way hashes the same: what is frozen is the set, not how it was reached.
    by_minimum = ScopeInput(role="SUPPLIER", route="QT", reliance=FULL, exemptions=frozenset({"OTHER"}))
    assert required_set("9.9", CATALOGUE, by_minimum).sha256 == result.sha256


RELIANCE_KINDS = {"none": "", "partly": "PARTLY_ACCEPTED", "full": "ACCEPTED"}


@pytest.fixture(scope="module")
def sample_rules(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from conftest import rolled_back

    with rolled_back(django_db_blocker), django_db_blocker.unblock():
        catalogue = load()
        yield catalogue.version, case_rules(catalogue)


@pytest.mark.parametrize("role", MarketRole.values)
@pytest.mark.parametrize("route", Route.values)
def test_the_sample_catalogue_over_every_reliance_exemption_and_function(sample_rules, db, role, route):
    """Role and route here, every reliance, exemption and function inside: rules that hold for each combination."""
    version, rules = sample_rules
    by_id = {r.case_id: r for r in rules}
    everything = frozenset(by_id)
    baseline = required_set(version, rules, ScopeInput(role=role, route=route))
    for reliance, exempt, skip in itertools.product(RELIANCE_KINDS.values(), (False, True), (False, True)):
        decisions = (RelianceDecision("RP-9", reliance, "Provider", everything),) if reliance else ()
        given = ScopeInput(
            role=role,
            route=route,
            exemptions=frozenset({"SMART_SEGMENT"} if exempt else set()),
            optional_functions_not_sought=frozenset({"UMS_SUPPLY", "EXPORT_SUPPLY"} if skip else set()),
            reliance=decisions,
        )
        result = required_set(version, rules, given)
        assert [v.case_id for v in result.verdicts] == [r.case_id for r in rules]
        assert set(result.required) <= set(baseline.required)  # nothing but role and route ever adds a case
        assert result.sha256 == set_sha256(version, result.required)
        for v in result.verdicts:
            case = by_id[v.case_id]
            if role not in case.roles:
                assert (v.included, v.reason) == (False, "ROLE")
            elif route == "SIT" or route not in case.routes:
                assert (v.included, v.reason) == (False, "ROUTE")
            elif exempt and case.segments == {"SMART"}:
                assert (v.included, v.reason) == (False, "EXEMPTION")
            elif skip and case.optional_function:
                assert (v.included, v.reason) == (False, "OPTIONAL_FUNCTION")
            elif "NO_RELIANCE" in case.minimum_sets:
                assert v.included  # no reliance ever removes it
            elif reliance == "PARTLY_ACCEPTED":
                assert v.included == ("PARTIAL_RELIANCE" in case.minimum_sets)
            elif reliance == "ACCEPTED":
                assert (v.included, v.reason) == (False, "RELIANCE")
            else:
                assert (v.included, v.reason) == (True, "IN_SCOPE")
    if route != "SIT":
        assert baseline.required, f"the sample has no case for a {role} on the {route} route"
