"""An exemption is a decision (DOMAIN.md §3): the BSC PAB's, recorded by one of its members with its date and scope,
and the matching REC derogation, recorded by a REC decision-maker with its own date and scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qualify.participants.models import Exemption

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _post(client_for, token_for, who, path, data):  # type: ignore[no-untyped-def]
    return client_for(None).post(f"/api/v1{path}", data, content_type="application/json", **token_for(who))


def _decide(client_for, token_for, cast, who="board", **extra):  # type: ignore[no-untyped-def]
    data = {
        "kind": "SMART_SEGMENT",
        "scope": "Smart-segment obligations, for an advanced-only Supplier.",
        "decided_on": (TODAY() - dt.timedelta(days=10)).isoformat(),
        "reference": "PAB 301/07",
        **extra,
    }
    return _post(client_for, token_for, who, f"/participations/{cast.supplier_a.uuid}/exemptions", data)


def _derogate(client_for, token_for, cast, who="rec_decider", **extra):  # type: ignore[no-untyped-def]
    data = {"derogation_on": TODAY().isoformat(), "scope": "REC smart-segment obligations.", "reference": "REC-D-9"}
    path = f"/participations/{cast.supplier_a.uuid}/exemptions/SMART_SEGMENT/derogation"
    return _post(client_for, token_for, who, path, {**data, **extra})


def test_only_a_bsc_pab_member_records_the_exemption_decision(cast, client_for, token_for):
    for who in ("admin", "rec_decider", "dip_decider", "bsc", "lead_a"):
        assert _decide(client_for, token_for, cast, who=who).status_code == 403, who
    assert _decide(client_for, token_for, cast, who="lead_b").status_code == 404
    assert not Exemption.objects.exists()
    decided = _decide(client_for, token_for, cast)
    assert decided.status_code == 201, decided.content
    body = decided.json()
    assert (body["decided_by_name"], body["reference"], body["derogation_on"]) == ("Bram Board", "PAB 301/07", None)


def test_the_exemption_decision_states_a_scope_and_is_not_dated_in_the_future(cast, client_for, token_for):
    assert _decide(client_for, token_for, cast, scope="  ").json()["error"]["details"] == {"scope": "required"}
    future = _decide(client_for, token_for, cast, decided_on=(TODAY() + dt.timedelta(days=1)).isoformat())
    assert future.status_code == 422 and future.json()["error"]["details"] == {"decided_on": "future"}


def test_the_matching_rec_derogation_is_recorded_by_a_rec_decision_maker(cast, client_for, token_for):
    assert _derogate(client_for, token_for, cast).status_code == 404  # nothing decided yet to match
    _decide(client_for, token_for, cast)
    for who in ("admin", "board", "rec", "dip_decider"):
        assert _derogate(client_for, token_for, cast, who=who).status_code == 403, who
    early = _derogate(client_for, token_for, cast, derogation_on=(TODAY() - dt.timedelta(days=20)).isoformat())
    assert early.status_code == 422 and early.json()["error"]["details"] == {"derogation_on": "before_decision"}
    done = _derogate(client_for, token_for, cast)
    assert done.status_code == 200, done.content
    assert done.json()["derogation_on"] == TODAY().isoformat()
    assert done.json()["derogation_by_name"] == "Rex Decider"
    seen = client_for(None).get(f"/api/v1/participations/{cast.supplier_a.uuid}", **token_for("lead_a")).json()
    assert seen["exemptions"][0]["derogation_reference"] == "REC-D-9"
    assert seen["exemptions"][0]["scope"] == "Smart-segment obligations, for an advanced-only Supplier."


def test_the_organisation_page_shows_both_decisions_and_offers_each_to_its_own_body(cast, client_for, token_for):
    url = reverse("participants:detail", args=[cast.org_a.uuid])
    assert 'data-testid="exemption-form"' in client_for("board").get(url).content.decode()
    assert 'data-testid="exemption-form"' not in client_for("admin").get(url).content.decode()
    refused = client_for("admin").post(
        reverse("participants:exemption_decide", args=[cast.org_a.uuid]),
        {
            "participation": str(cast.supplier_a.uuid),
            "kind": "SMART_SEGMENT",
            "decided_on": TODAY().isoformat(),
            "scope": "x",
        },
    )
    assert refused.status_code == 403
    assert "BSC Panel (PAB) member" in refused.content.decode()
    _decide(client_for, token_for, cast)
    page = client_for("lead_a").get(url).content.decode()
    assert "REC derogation awaited" in page and "Not yet recorded." in page
    rec = client_for("rec_decider")
    assert 'data-testid="derogation-form"' in rec.get(url).content.decode()
    posted = rec.post(
        reverse("participants:derogation", args=[cast.org_a.uuid]),
        {
            "participation": str(cast.supplier_a.uuid),
            "kind": "SMART_SEGMENT",
            "derogation_on": TODAY().isoformat(),
            "scope": "REC smart-segment obligations.",
            "reference": "REC-D-9",
        },
    )
    assert posted.status_code == 302
    page = client_for("lead_a").get(url).content.decode()
    assert "REC-D-9" in page and "REC derogation awaited" not in page
