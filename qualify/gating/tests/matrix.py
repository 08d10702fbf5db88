"""Permission matrix rows for the gating endpoints."""

from __future__ import annotations

from tests.matrix import A_MEMBERS, STAFF, endpoint, every

_EVENT = {
    "ref": "m1",
    "kind": "REGISTER",
    "mpan": "1200000000009",
    "date": "2026-02-01",
    "segment": "SMART",
    "supplier": "NWEN",
    "mem": "",
    "data_service": "",
    "settlement": "LEGACY",
}

ROWS = [
    endpoint(
        "POST /gating/decisions",
        lambda c: "/api/v1/gating/decisions",
        {**every([*A_MEMBERS, "lead_b"], 403), **every(STAFF, 200)},
        method="post",
        data=lambda c: {"events": [_EVENT]},
    ),
]
