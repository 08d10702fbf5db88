"""The case's testing pages, the queues and the API: what each person sees and may do, and constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.assessment.tests.journey import ensure_qad
from qualify.testing.choices import Assurance, ExecutionStatus
from qualify.testing.models import Defect, Execution
from qualify.testing.services.defects import defect_record
from qualify.testing.services.execution import execution_add
from qualify.testing.tests.runs_setup import in_testing, pdf, required_by_batch

pytestmark = pytest.mark.django_db


def record(cast, case, test_case, key="lead_a", status=ExecutionStatus.PASSED):  # type: ignore[no-untyped-def]
    return execution_add(actor=cast.actor(key), case=case, test_case_id=test_case, status=status)


def queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_the_case_page_lists_the_required_cases_by_batch_with_their_latest_run(cast, client_for):
    scope = in_testing(cast.case_a)
    record(cast, cast.case_a, scope.required[0], status=ExecutionStatus.FAILED)
    page = client_for("lead_a").get(reverse("testing:case", args=[cast.case_a.reference]))
    text = page.content.decode()
    assert page.status_code == 200
    assert scope.required[0] in text and "Failed" in text and "Functional 1" in text
    assert client_for("lead_b").get(reverse("testing:case", args=[cast.case_a.reference])).status_code == 404


def test_the_case_page_says_when_the_case_is_not_scoped(cast, client_for):
    page = client_for("lead_a").get(reverse("testing:case", args=[cast.case_a.reference]))
    assert "not scoped yet" in page.content.decode()
    panel = client_for("bsc").get(reverse("testing:progress_panel", args=[cast.case_a.reference]))
    assert panel.status_code == 200 and "not scoped yet" in panel.content.decode()


def test_the_case_page_filters_by_batch_and_latest_status(cast, client_for):
    scope = in_testing(cast.case_a)
    dip, other = required_by_batch(scope)
    record(cast, cast.case_a, dip[0], status=ExecutionStatus.BLOCKED)
    url = reverse("testing:case", args=[cast.case_a.reference])
    blocked = client_for("lead_a").get(url, {"status": "BLOCKED"}).content.decode()
    assert dip[0] in blocked and other[0] not in blocked
    only_dip = client_for("lead_a").get(url, {"batch": "DIP", "status": "NOT_RUN"}).content.decode()
    assert dip[1] in only_dip and dip[0] not in only_dip and other[0] not in only_dip


def test_the_case_page_costs_the_same_queries_however_many_runs_and_cases(cast, client_for):
    scope = in_testing(cast.case_a)
    client = client_for("dip")
    url = reverse("testing:case", args=[cast.case_a.reference])
    record(cast, cast.case_a, scope.required[0])
    few = queries(client, url)
    narrow = queries(client, url + "?batch=DIP")
    for test_case in scope.required:
        record(cast, cast.case_a, test_case, status=ExecutionStatus.FAILED)
        record(cast, cast.case_a, test_case)
    defect_record(actor=cast.actor("lead_a"), case=cast.case_a, title="x", owner="o", severity="LOW",
                  test_case_id=scope.required[1])  # fmt: skip
    many = queries(client, url)
    assert many == few == narrow


def test_the_dip_queue_costs_the_same_queries_however_many_runs(cast, client_for):
    dip_a, _ = required_by_batch(in_testing(cast.case_a))
    dip_b, _ = required_by_batch(in_testing(cast.case_b))
    client = client_for("dip")
    url = reverse("testing:assurance_dip")
    mine = reverse("testing:assurance_queue")
    record(cast, cast.case_a, dip_a[0])
    few, few_mine = queries(client, url), queries(client, mine)
    for test_case in dip_a:
        record(cast, cast.case_a, test_case)
    for test_case in dip_b:
        record(cast, cast.case_b, test_case, key="lead_b")
    assert (queries(client, url), queries(client, mine)) == (few, few_mine)
    text = client.get(url).content.decode()
    assert "Southbank" in text and "Northwind" in text
    filtered = client.get(url, {"organisation": str(cast.org_b.uuid)}).content.decode()
    assert "NWEN" not in filtered and "SBPW" in filtered
    assert client_for("bsc").get(url).status_code == 403
    assert client_for("lead_a").get(url).status_code == 403


def test_recording_a_run_on_the_page_with_evidence_shows_its_download(cast, client_for):
    ensure_qad(cast)
    scope = in_testing(cast.case_a)
    test_case = scope.required[0]
    url = reverse("testing:run_record", args=[cast.case_a.reference, test_case])
    data = {"status": "FAILED", "tester": "Ann Tester", "files": pdf("trace.pdf")}
    assert client_for("lead_a").post(url, data).status_code == 302
    run = Execution.objects.get(case=cast.case_a, test_case_id=test_case)
    assert (run.status, run.tester, run.assurance) == ("FAILED", "Ann Tester", Assurance.PENDING)
    evidence = run.evidence.get()
    page = client_for("bsc").get(reverse("testing:test_case", args=[cast.case_a.reference, test_case]))
    assert reverse("qad:evidence_download", args=[evidence.uuid]) in page.content.decode()
    assert client_for("lead_a").get(reverse("qad:evidence_download", args=[evidence.uuid])).status_code == 200
    assert client_for("viewer_a").post(url, {"status": "PASSED"}).status_code == 403
    assert client_for("lead_b").post(url, {"status": "PASSED"}).status_code == 404


def test_a_bsc_assessor_cannot_assure_a_dip_run_on_the_page_or_the_api(cast, client_for, token_for):
    dip, _ = required_by_batch(in_testing(cast.case_a))
    run = record(cast, cast.case_a, dip[0])
    url = reverse("testing:run_assure", args=[run.uuid])
    assert client_for("bsc").post(url, {"decision": "accept"}).status_code == 403
    api = client_for(None).post(f"/api/v1/testing/runs/{run.uuid}/assurance", {"decision": "accept"},
                                content_type="application/json", **token_for("bsc"))  # fmt: skip
    assert api.status_code == 403 and api.json()["error"]["code"] == "not_allowed"
    assert client_for("dip").post(url, {"decision": "accept"}).status_code == 302
    assert Execution.objects.get(pk=run.pk).assurance == Assurance.ACCEPTED


def test_bulk_accept_on_the_case_page(cast, client_for):
    dip, _ = required_by_batch(in_testing(cast.case_a))
    runs = [record(cast, cast.case_a, c) for c in dip[:2]]
    url = reverse("testing:bulk_assure", args=[cast.case_a.reference])
    chosen = {"runs": [str(r.uuid) for r in runs], "confirm": "1"}
    assert client_for("lead_a").post(url, chosen).status_code == 403
    assert client_for("dip").post(url, chosen).status_code == 302
    assert set(Execution.objects.filter(pk__in=[r.pk for r in runs]).values_list("assurance", flat=True)) == {
        Assurance.ACCEPTED
    }


def test_the_api_records_lists_and_assures_runs_with_the_pages_rules(cast, client_for, token_for):
    scope = in_testing(cast.case_a)
    dip, _ = required_by_batch(scope)
    base = f"/api/v1/testing/cases/{cast.case_a.reference}"
    api = client_for(None)
    payload = {"test_case_id": dip[0], "status": "PASSED", "tester": "CI"}
    created = api.post(f"{base}/runs", payload, content_type="application/json", **token_for("lead_a"))
    assert created.status_code == 201 and created.json()["assurance"] == "PENDING"
    assert created.json()["source"] == "API"
    viewer = api.post(f"{base}/runs", payload, content_type="application/json", **token_for("viewer_a"))
    assert viewer.status_code == 403
    assert api.post(f"{base}/runs", payload, content_type="application/json", **token_for("lead_b")).status_code == 404
    future = {**payload, "run_date": "2999-01-01"}
    assert api.post(f"{base}/runs", future, content_type="application/json", **token_for("lead_a")).status_code == 422
    tests = api.get(f"{base}/tests?status=PASSED", **token_for("lead_a")).json()
    assert tests["count"] == 1 and tests["items"][0]["test_case_id"] == dip[0]
    assert tests["items"][0]["latest"]["status"] == "PASSED"
    assert api.get(f"{base}/tests", **token_for("lead_a")).json()["count"] == len(scope.required)
    assert api.get(f"{base}/runs", **token_for("dip")).json()["count"] == 1
    progress = api.get(f"{base}/progress", **token_for("lead_a")).json()
    assert (progress["required"], progress["passed"]) == (len(scope.required), 1)
    queue = api.get("/api/v1/testing/assurance/dip", **token_for("dip")).json()
    assert [r["test_case_id"] for r in queue["items"]] == [dip[0]]
    bulk = api.post(f"{base}/assurance", {"runs": [created.json()["uuid"]]}, content_type="application/json",
                    **token_for("dip"))  # fmt: skip
    assert bulk.status_code == 200 and bulk.json()[0]["assurance"] == "ACCEPTED"


def test_the_api_takes_a_defect_through_its_work_off_plan(cast, client_for, token_for):
    in_testing(cast.case_a)
    api = client_for(None)
    base = f"/api/v1/testing/cases/{cast.case_a.reference}/defects"
    body = {"title": "Late D0010", "owner": "Ops", "severity": "HIGH"}
    made = api.post(base, body, content_type="application/json", **token_for("lead_a"))
    assert made.status_code == 201 and made.json()["covered"] is False
    ref = made.json()["reference"]
    url = f"/api/v1/testing/defects/{ref}"
    assert api.get(url, **token_for("lead_b")).status_code == 404
    step = api.post(f"{url}/transitions", {"name": "close"}, content_type="application/json", **token_for("lead_a"))
    assert step.status_code == 409
    raised = api.post(f"{url}/work-off", {"action": "raise"}, content_type="application/json", **token_for("lead_a"))
    assert raised.status_code == 403
    raised = api.post(f"{url}/work-off", {"action": "raise"}, content_type="application/json", **token_for("rec"))
    assert raised.status_code == 200 and raised.json()["finding"]["body"] == "REC"
    plan = {"action": "propose", "work_off_plan": "Fix in release 4"}
    assert api.post(f"{url}/work-off", plan, content_type="application/json", **token_for("lead_a")).status_code == 200
    agreed = api.post(f"{url}/work-off", {"action": "agree"}, content_type="application/json", **token_for("rec"))
    assert agreed.json()["covered"] is True and agreed.json()["finding"]["state"] == "PLAN_AGREED"
    page = client_for("lead_a").get(reverse("testing:defect", args=[ref])).content.decode()
    assert agreed.json()["finding"]["reference"] in page and "Fix in release 4" in page
    assert Defect.objects.get(reference=ref).finding is not None


def test_the_api_lists_cost_the_same_queries_however_many_runs(cast, client_for, token_for):
    scope = in_testing(cast.case_a)
    api = client_for(None)
    headers = token_for("dip")
    base = f"/api/v1/testing/cases/{cast.case_a.reference}"
    urls = [f"{base}/runs", f"{base}/tests", f"{base}/defects", "/api/v1/testing/assurance/dip"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert api.get(url, **headers).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    dip, _ = required_by_batch(scope)
    record(cast, cast.case_a, dip[0])
    defect_record(actor=cast.actor("lead_a"), case=cast.case_a, title="x", owner="o", severity="LOW")
    counts()  # the first request with a token records its use; measure from the second
    few = counts()
    for test_case in scope.required:
        record(cast, cast.case_a, test_case)
        defect_record(actor=cast.actor("lead_a"), case=cast.case_a, title=test_case, owner="o", severity="LOW",
                      test_case_id=test_case)  # fmt: skip
    assert counts() == few
