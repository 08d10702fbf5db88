"""The Programme's pages and endpoints in the permission matrix (collected by tests/test_permission_matrix.py).

Onboarding, bulk files and waves are the programme administrator's alone (everyone else 403); an organisation's
people are its lead's too, and another organisation's are not found (404). ``prepare`` opens an invitation to
Northwind (for the link and withdrawal rows) and a second wave to move cases to.
"""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

NOT_ADMIN = [s for s in SIGNED_IN if s != "admin"]
NOT_ADMIN_STAFF = [s for s in STAFF if s != "admin"]
ADMIN_ONLY = every(NOT_ADMIN, 403)
org_a = lambda c: str(c.org_a.uuid)  # noqa: E731


def prepare(cast) -> None:  # type: ignore[no-untyped-def]
    from qualify.plan.services import wave_upsert
    from qualify.programme.services import invitation_send

    issued = invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_a, email="matrix@northwind.test", full_name="M", role="VIEWER"
    )
    cast.invitation = issued.invitation
    cast.invite_path = issued.link[issued.link.index("/programme/") :]
    wave_upsert(actor=cast.actor("admin"), code="W2", name="Wave 2", sequence=2)


def _people(ok: int) -> dict[str | None, int]:
    """The organisation's lead and the Programme may; its other members and other staff may not; others: 404."""
    return {
        **every(NOT_ADMIN_STAFF, 403),
        "contributor_a": 403,
        "viewer_a": 403,
        "lead_b": 404,
        "lead_a": ok,
        "admin": ok,
    }


def _bulk_csv(cast) -> str:  # type: ignore[no-untyped-def]
    from qualify.programme.services.bulk import COLUMNS

    return ",".join(COLUMNS) + "\nMatrix Grid Ltd,,,MXGD,LDSO,SIT,no,31,,,W1,\n"


