"""The gates page, the prerequisite forms, the progress panel, the overview's QT progress filter and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.cases.services import case_open
from qualify.core.actor import system_actor
from qualify.participants.choices import MarketRole, Route
from qualify.participants.services import participation_create
from qualify.qad.tests.helpers import PDF, open_qad, upload_pdf
from qualify.qad.tests.helpers import publish_sample as publish_qad
from qualify.testing.choices import ExecutionStatus, PrerequisiteState
from qualify.testing.models import PrerequisiteRecord
from qualify.testing.services.execution import execution_record
from qualify.testing.services.prerequisites import prerequisite_record
from qualify.testing.tests.helpers import programme, scoped

pytestmark = pytest.mark.django_db


def test_the_gates_page_lists_each_condition_in_words(cast, client_for):
    page = client_for("lead_a").get(reverse("testing:case_gates", args=[cast.case_a.reference]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Scope is not confirmed" in text
    assert "PIT exit evidence: not recorded yet." in text
    assert "Test data loaded (test MPANs and market data): not recorded yet." in text
    assert "No Test Completion Report is submitted yet." in text
    assert 'data-testid="record-PIT_EXIT"' in text
    assert "SMOKE_TEST" not in text


def test_the_gates_page_of_another_organisations_case_is_not_found(cast, client_for):
    assert client_for("lead_b").get(reverse("testing:case_gates", args=[cast.case_a.reference])).status_code == 404


def test_recording_with_evidence_on_the_page_stores_it_in_the_qad_evidence_store(cast, client_for):
    publish_qad()
    client = client_for("lead_a")
    upload = SimpleUploadedFile("pit-exit.pdf", PDF + b"x" * 100, content_type="application/pdf")
    response = client.post(
        reverse("testing:prerequisite_record", args=[cast.case_a.reference, "PIT_EXIT"]),
        {"completed_on": "2026-11-02", "note": "PIT exit report", "evidence": upload},
    )
    assert response.status_code == 302
    record = PrerequisiteRecord.objects.get(case=cast.case_a, kind="PIT_EXIT")
    assert [f.original_name for f in record.evidence.all()] == ["pit-exit.pdf"]
    assert record.evidence.get().response.case_id == cast.case_a.pk
    bsc = client_for("bsc")
    bsc.post(reverse("testing:prerequisite_send_back", args=[cast.case_a.reference, "PIT_EXIT"]), {"comment": "?"})
    record.refresh_from_db()
    assert record.state == PrerequisiteState.SENT_BACK and record.review_comment == "?"


def test_a_disguised_file_is_refused_and_nothing_recorded(cast, client_for):
    publish_qad()
    upload = SimpleUploadedFile("evidence.pdf", b"MZ\x90\x00 not a pdf at all" * 10, content_type="application/pdf")
    client_for("lead_a").post(
        reverse("testing:prerequisite_record", args=[cast.case_a.reference, "PIT_EXIT"]),
        {"completed_on": "2026-11-02", "evidence": upload},
    )
    assert not PrerequisiteRecord.objects.filter(case=cast.case_a).exists()


def test_the_api_records_accepts_and_lists_prerequisites(cast, client_for, token_for):
    publish_qad()
    evidence = upload_pdf(open_qad(cast.case_a, cast.actor("lead_a")), cast.actor("lead_a"), [])
    client = client_for(None)
    base = f"/api/v1/testing/cases/{cast.case_a.reference}/prerequisites"
    made = client.post(
        base,
        {"kind": "DIP_ONBOARDING", "completed_on": "2026-11-02", "note": "Onboarded", "evidence": [str(evidence.uuid)]},
        content_type="application/json",
        **token_for("contributor_a"),
    )
    assert made.status_code == 201, made.content
    assert made.json()["state"] == "RECORDED" and made.json()["evidence"][0]["sha256"] == evidence.sha256
    accepted = client.post(f"{base}/DIP_ONBOARDING/accept", {}, content_type="application/json", **token_for("rec"))
    assert accepted.status_code == 200 and accepted.json()["state"] == "ACCEPTED"
    again = client.post(f"{base}/DIP_ONBOARDING/accept", {}, content_type="application/json", **token_for("rec"))
    assert again.status_code == 409
    listed = client.get(base, **token_for("lead_a")).json()
    assert [p["kind"] for p in listed] == ["PIT_EXIT", "DIP_ONBOARDING", "FRAMEWORK_ONBOARDING", "TEST_DATA"]
    assert [p["recorded"] for p in listed] == [False, True, False, False]


def test_the_api_refuses_a_future_date_and_another_cases_evidence(cast, client_for, token_for):
    publish_qad()
    foreign = upload_pdf(open_qad(cast.case_a_mem, cast.actor("lead_a")), cast.actor("lead_a"), [])
    client = client_for(None)
    base = f"/api/v1/testing/cases/{cast.case_a.reference}/prerequisites"
    future = client.post(
        base, {"kind": "PIT_EXIT", "completed_on": "2099-01-01"}, content_type="application/json", **token_for("lead_a")
    )
    assert future.status_code == 422
    other = client.post(
        base,
        {"kind": "PIT_EXIT", "completed_on": "2026-11-01", "evidence": [str(foreign.uuid)]},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert other.status_code == 422 and "held for this case" in other.json()["error"]["message"]
    unknown = client.post(
        base, {"kind": "BOGUS", "completed_on": "2026-11-01"}, content_type="application/json", **token_for("lead_a")
    )
    assert unknown.status_code == 422


def test_the_gates_endpoint_lists_entering_and_leaving(cast, client_for, token_for):
    url = f"/api/v1/testing/cases/{cast.case_a_mem.reference}/gates"
    body = client_for(None).get(url, **token_for("lead_a")).json()
    assert [c["key"] for c in body["entering"]] == ["initial_qad"]
    assert [c["key"] for c in body["leaving"]] == ["prerequisite:SIT_EXIT", "findings"]
    assert body["leaving"][0]["message"] == "SIT exit evidence: not recorded yet."
    assert client_for(None).get(url, **token_for("lead_b")).status_code == 404


def test_the_progress_panel_shows_counts_for_a_scoped_qt_case_only(cast, client_for):
    client = client_for("lead_a")
    url = reverse("testing:progress_panel", args=[cast.case_a.reference])
    assert "testing-progress" not in client.get(url).content.decode()
    record = scoped(cast.case_a)
    execution_record(actor=programme(), case=cast.case_a, test_case_id=record.required[0], status="PASSED")
    text = client.get(url).content.decode()
    assert 'data-testid="progress-required">' + str(len(record.required)) in text
    assert 'data-testid="progress-passed">1<' in text
    sit = client.get(reverse("testing:progress_panel", args=[cast.case_a_mem.reference])).content.decode()
    assert "testing-progress" not in sit


def test_the_case_page_home_and_assessment_page_load_the_progress_panel(cast, client_for):
    lead = client_for("lead_a")
    panel = reverse("testing:progress_panel", args=[cast.case_a.reference])
    assert panel in lead.get(reverse("cases:home")).content.decode()
    assert panel in lead.get(reverse("cases:detail", args=[cast.case_a.reference])).content.decode()
    assert panel in client_for("bsc").get(reverse("assessment:case", args=[cast.case_a.reference])).content.decode()
    sit_panel = reverse("testing:progress_panel", args=[cast.case_a_mem.reference])
    assert sit_panel not in lead.get(reverse("cases:detail", args=[cast.case_a_mem.reference])).content.decode()


def _more_cases(cast, n: int, prefix: str):  # type: ignore[no-untyped-def]
    system = system_actor("overview tests")
    made = []
    for i in range(n):
        p = participation_create(
            actor=system, organisation=cast.org_b, mpid=f"{prefix}{i:02d}", role=MarketRole.SUPPLIER, route=Route.QT
        )
        made.append(case_open(actor=system, participation=p, wave=cast.wave))
    return made


def _overview(client, bucket: str) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("cases:list"), {"qt": bucket})
    assert page.status_code == 200
    return page.content.decode(), len(ctx.captured_queries)


def test_the_overview_filters_by_qt_progress_in_the_same_queries_at_two_sizes(cast, client_for):
    admin = client_for("admin")
    failing = scoped(cast.case_a)
    execution_record(actor=programme(), case=cast.case_a, test_case_id=failing.required[0], status="FAILED")
    started = scoped(cast.case_b)
    execution_record(
        actor=programme(), case=cast.case_b, test_case_id=started.required[0], status=ExecutionStatus.PASSED
    )
    text, few = _overview(admin, "failing")
    assert cast.case_a.reference in text and cast.case_b.reference not in text
    text, _ = _overview(admin, "in_progress")
    assert cast.case_b.reference in text and cast.case_a.reference not in text
    assert cast.case_a_mem.reference not in _overview(admin, "not_scoped")[0]  # SIT route: no QT buckets
    for case in _more_cases(cast, 6, "ZZ"):
        record = scoped(case)
        execution_record(actor=programme(), case=case, test_case_id=record.required[0], status="FAILED")
    text, many = _overview(admin, "failing")
    assert many == few and text.count("ZZ0") == 6
    for test_case in started.required:
        execution_record(actor=programme(), case=cast.case_b, test_case_id=test_case, status="PASSED")
    assert cast.case_b.reference in _overview(admin, "complete")[0]
    fresh = _more_cases(cast, 1, "YY")[0]
    assert fresh.reference in _overview(admin, "not_scoped")[0]
    scoped(fresh)
    assert fresh.reference in _overview(admin, "not_started")[0]
    text, _ = _overview(admin, "")
    assert 'name="qt"' in text and "Failing (any failed)" in text


def test_a_recorded_prerequisite_is_audited(cast):
    from qualify.audit.models import AuditEvent

    prerequisite_record(
        actor=cast.actor("lead_a"), case=cast.case_a, kind="PIT_EXIT", completed_on=dt.date(2026, 11, 1)
    )
    assert AuditEvent.objects.filter(action="testing.prerequisite_recorded").exists()
