from __future__ import annotations

import datetime as dt

import pytest

from qualify.core.actor import system_actor
from qualify.participants.choices import MarketRole, Route
from qualify.participants.services import participation_create
from qualify.plan.services import milestone_upsert
from qualify.register.services import register_event_record

D = dt.date
VALID_MPAN_IN_12 = "1200000000001"  # distributor 12 (Southbank's LDSO in the cast)


def check_digit_fixed(mpan12: str) -> str:
    weights = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
    return mpan12 + str(sum(int(d) * w for d, w in zip(mpan12, weights, strict=True)) % 11 % 10)


MPAN = check_digit_fixed("120000000000")


@pytest.fixture
def market(cast):
    system = system_actor("test")
    for participation, kinds in (
        (cast.supplier_a, [("QUALIFIED", D(2026, 1, 5)), ("SERVICE_ACTIVATED", D(2026, 1, 20))]),
        (cast.ldso_b, [("QUALIFIED", D(2025, 6, 1)), ("SERVICE_ACTIVATED", D(2025, 6, 2))]),
    ):
        for kind, date in kinds:
            register_event_record(
                actor=system,
                participation=participation,
                kind=kind,
                effective_date=date,
                source="IMPORT",
                reason="history loaded for the test",
            )
    milestone_upsert(
        actor=system,
        code="M11",
        name="Migration opens (advanced, UMS)",
        date=D(2025, 10, 6),
        meaning="MIGRATION_START",
        segments=["ADVANCED", "UMS"],
    )
    milestone_upsert(
        actor=system,
        code="M12",
        name="Migration opens (smart)",
        date=D(2025, 10, 20),
        meaning="MIGRATION_START",
        segments=["SMART"],
    )
    milestone_upsert(
        actor=system,
        code="M14",
        name="All Suppliers qualified",
        date=D(2026, 10, 28),
        meaning="ALL_SUPPLIERS_QUALIFIED",
    )
    return cast


def event(ref, kind="MIGRATE", *, date="2026-02-01", supplier="NWEN", settlement="LEGACY", mpan=MPAN, **kw):
    return {
        "ref": ref,
        "kind": kind,
        "mpan": mpan,
        "date": date,
        "segment": kw.get("segment", "SMART"),
        "supplier": supplier,
        "mem": kw.get("mem", ""),
        "data_service": kw.get("data_service", ""),
        "settlement": settlement,
    }


def post(client_for, token_for, events, who="machine"):
    return client_for(None).post(
        "/api/v1/gating/decisions", {"events": events}, content_type="application/json", **token_for(who)
    )


def test_batch_is_decided_in_order_with_every_reason(market, client_for, token_for):
    response = post(
        client_for,
        token_for,
        [
            event("ok"),
            event("too-early", date="2026-01-10"),
            event("bad-mpan", mpan="1200000000000"),
            event("unknown-supplier", supplier="ZZZZ"),
            event("reverse", kind="REGISTER", supplier="SBPW", settlement="MHHS", date="2026-05-01"),
            event("after-m14", kind="REGISTER", supplier="SBPW", settlement="LEGACY", date="2026-10-28"),
        ],
    )
    assert response.status_code == 200
    decisions = response.json()["decisions"]
    assert [(d["ref"], d["outcome"], d["reasons"]) for d in decisions] == [
        ("ok", "ALLOW", []),
        ("too-early", "BLOCK", ["SUPPLIER_NOT_QUALIFIED"]),
        ("bad-mpan", "BLOCK", ["INVALID_MPAN"]),
        ("unknown-supplier", "BLOCK", ["SUPPLIER_NOT_QUALIFIED", "UNKNOWN_PARTICIPANT"]),
        ("reverse", "ALLOW_REVERSE_MIGRATION", ["REVERSE_MIGRATION", "SUPPLIER_NOT_QUALIFIED"]),
        ("after-m14", "BLOCK", ["SUPPLIER_NOT_QUALIFIED"]),
    ]


def decided(response):
    assert response.status_code == 200, response.content
    return {d["ref"]: (d["outcome"], d["reasons"], d["details"]) for d in response.json()["decisions"]}


def test_an_mpid_registered_in_another_role_is_not_qualified_for_the_role_it_lacks(market, client_for, token_for):
    system = system_actor("test")
    smart_data = participation_create(
        actor=system, organisation=market.org_a, mpid="NWDS", role=MarketRole.SDS, route=Route.QT
    )
    for kind, date in (("QUALIFIED", D(2025, 9, 1)), ("SERVICE_ACTIVATED", D(2025, 9, 2))):
        register_event_record(
            actor=system,
            participation=smart_data,
            kind=kind,
            effective_date=date,
            source="IMPORT",
            reason="history loaded for the test",
        )

    answer = decided(
        post(
            client_for,
            token_for,
            [
                event("smart-ds-on-smart", data_service="NWDS"),
                event("smart-ds-on-advanced", segment="ADVANCED", data_service="NWDS"),
                event("mem-as-supplier", supplier="NWMS"),
                event("supplier-as-mem", kind="APPOINT", supplier="", mem="NWEN", settlement="MHHS"),
                event("supplier-as-ldso-on-register", kind="REGISTER", supplier="SBDN", date="2026-10-28"),
            ],
        )
    )
    assert answer == {
        "smart-ds-on-smart": ("ALLOW", [], []),
        "smart-ds-on-advanced": (
            "BLOCK",
            ["DATA_SERVICE_NOT_QUALIFIED"],
            ["NWDS is not registered as ADS (it is registered as SDS)"],
        ),
        "mem-as-supplier": (
            "BLOCK",
            ["SUPPLIER_NOT_QUALIFIED"],
            ["NWMS is not registered as SUPPLIER (it is registered as MEM)"],
        ),
        "supplier-as-mem": (
            "BLOCK",
            ["MEM_NOT_QUALIFIED"],
            ["NWEN is not registered as MEM (it is registered as SUPPLIER)"],
        ),
        "supplier-as-ldso-on-register": (
            "BLOCK",
            ["SUPPLIER_NOT_QUALIFIED"],
            ["SBDN is not registered as SUPPLIER (it is registered as LDSO)"],
        ),
    }


