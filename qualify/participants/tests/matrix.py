"""Exemption decisions in the permission matrix: the BSC PAB's decision (its members only) and the matching REC
derogation (the REC's decision-makers only). ``prepare`` records the BSC PAB's smart-segment exemption for Northwind's
Supplier, so the derogation rows have something to match; Southbank's lead cannot see Northwind (404)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from qualify.participants.services import exemption_decide
from tests.matrix import SIGNED_IN, endpoint, every, page

org_a = lambda c: str(c.org_a.uuid)  # noqa: E731
supplier_a = lambda c: str(c.supplier_a.uuid)  # noqa: E731


def prepare(cast) -> None:  # type: ignore[no-untyped-def]
    exemption_decide(
        actor=cast.actor("board"),
        participation=cast.supplier_a,
        kind="SMART_SEGMENT",
        scope="Smart-segment obligations, for an advanced-only Supplier.",
        decided_on=timezone.localdate(),
        reference="BSC PAB paper",
    )


def _only(who: str, status: int) -> dict[str | None, int]:
    return {**every(SIGNED_IN, 403), "lead_b": 404, who: status}


def _decision(cast) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "participation": supplier_a(cast),
        "kind": "SMART_SEGMENT",
        "decided_on": timezone.localdate().isoformat(),
        "scope": "Smart-segment obligations.",
    }


def _derogation(cast) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "participation": supplier_a(cast),
        "kind": "SMART_SEGMENT",
        "derogation_on": timezone.localdate().isoformat(),
        "scope": "REC smart-segment obligations.",
    }


ROWS = [
    # The organisations list's download: each person's own view of the list (a participant, its own organisation).
    page("participants:export", lambda c: reverse("participants:export", args=["xlsx"]), every(SIGNED_IN, 200)),
    page(
        "participants:exemption_decide",
        lambda c: reverse("participants:exemption_decide", args=[org_a(c)]),
        _only("board", 302),
        method="post",
        data=_decision,
    ),
    page(
        "participants:derogation",
        lambda c: reverse("participants:derogation", args=[org_a(c)]),
        _only("rec_decider", 302),
        method="post",
        data=_derogation,
    ),
    endpoint(
        "POST /participations/{uuid}/exemptions",
        lambda c: f"/api/v1/participations/{supplier_a(c)}/exemptions",
        {**_only("board", 201), "machine": 403},
        method="post",
        data=lambda c: {k: v for k, v in _decision(c).items() if k != "participation"},
    ),
    endpoint(
        "POST /participations/{uuid}/exemptions/{kind}/derogation",
        lambda c: f"/api/v1/participations/{supplier_a(c)}/exemptions/SMART_SEGMENT/derogation",
        {**_only("rec_decider", 200), "machine": 403},
        method="post",
        data=lambda c: {k: v for k, v in _derogation(c).items() if k not in ("participation", "kind")},
    ),
]
