"""The gating rules, one table row per rule and per boundary (issue 5; DOMAIN.md §8).

Every row runs through both the vectorised engine and the plain reference implementation. The dates of the small
market in ``world`` are chosen so each boundary is tested the day before, on, and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from qualify.gating.choices import Role
from qualify.gating.context import MilestoneFact, calendar_from_milestones, register_table
from qualify.gating.engine import GatingContext
from qualify.gating.reasons import Outcome, Reason, outcome_for
from qualify.gating.reference import GateEvent, mpan_is_valid
from qualify.gating.tests.world import (
    CALENDAR,
    HISTORIES,
    LDSO_BY_DISTRIBUTOR,
    M11,
    M12,
    M14,
    M15,
    MPAN_LDSA,
    MPAN_LDSB,
    MPAN_NO_LDSO,
    D,
    context,
    decide_in_full_with_engine,
    decide_in_full_with_reference,
    decide_with_engine,
    decide_with_reference,
    event,
    with_check_digit,
    with_wrong_check_digit,
)
from qualify.register.rules import EventFact

ALLOW, BLOCK, REVERSE = Outcome.ALLOW, Outcome.BLOCK, Outcome.ALLOW_REVERSE_MIGRATION
DAY = dt.timedelta(days=1)
OPEN = D(2026, 3, 2)  # a day inside every window, before M14, when the fixed cast is settled
AFTER_M14 = D(2026, 11, 2)


def migrate(date: dt.date, supplier: str | None = "SUPA", **fields: object) -> GateEvent:
    return event("MIGRATE", date, supplier=supplier, **fields)  # type: ignore[arg-type]


def register(date: dt.date, supplier: str | None, settlement: str, **fields: object) -> GateEvent:
    return event("REGISTER", date, supplier=supplier, settlement=settlement, **fields)  # type: ignore[arg-type]


def appoint(date: dt.date, settlement: str, **fields: object) -> GateEvent:
    return event("APPOINT", date, settlement=settlement, **fields)  # type: ignore[arg-type]


# (id, event, outcome, reasons)
CASES: list[tuple[str, GateEvent, Outcome, str]] = [
    # --- MIGRATE: the window opens on the segment's MIGRATION_START ---
    ("smart_day_before_m12", migrate(M12 - DAY), BLOCK, "BEFORE_MIGRATION_WINDOW"),
    ("smart_on_m12", migrate(M12), ALLOW, ""),
    ("smart_day_after_m12", migrate(M12 + DAY), ALLOW, ""),
    ("advanced_day_before_m11", migrate(M11 - DAY, segment="ADVANCED"), BLOCK, "BEFORE_MIGRATION_WINDOW"),
    ("advanced_on_m11", migrate(M11, segment="ADVANCED"), ALLOW, ""),
    ("advanced_day_after_m11", migrate(M11 + DAY, segment="ADVANCED"), ALLOW, ""),
    ("ums_on_m11", migrate(M11, segment="UMS"), ALLOW, ""),
    ("smart_on_m11_is_still_closed", migrate(M11), BLOCK, "BEFORE_MIGRATION_WINDOW"),
    # --- MIGRATE: the window closes after MIGRATION_END (inclusive) ---
    ("day_before_migration_end", migrate(M15 - DAY), ALLOW, ""),
    ("on_migration_end", migrate(M15), ALLOW, ""),
    ("day_after_migration_end", migrate(M15 + DAY), BLOCK, "AFTER_MIGRATION_WINDOW"),
    # --- MIGRATE: the Supplier must be operational: qualified, then activated ---
    ("supplier_day_before_qualified", migrate(D(2025, 10, 31), "SUPQ"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("supplier_qualified_not_activated", migrate(D(2025, 11, 1), "SUPQ"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("supplier_day_before_activation", migrate(D(2025, 11, 9), "SUPQ"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("supplier_on_activation", migrate(D(2025, 11, 10), "SUPQ"), ALLOW, ""),
    ("supplier_day_after_activation", migrate(D(2025, 11, 11), "SUPQ"), ALLOW, ""),
    ("supplier_never_qualified", migrate(OPEN, "SUPX"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    # --- suspension and reinstatement ---
    ("day_before_suspension", migrate(D(2026, 1, 9), "SUPS"), ALLOW, ""),
    ("on_suspension", migrate(D(2026, 1, 10), "SUPS"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("day_after_suspension", migrate(D(2026, 1, 11), "SUPS"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("day_before_reinstatement", migrate(D(2026, 2, 9), "SUPS"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("on_reinstatement", migrate(D(2026, 2, 10), "SUPS"), ALLOW, ""),
    ("day_after_reinstatement", migrate(D(2026, 2, 11), "SUPS"), ALLOW, ""),
    # --- revocation ---
    ("day_before_revocation", migrate(D(2026, 5, 31), "SUPR"), ALLOW, ""),
    ("on_revocation", migrate(D(2026, 6, 1), "SUPR"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("day_after_revocation", migrate(D(2026, 6, 2), "SUPR"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("requalified_without_new_activation", migrate(D(2025, 12, 9), "SUPN"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("requalified_and_activated_again", migrate(D(2025, 12, 10), "SUPN"), ALLOW, ""),
    ("same_day_revocation_outranks_qualification", migrate(OPEN, "SUPD"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    # --- MIGRATE: the LDSO of the MPAN's distributor id ---
    ("ldso_not_operational", migrate(OPEN, mpan=MPAN_LDSB), BLOCK, "LDSO_NOT_QUALIFIED"),
    ("no_ldso_holds_the_distributor_id", migrate(OPEN, mpan=MPAN_NO_LDSO), BLOCK, "LDSO_NOT_QUALIFIED"),
    # --- MIGRATE: a named MEM or data service ---
    ("named_mem_operational", migrate(OPEN, mem="MEMA"), ALLOW, ""),
    ("named_mem_not_operational", migrate(OPEN, mem="MEMX"), BLOCK, "MEM_NOT_QUALIFIED"),
    ("named_mem_unknown", migrate(OPEN, mem="ZZZZ"), BLOCK, "MEM_NOT_QUALIFIED;UNKNOWN_PARTICIPANT"),
    ("named_mem_registered_only_as_an_ldso", migrate(OPEN, mem="LDSA"), BLOCK, "MEM_NOT_QUALIFIED"),
    ("mem_role_is_per_mpid_and_role", migrate(D(2025, 12, 31), mem="SUPA"), BLOCK, "MEM_NOT_QUALIFIED"),
    ("mem_role_operational_from_its_date", migrate(D(2026, 1, 1), mem="SUPA"), ALLOW, ""),
    ("smart_data_service_operational", migrate(OPEN, data_service="DSA1"), ALLOW, ""),
    (
        "data_service_lacks_the_segments_role",
        migrate(OPEN, segment="ADVANCED", data_service="DSA1"),
        BLOCK,
        "DATA_SERVICE_NOT_QUALIFIED",
    ),
    ("advanced_data_service_operational", migrate(OPEN, segment="ADVANCED", data_service="DSB1"), ALLOW, ""),
    (
        "ums_data_service_not_operational",
        migrate(OPEN, segment="UMS", data_service="DSU1"),
        BLOCK,
        "DATA_SERVICE_NOT_QUALIFIED",
    ),
    ("empty_supplier_is_not_qualified", migrate(OPEN, ""), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("missing_supplier_is_not_qualified", migrate(OPEN, None), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("unknown_supplier", migrate(OPEN, "NOPE"), BLOCK, "SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT"),
    ("supplier_mpid_in_another_role_is_not_qualified", migrate(OPEN, "LDSA"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    (
        "every_reason_is_listed_sorted",
        migrate(M12 - DAY, "SUPX", mpan=MPAN_LDSB, mem="MEMX", data_service="ZZZZ"),
        BLOCK,
        "BEFORE_MIGRATION_WINDOW;DATA_SERVICE_NOT_QUALIFIED;LDSO_NOT_QUALIFIED;MEM_NOT_QUALIFIED;"
        "SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT",
    ),
    ("migrate_settlement_does_not_matter", migrate(OPEN, settlement="MHHS"), ALLOW, ""),
    # --- INVALID_MPAN, on every kind; the LDSO is not looked up ---
    ("mpan_wrong_check_digit", migrate(OPEN, mpan=with_wrong_check_digit(MPAN_LDSA)), BLOCK, "INVALID_MPAN"),
    ("mpan_twelve_digits", migrate(OPEN, mpan=MPAN_LDSA[:12]), BLOCK, "INVALID_MPAN"),
    ("mpan_fourteen_digits", migrate(OPEN, mpan=MPAN_LDSA + "0"), BLOCK, "INVALID_MPAN"),
    ("mpan_letters", migrate(OPEN, mpan="10000000000A1"), BLOCK, "INVALID_MPAN"),
    ("mpan_signed", migrate(OPEN, mpan="+" + MPAN_LDSA[1:]), BLOCK, "INVALID_MPAN"),
    ("mpan_spaces", migrate(OPEN, mpan=" " + MPAN_LDSA[1:]), BLOCK, "INVALID_MPAN"),
    ("mpan_missing", migrate(OPEN, mpan=None), BLOCK, "INVALID_MPAN"),
    (
        "invalid_mpan_skips_the_ldso",
        migrate(OPEN, mpan=with_wrong_check_digit(MPAN_NO_LDSO)),
        BLOCK,
        "INVALID_MPAN",
    ),
    ("invalid_mpan_on_legacy_appoint", appoint(OPEN, "LEGACY", mpan="123"), BLOCK, "INVALID_MPAN"),
    ("invalid_mpan_on_legacy_register", register(OPEN, "SUPA", "LEGACY", mpan="123"), BLOCK, "INVALID_MPAN"),
    # --- APPOINT: a LEGACY point is not gated; an MHHS point needs operational appointees ---
    ("legacy_appoint_not_gated", appoint(OPEN, "LEGACY", mem="MEMX", data_service="ZZZZ"), ALLOW, ""),
    ("mhhs_appoint_operational_mem", appoint(OPEN, "MHHS", mem="MEMA"), ALLOW, ""),
    ("mhhs_appoint_mem_not_operational", appoint(OPEN, "MHHS", mem="MEMX"), BLOCK, "MEM_NOT_QUALIFIED"),
    ("mhhs_appoint_unknown_mem", appoint(OPEN, "MHHS", mem="ZZZZ"), BLOCK, "MEM_NOT_QUALIFIED;UNKNOWN_PARTICIPANT"),
    ("mhhs_appoint_supplier_as_mem", appoint(OPEN, "MHHS", mem="SUPR"), BLOCK, "MEM_NOT_QUALIFIED"),
    (
        "mhhs_appoint_data_service_not_operational",
        appoint(OPEN, "MHHS", segment="UMS", data_service="DSU1"),
        BLOCK,
        "DATA_SERVICE_NOT_QUALIFIED",
    ),
    (
        "mhhs_appoint_data_service_of_wrong_role",
        appoint(OPEN, "MHHS", segment="UMS", data_service="DSA1"),
        BLOCK,
        "DATA_SERVICE_NOT_QUALIFIED",
    ),
    ("legacy_appoint_unknown_mem_not_gated", appoint(OPEN, "LEGACY", mem="ZZZZ"), ALLOW, ""),
    ("mhhs_appoint_naming_nobody", appoint(OPEN, "MHHS"), ALLOW, ""),
    ("appoint_ignores_supplier", appoint(OPEN, "MHHS", supplier="NOPE", mem="MEMA"), ALLOW, ""),
    ("appoint_ignores_migration_window", appoint(M12 - DAY, "MHHS", mem="MEMA"), ALLOW, ""),
    ("appoint_ignores_ldso", appoint(OPEN, "MHHS", mpan=MPAN_NO_LDSO, mem="MEMA"), ALLOW, ""),
    # --- REGISTER before M14 ---
    ("legacy_register_not_gated_before_m14", register(M14 - DAY, "SUPX", "LEGACY"), ALLOW, ""),
    (
        "mhhs_register_by_unqualified_supplier_reverse_migrates",
        register(M14 - DAY, "SUPX", "MHHS"),
        REVERSE,
        "REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED",
    ),
    ("mhhs_register_by_operational_supplier", register(M14 - DAY, "SUPA", "MHHS"), ALLOW, ""),
    # A Supplier absent from the register is simply not qualified (DOMAIN.md §8), and so is one registered only in
    # another role; UNKNOWN_PARTICIPANT is information beside it.
    ("legacy_register_unknown_supplier", register(M14 - DAY, "NOPE", "LEGACY"), ALLOW, ""),
    (
        "mhhs_register_unknown_supplier_reverse_migrates",
        register(M14 - DAY, "NOPE", "MHHS"),
        REVERSE,
        "REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT",
    ),
    ("legacy_register_by_a_mem_before_m14", register(M14 - DAY, "MEMA", "LEGACY"), ALLOW, ""),
    (
        "mhhs_register_by_a_mem_reverse_migrates",
        register(M14 - DAY, "MEMA", "MHHS"),
        REVERSE,
        "REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED",
    ),
    # A registration must name its Supplier, whatever the date.
    ("legacy_register_without_supplier", register(OPEN, None, "LEGACY"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("mhhs_register_with_empty_supplier", register(OPEN, "", "MHHS"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    (
        "reverse_migration_with_invalid_mpan_blocks",
        register(OPEN, "SUPX", "MHHS", mpan="1"),
        BLOCK,
        "INVALID_MPAN;REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED",
    ),
    ("register_ignores_mem_and_data_service", register(OPEN, "SUPA", "MHHS", mem="ZZZZ", data_service="X"), ALLOW, ""),
    # --- REGISTER on and after M14: only operational Suppliers, any settlement ---
    ("legacy_register_on_m14", register(M14, "SUPX", "LEGACY"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("mhhs_register_on_m14", register(M14, "SUPX", "MHHS"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("legacy_register_day_after_m14", register(M14 + DAY, "SUPX", "LEGACY"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("mhhs_register_day_after_m14", register(M14 + DAY, "SUPX", "MHHS"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    ("register_after_m14_by_operational_supplier", register(AFTER_M14, "SUPA", "LEGACY"), ALLOW, ""),
    ("register_after_revocation", register(AFTER_M14, "SUPR", "MHHS"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
    (
        "legacy_register_on_m14_unknown_supplier",
        register(M14, "NOPE", "LEGACY"),
        BLOCK,
        "SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT",
    ),
    (
        "mhhs_register_after_m14_unknown_supplier",
        register(AFTER_M14, "NOPE", "MHHS"),
        BLOCK,
        "SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT",
    ),
    ("register_on_m14_by_a_mem", register(M14, "MEMA", "LEGACY"), BLOCK, "SUPPLIER_NOT_QUALIFIED"),
]

IMPLEMENTATIONS: dict[str, Callable[[list[GateEvent], GatingContext], list[tuple[str, str, str]]]] = {
    "engine": decide_with_engine,
    "reference": lambda events, ctx: decide_with_reference(
        events, histories=HISTORIES, ldso_by_distributor=LDSO_BY_DISTRIBUTOR, calendar=ctx.calendar
    ),
}


@pytest.fixture(scope="module")
def market() -> GatingContext:
    return context()


@pytest.mark.parametrize("implementation", sorted(IMPLEMENTATIONS))
@pytest.mark.parametrize(("case", "gate_event", "outcome", "reasons"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_and_boundary(market, implementation, case, gate_event, outcome, reasons):
    [(ref, got_outcome, got_reasons)] = IMPLEMENTATIONS[implementation]([gate_event], market)
    assert (got_outcome, got_reasons) == (outcome, reasons), case
    assert ref == gate_event.ref


def test_engine_decides_the_whole_table_at_once_in_input_order(market):
    events = [GateEvent(**{**case[1].__dict__, "ref": f"R{i:03d}"}) for i, case in enumerate(CASES)]
    decided = decide_with_engine(events, market)
    assert [ref for ref, _, _ in decided] == [e.ref for e in events]
    assert [(o, r) for _, o, r in decided] == [(str(c[2]), c[3]) for c in CASES]


def test_supplier_cannot_migrate_before_qualified(market):
    [(_, outcome, reasons)] = decide_with_engine([migrate(D(2025, 10, 31), "SUPQ")], market)
    assert outcome == "BLOCK"
    assert reasons == "SUPPLIER_NOT_QUALIFIED"


def test_migration_never_opens_without_a_dated_migration_start():
    undated = [MilestoneFact("M12", None, "MIGRATION_START", ("SMART",)), MilestoneFact("M15", M15, "MIGRATION_END")]
    ctx = context(milestones=undated)
    decided = decide_with_engine([migrate(OPEN), migrate(M15 + DAY, ref="E2")], ctx)
    assert decided == [
        ("E1", "BLOCK", "BEFORE_MIGRATION_WINDOW"),
        ("E2", "BLOCK", "AFTER_MIGRATION_WINDOW;BEFORE_MIGRATION_WINDOW"),
    ]


def test_migration_has_no_end_without_a_dated_migration_end():
    ctx = context(milestones=[MilestoneFact("M12", M12, "MIGRATION_START")])
    assert decide_with_engine([migrate(D(2099, 1, 1))], ctx) == [("E1", "ALLOW", "")]


def test_reverse_migration_goes_on_while_m14_has_no_date():
    ctx = context(milestones=[MilestoneFact("M14", None, "ALL_SUPPLIERS_QUALIFIED")])
    decided = decide_with_engine([register(D(2099, 1, 1), "SUPX", "MHHS")], ctx)
    assert decided == [("E1", "ALLOW_REVERSE_MIGRATION", "REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED")]


def test_empty_register_knows_nobody():
    ctx = context(histories={}, ldso_by_distributor={})
    events = [migrate(OPEN), appoint(OPEN, "MHHS", mem="MEMA", ref="E2"), register(OPEN, "SUPA", "MHHS", ref="E3")]
    assert decide_in_full_with_engine(events, ctx) == [
        (
            "E1",
            "BLOCK",
            "LDSO_NOT_QUALIFIED;SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT",
            "_A",
            ("SUPA is not on the register", "no LDSO on the register holds distributor id 10"),
        ),
        ("E2", "BLOCK", "MEM_NOT_QUALIFIED;UNKNOWN_PARTICIPANT", "_A", ("MEMA is not on the register",)),
        (
            "E3",
            "ALLOW_REVERSE_MIGRATION",
            "REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT",
            "_A",
            ("SUPA is not on the register",),
        ),
    ]


# (id, event, details): why a participant is not qualified, when the reason code alone cannot say.
DETAIL_CASES: list[tuple[str, GateEvent, tuple[str, ...]]] = [
    ("not_operational_needs_no_detail", migrate(OPEN, "SUPX", mem="MEMX"), ()),
    (
        "supplier_registered_in_another_role",
        migrate(OPEN, "LDSA"),
        ("LDSA is not registered as SUPPLIER (it is registered as LDSO)",),
    ),
    (
        "data_service_registered_in_other_roles",
        migrate(OPEN, data_service="SUPA"),
        ("SUPA is not registered as SDS (it is registered as SUPPLIER, MEM)",),
    ),
    (
        "smart_data_service_on_an_advanced_point",
        appoint(OPEN, "MHHS", segment="ADVANCED", data_service="DSA1"),
        ("DSA1 is not registered as ADS (it is registered as SDS)",),
    ),
    ("mem_not_on_the_register", appoint(OPEN, "MHHS", mem="ZZZZ"), ("ZZZZ is not on the register",)),
    ("no_supplier_named", register(OPEN, "", "LEGACY"), ("no Supplier named",)),
    (
        "no_ldso_for_the_distributor_id",
        migrate(OPEN, mpan=MPAN_NO_LDSO),
        ("no LDSO on the register holds distributor id 12",),
    ),
    ("unknown_supplier_not_gated_before_m14", register(OPEN, "NOPE", "LEGACY"), ()),
    ("reverse_migration_by_an_unknown_supplier", register(OPEN, "NOPE", "MHHS"), ("NOPE is not on the register",)),
    ("not_checked_on_a_legacy_appoint", appoint(OPEN, "LEGACY", mem="ZZZZ", data_service="LDSA"), ()),
    (
        "in_the_order_supplier_ldso_mem_data_service",
        migrate(OPEN, "NOPE", mpan=MPAN_NO_LDSO, mem="LDSA", data_service="ZZZZ"),
        (
            "NOPE is not on the register",
            "no LDSO on the register holds distributor id 12",
            "LDSA is not registered as MEM (it is registered as LDSO)",
            "ZZZZ is not on the register",
        ),
    ),
]


@pytest.mark.parametrize(("case", "gate_event", "details"), DETAIL_CASES, ids=[c[0] for c in DETAIL_CASES])
def test_details_name_what_the_participant_lacks(market, case, gate_event, details):
    [(_, _, _, _, by_engine)] = decide_in_full_with_engine([gate_event], market)
    [(_, _, _, _, by_reference)] = decide_in_full_with_reference(
        [gate_event], histories=HISTORIES, ldso_by_distributor=LDSO_BY_DISTRIBUTOR, calendar=market.calendar
    )
    assert by_engine == by_reference == details, case


def test_engine_accepts_an_empty_batch(market):
    assert decide_with_engine([], market) == []


# --- the pieces the rules are built from ---------------------------------------------------------------------


def test_migration_start_is_the_earliest_dated_one_covering_the_segment():
    calendar = calendar_from_milestones(
        [
            MilestoneFact("LATE", D(2026, 1, 1), "MIGRATION_START"),  # all segments
            MilestoneFact("EARLY", D(2025, 10, 1), "MIGRATION_START", ("UMS",)),
            MilestoneFact("UNDATED", None, "MIGRATION_START", ("SMART",)),
            MilestoneFact("M14a", D(2026, 12, 1), "ALL_SUPPLIERS_QUALIFIED"),
            MilestoneFact("M14b", D(2026, 10, 28), "ALL_SUPPLIERS_QUALIFIED"),
        ]
    )
    assert dict(calendar.migration_start) == {"SMART": D(2026, 1, 1), "ADVANCED": D(2026, 1, 1), "UMS": D(2025, 10, 1)}
    assert calendar.all_suppliers_qualified == D(2026, 10, 28)
    assert calendar.migration_end is None


def test_fixture_calendar_reads_milestones_by_meaning():
    assert dict(CALENDAR.migration_start) == {"SMART": M12, "ADVANCED": M11, "UMS": M11}
    assert (CALENDAR.all_suppliers_qualified, CALENDAR.migration_end) == (M14, M15)


def test_register_table_lists_status_changes_only():
    table = register_table(
        {
            ("SUPS", "SUPPLIER"): HISTORIES[("SUPS", "SUPPLIER")],
            ("IDLE", "MEM"): [],
            ("SLOW", "LDSO"): [EventFact("QUALIFIED", D(2025, 1, 1)), EventFact("SERVICE_ACTIVATED", D(2025, 2, 1))],
        }
    )
    rows = [(m, r, d, o) for m, r, d, o in table.iter_rows()]
    assert rows == [
        ("IDLE", "MEM", dt.date.min, False),
        ("SLOW", "LDSO", dt.date.min, False),
        ("SLOW", "LDSO", D(2025, 2, 1), True),
        ("SUPS", "SUPPLIER", dt.date.min, False),
        ("SUPS", "SUPPLIER", D(2025, 1, 1), True),
        ("SUPS", "SUPPLIER", D(2026, 1, 10), False),
        ("SUPS", "SUPPLIER", D(2026, 2, 10), True),
    ]


@pytest.mark.parametrize(
    ("mpan", "valid"),
    [
        (MPAN_LDSA, True),
        (MPAN_LDSB, True),
        (with_check_digit("230000000000"), True),
        ("0000000000000", True),  # the check digit of twelve zeros is 0; no LDSO holds 00
        (with_wrong_check_digit(MPAN_LDSA), False),
        ("", False),
        (None, False),
        ("".join(chr(0xFF10 + int(d)) for d in "1234567890123"), False),  # full-width digits are not ASCII
    ],
)
def test_mpan_check_digit(mpan, valid):
    assert mpan_is_valid(mpan) is valid
    ctx = context()
    [(_, _, reasons)] = decide_with_engine([appoint(OPEN, "LEGACY", mpan=mpan)], ctx)
    assert (reasons == "INVALID_MPAN") is not valid


GSP_LETTERS = "ABCDEFGHJKLMNP"  # fourteen letters, no I and no O


@pytest.mark.parametrize("distributor", range(100))
def test_gsp_group_of_every_distributor_id(market, distributor):
    """10-23 are _A.._P in order, skipping _I and _O; every other id is an IDNO's (DOMAIN.md §8)."""
    expected = f"_{GSP_LETTERS[distributor - 10]}" if 10 <= distributor <= 23 else "IDNO"
    gate_event = appoint(OPEN, "LEGACY", mpan=with_check_digit(f"{distributor:02d}0000000042"))
    [(_, _, _, by_engine, _)] = decide_in_full_with_engine([gate_event], market)
    [(_, _, _, by_reference, _)] = decide_in_full_with_reference(
        [gate_event], histories=HISTORIES, ldso_by_distributor=LDSO_BY_DISTRIBUTOR, calendar=market.calendar
    )
    assert by_engine == by_reference == expected