ROWS = [
    page("programme:home", lambda c: reverse("programme:home"), {**ADMIN_ONLY, "admin": 200}),
    page(
        "programme:organisation_new",
        lambda c: reverse("programme:organisation_new"),
        {**ADMIN_ONLY, "admin": 302},
        method="post",
        data=lambda c: {"name": "Matrix Energy Ltd"},
    ),
    page(
        "programme:organisation",
        lambda c: reverse("programme:organisation", args=[org_a(c)]),
        {**ADMIN_ONLY, "admin": 200},
    ),
    page(
        "programme:participation_add",
        lambda c: reverse("programme:participation_add", args=[org_a(c)]),
        {**ADMIN_ONLY, "admin": 302},
        method="post",
        data=lambda c: {"mpid": "MXMS", "role": "MEM", "route": "QT"},
    ),
    page(
        "programme:case_open",
        lambda c: reverse("programme:case_open", args=[str(c.org_b.uuid)]),
        {**ADMIN_ONLY, "admin": 302},
        method="post",
        data=lambda c: {"participation": str(c.ldso_b.uuid), "wave": "W1"},
    ),
    page(
        "programme:participation",
        lambda c: reverse("programme:participation", args=[str(c.supplier_a.uuid)]),
        {**ADMIN_ONLY, "admin": 200},
    ),
    page("programme:people", lambda c: reverse("programme:people", args=[org_a(c)]), {None: 302, **_people(200)}),
    page(
        "programme:invite",
        lambda c: reverse("programme:invite", args=[org_a(c)]),
        _people(302),
        method="post",
        data=lambda c: {"full_name": "New Viewer", "email": "new.viewer@northwind.test", "role": "VIEWER"},
    ),
    page(
        "programme:member_role",
        lambda c: reverse("programme:member_role", args=[org_a(c), str(c.user("viewer_a").uuid)]),
        _people(302),
        method="post",
        data=lambda c: {"role": "CONTRIBUTOR"},
    ),
    page(
        "programme:invitation_withdraw",
        lambda c: reverse("programme:invitation_withdraw", args=[str(c.invitation.uuid)]),
        _people(302),
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    # The invitation link is public: it works for whoever holds it, and an unknown one is not found for anyone.
    page("programme:accept", lambda c: c.invite_path, {None: 200, **every(SIGNED_IN, 200)}),
    page(
        "programme:accept (unknown link)",
        lambda c: reverse("programme:accept", args=["inv_not-a-real-secret"]),
        {None: 404, **every(SIGNED_IN, 404)},
    ),
    page("programme:bulk", lambda c: reverse("programme:bulk"), {**ADMIN_ONLY, "admin": 200}),
    page(
        "programme:bulk_apply",
        lambda c: reverse("programme:bulk_apply"),
        {**ADMIN_ONLY, "admin": 200},
        method="post",
        data=lambda c: {"content": _bulk_csv(c), "confirm": "on"},
    ),
    page("programme:bulk_template", lambda c: reverse("programme:bulk_template"), {**ADMIN_ONLY, "admin": 200}),
    page("programme:waves", lambda c: reverse("programme:waves"), {**ADMIN_ONLY, "admin": 200}),
    page("programme:wave_new", lambda c: reverse("programme:wave_new"), {**ADMIN_ONLY, "admin": 200}),
    page("programme:wave", lambda c: reverse("programme:wave", args=["W1"]), {**ADMIN_ONLY, "admin": 200}),
    page(
        "programme:wave_move",
        lambda c: reverse("programme:wave_move", args=["W1"]),
        {**ADMIN_ONLY, "admin": 302},
        method="post",
        data=lambda c: {"cases": c.case_a.reference, "wave": "W2", "reason": "Matrix move."},
    ),
    endpoint(
        "POST /programme/organisations",
        lambda c: "/api/v1/programme/organisations",
        {**ADMIN_ONLY, "admin": 201, "machine": 403},
        method="post",
        data=lambda c: {"name": "Matrix Energy Ltd"},
    ),
    endpoint(
        "POST /programme/organisations/{uuid}",
        lambda c: f"/api/v1/programme/organisations/{org_a(c)}",
        {**ADMIN_ONLY, "lead_b": 404, "admin": 200, "machine": 403},
        method="post",
        data=lambda c: {"name": "Northwind Energy Limited"},
    ),
    endpoint(
        "POST /programme/organisations/{uuid}/participations",
        lambda c: f"/api/v1/programme/organisations/{org_a(c)}/participations",
        {**ADMIN_ONLY, "lead_b": 404, "admin": 201, "machine": 403},
        method="post",
        data=lambda c: {"mpid": "MXMS", "role": "MEM", "route": "QT"},
    ),
    endpoint(
        "POST /programme/participations/{uuid}",
        lambda c: f"/api/v1/programme/participations/{c.supplier_a.uuid}",
        {**ADMIN_ONLY, "lead_b": 404, "admin": 200, "machine": 403},
        method="post",
        data=lambda c: {"route": "SIT"},
    ),
    endpoint(
        "POST /programme/participations/{uuid}/case",
        lambda c: f"/api/v1/programme/participations/{c.ldso_b.uuid}/case",
        {**ADMIN_ONLY, **every(A_MEMBERS, 404), "admin": 201, "machine": 403},
        method="post",
        data=lambda c: {"wave": "W1"},
    ),
    endpoint(
        "GET /programme/organisations/{uuid}/people",
        lambda c: f"/api/v1/programme/organisations/{org_a(c)}/people",
        {**_people(200), "machine": 403},
    ),
    endpoint(
        "POST /programme/organisations/{uuid}/invitations",
        lambda c: f"/api/v1/programme/organisations/{org_a(c)}/invitations",
        {**_people(201), "machine": 403},
        method="post",
        data=lambda c: {"full_name": "New Viewer", "email": "new.viewer@northwind.test", "role": "VIEWER"},
    ),
    endpoint(
        "POST /programme/organisations/{uuid}/people/{user_uuid}/role",
        lambda c: f"/api/v1/programme/organisations/{org_a(c)}/people/{c.user('viewer_a').uuid}/role",
        {**_people(200), "machine": 403},
        method="post",
        data=lambda c: {"role": "CONTRIBUTOR"},
    ),
    endpoint(
        "POST /programme/onboarding/preview",
        lambda c: "/api/v1/programme/onboarding/preview",
        {**ADMIN_ONLY, "admin": 200, "machine": 403},
        method="post",
        data=lambda c: {"content": _bulk_csv(c)},
    ),
    endpoint(
        "POST /programme/onboarding/apply",
        lambda c: "/api/v1/programme/onboarding/apply",
        {**ADMIN_ONLY, "admin": 200, "machine": 403},
        method="post",
        data=lambda c: {"content": _bulk_csv(c)},
    ),
    endpoint("GET /programme/waves", lambda c: "/api/v1/programme/waves", {**ADMIN_ONLY, "admin": 200, "machine": 403}),
    endpoint(
        "POST /programme/waves/{code}",
        lambda c: "/api/v1/programme/waves/W1",
        {**ADMIN_ONLY, "admin": 200, "machine": 403},
        method="post",
        data=lambda c: {"name": "Wave 1", "sequence": 1, "deadlines": [{"kind": "PIT_START", "date": "2027-01-04"}]},
    ),
    endpoint(
        "POST /programme/waves/{code}/move",
        lambda c: "/api/v1/programme/waves/W1/move",
        {**ADMIN_ONLY, "lead_b": 404, "admin": 200, "machine": 403},
        method="post",
        data=lambda c: {"cases": [c.case_a.reference], "to_wave": "W2", "reason": "Matrix move."},
    ),
]