def test_unknown_participant_means_the_mpid_holds_no_participation_at_all(market, client_for, token_for):
    answer = decided(post(client_for, token_for, [event("nobody-as-mem", mem="ZZZZ"), event("mem-as-mem", mem="NWMS")]))
    assert answer == {
        "nobody-as-mem": ("BLOCK", ["MEM_NOT_QUALIFIED", "UNKNOWN_PARTICIPANT"], ["ZZZZ is not on the register"]),
        "mem-as-mem": ("BLOCK", ["MEM_NOT_QUALIFIED"], []),  # registered as a MEM, not yet operational
    }


def test_a_supplier_absent_from_the_register_is_simply_not_qualified(market, client_for, token_for):
    before_m14, on_m14 = "2026-10-27", "2026-10-28"
    answer = decided(
        post(
            client_for,
            token_for,
            [
                event("legacy-before-m14", kind="REGISTER", supplier="GONE", date=before_m14),
                event("migrated-before-m14", kind="REGISTER", supplier="GONE", settlement="MHHS", date=before_m14),
                event("legacy-on-m14", kind="REGISTER", supplier="GONE", date=on_m14),
                event("migrated-on-m14", kind="REGISTER", supplier="GONE", settlement="MHHS", date=on_m14),
            ],
        )
    )
    not_on_register = ["GONE is not on the register"]
    assert answer == {
        "legacy-before-m14": ("ALLOW", [], []),
        "migrated-before-m14": (
            "ALLOW_REVERSE_MIGRATION",
            ["REVERSE_MIGRATION", "SUPPLIER_NOT_QUALIFIED", "UNKNOWN_PARTICIPANT"],
            not_on_register,
        ),
        "legacy-on-m14": ("BLOCK", ["SUPPLIER_NOT_QUALIFIED", "UNKNOWN_PARTICIPANT"], not_on_register),
        "migrated-on-m14": ("BLOCK", ["SUPPLIER_NOT_QUALIFIED", "UNKNOWN_PARTICIPANT"], not_on_register),
    }


def test_a_new_register_event_changes_the_next_answer(market, client_for, token_for):
    assert (
        post(client_for, token_for, [event("a", kind="REGISTER", supplier="SBPW", date="2026-11-01")]).json()[
            "decisions"
        ][0]["outcome"]
        == "BLOCK"
    )
    for kind, date in (("QUALIFIED", D(2026, 10, 1)), ("SERVICE_ACTIVATED", D(2026, 10, 2))):
        register_event_record(
            actor=system_actor(),
            participation=market.supplier_b,
            kind=kind,
            effective_date=date,
            source="IMPORT",
            reason="history loaded for the test",
        )
    assert (
        post(client_for, token_for, [event("a", kind="REGISTER", supplier="SBPW", date="2026-11-01")]).json()[
            "decisions"
        ][0]["outcome"]
        == "ALLOW"
    )


def test_bad_batches_are_refused_with_the_error_shape(market, client_for, token_for):
    too_many = [event(str(i)) for i in range(10_001)]
    for events in ([], too_many, [event("x", kind="SWITCH")], [event("x", date="1999-12-31")]):
        response = post(client_for, token_for, events)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_failed"


def test_participants_cannot_probe_the_gate(market, client_for, token_for):
    response = post(client_for, token_for, [event("x")], who="lead_a")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"


def test_decisions_report_the_gsp_group_of_the_metering_point(market, client_for, token_for):
    """10-23 are _A.._P in order, skipping _I and _O; any other id is an IDNO's; an invalid MPAN has none."""
    distributors = {"10": "_A", "12": "_C", "17": "_H", "18": "_J", "22": "_N", "23": "_P", "24": "IDNO", "99": "IDNO"}
    events = [
        event(f"d{code}", kind="APPOINT", mpan=check_digit_fixed(f"{code}0000000000")) for code in distributors
    ] + [event("invalid", kind="APPOINT", mpan="1200000000000")]
    response = post(client_for, token_for, events)
    assert response.status_code == 200
    assert {d["ref"]: d["gsp_group"] for d in response.json()["decisions"]} == {
        **{f"d{code}": group for code, group in distributors.items()},
        "invalid": None,
    }
