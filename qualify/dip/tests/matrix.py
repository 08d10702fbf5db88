"""DIP message validation's pages and endpoints in the permission matrix (collected by
tests/test_permission_matrix.py). ``prepare`` gives Northwind a specification and a run, and the DIP Manager a
programme-wide specification.

The form posts answer with a redirect and a message whether or not the person may act (as the QAD's evidence upload
does); what they did is checked in ``test_runs.py``. Another organisation's specification or run is a 404.
"""

from __future__ import annotations

from django.urls import reverse

from tests.matrix import A_MEMBERS, SIGNED_IN, STAFF, endpoint, every, page

spec_a = lambda c: str(c.dip_spec_a.uuid)  # noqa: E731
run_a = lambda c: str(c.dip_run_a.uuid)  # noqa: E731
OWN_AND_STAFF = {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)}
POSTED = {**every(A_MEMBERS, 302), "lead_b": 404, **every(STAFF, 302)}


def prepare(cast):  # type: ignore[no-untyped-def]
    from qualify.dip.services import run_create
    from qualify.dip.tests.helpers import GOOD_BATCH, as_json, upload, upload_spec

    cast.dip_spec_a = upload_spec(cast.actor("lead_a"), cast.org_a.pk)
    cast.dip_spec_programme = upload_spec(cast.actor("dip"), None)
    cast.dip_run_a = run_create(
        actor=cast.actor("lead_a"),
        specification=cast.dip_spec_a,
        organisation_id=cast.org_a.pk,
        schema="",
        uploads=[upload("good.json", as_json(GOOD_BATCH))],
    )


ROWS = [
    page("dip:index", lambda c: reverse("dip:index"), every(SIGNED_IN, 200)),
    page(
        "dip:specification_upload",
        lambda c: reverse("dip:specification_upload"),
        every(SIGNED_IN, 302),
        method="post",
        data=lambda c: {"organisation": str(c.org_a.pk)},
    ),
    page("dip:specification", lambda c: reverse("dip:specification", args=[spec_a(c)]), OWN_AND_STAFF),
    page(
        "dip:run_create",
        lambda c: reverse("dip:run_create", args=[spec_a(c)]),
        POSTED,
        method="post",
        data=lambda c: {"organisation": str(c.org_a.pk), "schema": ""},
    ),
    page("dip:run", lambda c: reverse("dip:run", args=[run_a(c)]), OWN_AND_STAFF),
    page("dip:run_report", lambda c: reverse("dip:run_report", args=[run_a(c), "csv"]), OWN_AND_STAFF),
    page(
        "dip:run_attach",
        lambda c: reverse("dip:run_attach", args=[run_a(c)]),
        POSTED,
        method="post",
        data=lambda c: {"kind": "qad"},
    ),
    endpoint(
        "GET /dip/specifications", lambda c: "/api/v1/dip/specifications", {**every(SIGNED_IN, 200), "machine": 403}
    ),
    endpoint("GET /dip/runs", lambda c: "/api/v1/dip/runs", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint("GET /dip/runs/{key}", lambda c: f"/api/v1/dip/runs/{run_a(c)}", {**OWN_AND_STAFF, "machine": 403}),
]