def test_an_invalid_mpan_has_no_gsp_group(market):
    events = [appoint(OPEN, "LEGACY", mpan=m) for m in (with_wrong_check_digit(MPAN_LDSA), "10", None, "1" * 14)]
    assert {gsp for _, _, _, gsp, _ in decide_in_full_with_engine(events, market)} == {None}


def test_outcome_of_reasons():
    assert outcome_for(frozenset()) == ALLOW
    assert outcome_for(frozenset({Reason.REVERSE_MIGRATION, Reason.SUPPLIER_NOT_QUALIFIED})) == REVERSE
    assert outcome_for(frozenset({Reason.SUPPLIER_NOT_QUALIFIED})) == BLOCK
    assert outcome_for(frozenset({Reason.REVERSE_MIGRATION, Reason.INVALID_MPAN})) == BLOCK
    # UNKNOWN_PARTICIPANT is information: it never blocks on its own.
    assert outcome_for(frozenset({Reason.UNKNOWN_PARTICIPANT})) == ALLOW
    assert outcome_for(frozenset({Reason.UNKNOWN_PARTICIPANT, Reason.SUPPLIER_NOT_QUALIFIED})) == BLOCK
    unknown_reverse = {Reason.REVERSE_MIGRATION, Reason.SUPPLIER_NOT_QUALIFIED, Reason.UNKNOWN_PARTICIPANT}
    assert outcome_for(frozenset(unknown_reverse)) == REVERSE


def test_role_codes_match_the_participants_app():
    from qualify.participants.choices import MarketRole

    assert {r.value for r in Role} == set(MarketRole.values)


def test_segments_match_the_plan_app():
    from qualify.gating.choices import Segment
    from qualify.plan.choices import Segment as PlanSegment

    assert {s.value for s in Segment} == set(PlanSegment.values)
