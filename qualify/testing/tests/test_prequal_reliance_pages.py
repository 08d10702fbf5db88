"""Pre-qualification, reliance and scope through the pages and the API: the same rules as the services, another
organisation's records are simply not found, and the list pages cost the same queries however many rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.testing.choices import ProposalState
from qualify.testing.models import RelianceProposal, ScopeRecord, TestCatalogue
from qualify.testing.services.reliance import reliance_decide, reliance_draft, reliance_propose
from qualify.testing.tests.helpers import lead_of, prequalify, publish_sample

pytestmark = pytest.mark.django_db

FORM = {
    "preferred_wave": "W1",
    "pit_approach": "Our own test environment.",
    "pit_start": "2026-01-05",
    "pit_completion": "2026-03-27",
    "qt_ready": "2026-04-06",
    "target_migration_date": "2026-09-01",
}


def catalogue():  # type: ignore[no-untyped-def]
    return TestCatalogue.objects.filter(version="1.0").first() or publish_sample()


def proposal(case, name="Acme Billing", covers=("QT-005",), propose=True):  # type: ignore[no-untyped-def]
    catalogue()
    drafted = reliance_draft(
        actor=lead_of(case), case=case, relied_on_name=name, relied_on_kind="SOFTWARE_PROVIDER", covers=list(covers)
    )
    return reliance_propose(actor=lead_of(case), proposal=drafted) if propose else drafted


def test_the_lead_fills_in_and_submits_the_form_from_the_page(cast, client_for):
    client = client_for("lead_a")
    url = reverse("testing:prequalification", args=[cast.case_a.reference])
    refused = client.post(reverse("testing:prequalification_submit", args=[cast.case_a.reference]), {"confirm": "on"})
    assert "lacks: preferred wave" in client.get(refused["Location"]).content.decode()
    assert client.post(url, FORM).status_code == 302
    page = client.get(url).content.decode()
    assert "Our own test environment." in page and "Submit pre-qualification" in page
    client.post(reverse("testing:prequalification_submit", args=[cast.case_a.reference]), {"confirm": "on"})
    assert QualificationCase.objects.get(pk=cast.case_a.pk).state == CaseState.PREQUAL_SUBMITTED
    viewer = client_for("viewer_a").get(url).content.decode()
    assert 'data-testid="prequal-answers"' in viewer and "Wave 1" in viewer and "prequal-form" not in viewer
    assert client_for("lead_b").get(url).status_code == 404


def test_the_api_saves_the_draft_and_names_what_submission_lacks(cast, client_for, token_for):
    api, auth = client_for(None), token_for("lead_a")
    base = f"/api/v1/testing/cases/{cast.case_a.reference}/prequalification"
    saved = api.post(base, {"pit_approach": "PIT", "preferred_wave": "W1"}, content_type="application/json", **auth)
    assert saved.status_code == 200 and saved.json()["state"] == "DRAFT"
    assert "PIT start date" in saved.json()["missing"]
    refused = api.post(f"{base}/submit", {}, content_type="application/json", **auth)
    assert refused.status_code == 409 and "PIT start date" in refused.json()["error"]["message"]
    bad = api.post(base, {"preferred_wave": "NOPE"}, content_type="application/json", **auth)
    assert bad.status_code == 422
    hidden = api.get(base, **token_for("lead_b"))
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"


def test_a_proposal_is_drafted_proposed_and_decided_from_the_pages(cast, client_for):
    catalogue()
    lead = client_for("lead_a")
    made = lead.post(
        reverse("testing:case_reliance", args=[cast.case_a.reference]),
        {"relied_on_name": "Acme Billing", "relied_on_kind": "SOFTWARE_PROVIDER", "covers": "QT-005\nQT-006"},
    )
    found = RelianceProposal.objects.get(case=cast.case_a)
    assert made["Location"] == reverse("testing:proposal", args=[found.reference])
    lead.post(reverse("testing:proposal_propose", args=[found.reference]), {"confirm": "on"})
    found.refresh_from_db()
    assert found.state == ProposalState.PROPOSED and found.bodies == ["DIP", "BSC", "REC"]
    for key in ("dip", "bsc"):
        client_for(key).post(
            reverse("testing:proposal_decide", args=[found.reference]),
            {"outcome": "ACCEPTED", "reasons": "Fine.", "confirm": "on"},
        )
    client_for("rec").post(
        reverse("testing:proposal_decide", args=[found.reference]),
        {
            "outcome": "PARTLY_ACCEPTED",
            "accepted_covers": ["QT-006"],
            "reasons": "QT-005 is ours to see.",
            "confirm": "on",
        },
    )
    page = lead.get(reverse("testing:proposal", args=[found.reference])).content.decode()
    assert "Partly accepted</strong> for QT-006" in page and "QT-005 is ours to see." in page
    assert client_for("lead_b").get(reverse("testing:proposal", args=[found.reference])).status_code == 404


def test_the_reliance_graph_shows_staff_everyone_and_a_participant_only_its_own(cast, client_for, token_for):
    proposal(cast.case_a, name="Acme Billing")
    proposal(cast.case_b, name="ACME billing")
    url = reverse("testing:reliance_graph") + "?name=acme+BILLING"
    staff = client_for("bsc").get(url).content.decode()
    assert staff.count('data-testid="relying-row"') == 2
    own = client_for("lead_a").get(url).content.decode()
    assert own.count('data-testid="relying-row"') == 1 and "Southbank" not in own
    providers = client_for(None).get("/api/v1/testing/reliance-providers", **token_for("admin")).json()
    assert [(p["proposals"], p["participants"]) for p in providers["items"]] == [(2, 2)]
    theirs = client_for(None).get("/api/v1/testing/reliance-graph?name=Acme%20Billing", **token_for("lead_b")).json()
    assert [r["case"] for r in theirs["items"]] == [cast.case_b.reference]


def test_the_scope_page_shows_the_would_be_set_then_the_frozen_one_and_a_rescope(cast, client_for, token_for):
    catalogue()
    url = reverse("testing:case_scope", args=[cast.case_a.reference])
    before = client_for("lead_a").get(url).content.decode()
    assert "Not yet confirmed" in before and 'data-testid="run-first"' in before
    prequalify(cast.case_a)
    case_transition(actor=cast.actor("bsc"), case=cast.case_a, name="scope", comment="standard set")
    after = client_for("lead_a").get(url).content.decode()
    assert "Scope 1, confirmed" in after and "BSC (Elexon)" in after and "Re-scope" not in after
    outs = client_for("lead_a").get(url + "?show=out").content.decode()
    assert "Role: " in outs and "In scope for" not in outs
    found = proposal(cast.case_a, covers=("QT-006",))
    for key in ("dip", "bsc", "rec"):
        reliance_decide(actor=cast.actor(key), proposal=found, outcome="ACCEPTED", reasons="Same release.")
    client_for("rec").post(
        reverse("testing:case_rescope", args=[cast.case_a.reference]), {"reason": "reliance", "confirm": "on"}
    )
    assert ScopeRecord.objects.filter(case=cast.case_a).count() == 2
    body = client_for(None).get(f"/api/v1/testing/cases/{cast.case_a.reference}/scope", **token_for("lead_a")).json()
    assert body["confirmed"] and body["history"][0]["removed"][0]["case_id"] == "QT-006"
    assert client_for("lead_b").get(url).status_code == 404
    hidden = client_for(None).get(f"/api/v1/testing/cases/{cast.case_a.reference}/scope", **token_for("lead_b"))
    assert hidden.status_code == 404


def test_a_decision_through_the_api_by_a_body_the_proposal_does_not_go_to_is_403(cast, client_for, token_for):
    found = proposal(cast.case_a, covers=("QT-005",))
    url = f"/api/v1/testing/reliance/{found.reference}/decisions"
    ok = client_for(None).post(
        url, {"outcome": "REFUSED", "reasons": "No."}, content_type="application/json", **token_for("dip")
    )
    assert ok.status_code == 201 and ok.json()["decisions"][0]["body"] == "DIP"
    again = client_for(None).post(
        url, {"outcome": "REFUSED", "reasons": "No."}, content_type="application/json", **token_for("dip")
    )
    assert again.status_code == 422
    hidden = client_for(None).get(f"/api/v1/testing/reliance/{found.reference}", **token_for("lead_b"))
    assert hidden.status_code == 404


def test_reliance_lists_cost_the_same_queries_for_few_rows_or_many(cast, client_for, token_for):
    proposal(cast.case_a, name="Acme Billing")
    staff, api, auth = client_for("admin"), client_for(None), token_for("admin")
    api.get("/api/v1/testing/reliance-providers", **auth)  # the token's first use records last_used_at
    urls = [
        (staff, reverse("testing:reliance_providers"), {}),
        (staff, reverse("testing:reliance_graph") + "?name=Acme+Billing", {}),
        (staff, reverse("testing:case_reliance", args=[cast.case_a.reference]), {}),
        (api, "/api/v1/testing/reliance-providers", auth),
        (api, "/api/v1/testing/reliance-graph?name=Acme%20Billing", auth),
        (api, f"/api/v1/testing/cases/{cast.case_a.reference}/reliance", auth),
    ]

    def counts() -> list[int]:
        out = []
        for client, url, extra in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url, **extra).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    few = counts()
    for i in range(8):
        proposal(cast.case_a, name="Acme Billing" if i % 2 else f"Provider {i}")
        proposal(cast.case_b, name="Acme Billing")
    assert counts() == few
