from __future__ import annotations

import datetime as dt

import pytest

from qualify.core.actor import system_actor
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
                actor=system, participation=participation, kind=kind, effective_date=date, source="IMPORT"
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
        ("unknown-supplier", "BLOCK", ["UNKNOWN_PARTICIPANT"]),
        ("reverse", "ALLOW_REVERSE_MIGRATION", ["REVERSE_MIGRATION", "SUPPLIER_NOT_QUALIFIED"]),
        ("after-m14", "BLOCK", ["SUPPLIER_NOT_QUALIFIED"]),
    ]


def test_a_new_register_event_changes_the_next_answer(market, client_for, token_for):
    assert (
        post(client_for, token_for, [event("a", kind="REGISTER", supplier="SBPW", date="2026-11-01")]).json()[
            "decisions"
        ][0]["outcome"]
        == "BLOCK"
    )
    for kind, date in (("QUALIFIED", D(2026, 10, 1)), ("SERVICE_ACTIVATED", D(2026, 10, 2))):
        register_event_record(
            actor=system_actor(), participation=market.supplier_b, kind=kind, effective_date=date, source="IMPORT"
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
