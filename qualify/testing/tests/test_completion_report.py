"""The Test Completion Report: facts from the records, Word and PDF kept as QAD evidence, submitted by the lead."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.qad.models import EvidenceLink
from qualify.testing.completion import results_by_batch, scope_facts
from qualify.testing.models import CompletionReport, RelianceProposal
from qualify.testing.rttm import canonical_sha256
from qualify.testing.services.completion import completion_report_generate, completion_report_submit
from qualify.testing.services.rttm import rttm_snapshot_take
from qualify.testing.tests.rttm_helpers import defect, qad_published, scoped_with_runs

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("verdicts", "by_reason", "minimum"),
    [
        ([], [], []),
        (
            [
                {"case_id": "QT-001", "included": True, "reason": "IN_SCOPE", "minimum_sets": []},
                {"case_id": "QT-002", "included": True, "reason": "MINIMUM_SET", "minimum_sets": ["NO_RELIANCE"]},
                {"case_id": "QT-003", "included": False, "reason": "RELIANCE", "minimum_sets": []},
                {"case_id": "QT-004", "included": False, "reason": "ROLE", "minimum_sets": ["NO_RELIANCE"]},
            ],
            [("ROLE", 0, 1), ("RELIANCE", 0, 1), ("MINIMUM_SET", 1, 0), ("IN_SCOPE", 1, 0)],
            ["QT-002"],
        ),
    ],
)
def test_scope_facts_count_each_reason_and_name_the_minimum_set_cases(verdicts, by_reason, minimum):
    facts = scope_facts(verdicts)
    assert [(r["reason"], r["in"], r["out"]) for r in facts["by_reason"]] == by_reason
    assert [m["case_id"] for m in facts["minimum_set_cases"]] == minimum


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        ({}, {"F1": (2, 0, 0, 0, 0, 2), "DIP": (1, 0, 0, 0, 0, 1)}),
        (
            {"QT-1": "PASSED", "QT-2": "NOT_APPLICABLE", "QT-3": "BLOCKED"},
            {"F1": (2, 1, 0, 0, 1, 0), "DIP": (1, 0, 0, 1, 0, 0)},
        ),
        ({"QT-1": "FAILED", "QT-2": "NOT_RUN"}, {"F1": (2, 0, 1, 0, 0, 1), "DIP": (1, 0, 0, 0, 0, 1)}),
    ],
)
def test_results_by_batch_count_the_latest_run_of_each_required_case(latest, expected):
    batches = [{"code": "F1", "title": "Functional 1"}, {"code": "MIG", "title": "Migration"}, {"code": "DIP"}]
    rows = results_by_batch(batches, {"QT-1": "F1", "QT-2": "F1", "QT-3": "DIP"}, latest)
    got = {r["batch"]: (r["required"], r["passed"], r["failed"], r["blocked"], r["not_applicable"], r["not_run"])
           for r in rows}  # fmt: skip
    assert got == expected  # a batch with no required case (Migration) is left out


def _generate(cast):  # type: ignore[no-untyped-def]
    qad_published()
    scope, runs = scoped_with_runs(cast.case_a)
    return scope, runs, completion_report_generate(actor=cast.actor("lead_a"), case=cast.case_a)


def test_the_report_collects_its_facts_from_the_records(cast):
    qad_published()
    scope, (passed, _failed, blocked) = scoped_with_runs(cast.case_a)
    defect(cast.case_a, passed, "DEF-000902")  # open, no work-off plan yet
    defect(cast.case_a, blocked, "DEF-000903", state="CLOSED")
    RelianceProposal.objects.create(
        reference="PRP-T9",
        case=cast.case_a,
        relied_on_name="Acme Billing",
        relied_on_kind="SOFTWARE_PROVIDER",
        covers=["QT-999"],
        state="DECIDED",
        outcome="REFUSED",
    )
    rttm_snapshot_take(actor=cast.actor("lead_a"), case=cast.case_a, gate="QT_EXIT")
    report = completion_report_generate(actor=cast.actor("contributor_a"), case=cast.case_a)
    facts = report.facts
    assert report.sequence == 1 and report.facts_sha256 == canonical_sha256(facts)
    assert facts["scope"]["required"] == len(scope.required) and facts["scope"]["sha256"] == scope.sha256
    assert facts["reliance"][0]["reference"] == "PRP-T9" and facts["reliance"][0]["outcome"] == "Refused"
    totals = {k: sum(b[k] for b in facts["results"]) for k in ("passed", "failed", "blocked", "not_run")}
    assert totals == {"passed": 1, "failed": 1, "blocked": 1, "not_run": len(scope.required) - 3}
    by_ref = {d["reference"]: d for d in facts["defects"]}
    assert set(by_ref) == {"DEF-000901", "DEF-000902"}  # the closed one is not reported
    assert by_ref["DEF-000901"]["plan"]["work_off_plan"].startswith("Fix the rounding")
    assert by_ref["DEF-000901"]["plan"]["due_date"] == "2026-09-30"
    assert by_ref["DEF-000902"]["plan"] is None
    assert facts["rttm"]["snapshot"]["gate"] == "QT_EXIT"


def test_without_a_qt_exit_snapshot_the_report_uses_the_live_matrix(cast):
    _, _, report = _generate(cast)
    assert report.facts["rttm"]["snapshot"] is None
    assert report.facts["rttm"]["summary"]["test_cases"]["PASSED"] == 1


def test_the_word_and_pdf_files_are_qad_evidence_with_the_sections(cast):
    _, _, report = _generate(cast)
    assert report.word is not None and report.pdf is not None
    assert report.word.response.case_id == cast.case_a.pk and len(report.word.sha256) == 64
    from qualify.core.storedfiles import open_stored

    with open_stored(report.word.storage_name) as handle:
        document = Document(io.BytesIO(handle.read()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Scope", "Placing Reliance", "Results by batch", "Defects and work-off plans", "RTTM summary"]
    with open_stored(report.pdf.storage_name) as handle:
        assert handle.read(5) == b"%PDF-"
    assert report.pdf.content_kind == "pdf" and report.word.content_kind == "docx"


def test_staff_cannot_generate_a_participants_report(cast):
    qad_published()
    scoped_with_runs(cast.case_a)
    for who in ("viewer_a", "bsc", "admin"):
        with pytest.raises(NotAllowed):
            completion_report_generate(actor=cast.actor(who), case=cast.case_a)


def test_an_unscoped_case_has_no_report(cast):
    qad_published()
    with pytest.raises(ValidationFailed, match="no confirmed scope"):
        completion_report_generate(actor=cast.actor("lead_a"), case=cast.case_a)


def test_submitting_links_the_files_to_the_test_completion_question_by_hash(cast):
    _, _, report = _generate(cast)
    with pytest.raises(NotAllowed):
        completion_report_submit(actor=cast.actor("contributor_a"), report=report)
    submitted = completion_report_submit(actor=cast.actor("lead_a"), report=report)
    assert submitted.state == "SUBMITTED" and submitted.submitted_by_name
    links = EvidenceLink.objects.filter(response__case=cast.case_a, question_id="Q-3.4")
    assert {link.evidence.sha256 for link in links} == {report.word.sha256, report.pdf.sha256}
    with pytest.raises(TransitionNotAllowed):
        completion_report_submit(actor=cast.actor("lead_a"), report=submitted)
    # A later report, once submitted, replaces the earlier one's files on the question.
    later = completion_report_generate(actor=cast.actor("lead_a"), case=cast.case_a)
    completion_report_submit(actor=cast.actor("lead_a"), report=later)
    links = EvidenceLink.objects.filter(response__case=cast.case_a, question_id="Q-3.4")
    assert {link.evidence.sha256 for link in links} == {later.word.sha256, later.pdf.sha256}


def test_the_report_pages_generate_list_and_submit(cast, client_for):
    qad_published()
    scoped_with_runs(cast.case_a)
    client = client_for("lead_a")
    reports = reverse("testing:completion_reports", args=[cast.case_a.reference])
    assert client.post(reverse("testing:completion_generate", args=[cast.case_a.reference])).status_code == 302
    report = CompletionReport.objects.get(case=cast.case_a)
    page = client.get(reports).content.decode()
    assert reverse("qad:evidence_download", args=[report.pdf.uuid]) in page and 'data-testid="submit"' in page
    download = client.get(reverse("qad:evidence_download", args=[report.pdf.uuid]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    submit = reverse("testing:completion_submit", args=[cast.case_a.reference, report.uuid])
    client.post(submit, {})
    assert CompletionReport.objects.get(pk=report.pk).state == "GENERATED"  # not without the tick
    client.post(submit, {"confirm": "on"})
    assert CompletionReport.objects.get(pk=report.pk).state == "SUBMITTED"


def test_the_report_api_generates_and_submits(cast, client_for, token_for):
    qad_published()
    scoped_with_runs(cast.case_a)
    api = client_for(None)
    base = f"/api/v1/testing/cases/{cast.case_a.reference}/completion-reports"
    made = api.post(base, **token_for("lead_a"))
    assert made.status_code == 201 and made.json()["pdf"]["sha256"]
    key = made.json()["uuid"]
    assert api.post(f"{base}/{key}/submit", **token_for("contributor_a")).status_code == 403
    assert api.post(f"{base}/{key}/submit", **token_for("lead_b")).status_code == 404
    done = api.post(f"{base}/{key}/submit", **token_for("lead_a"))
    assert done.status_code == 200 and done.json()["state"] == "SUBMITTED"
    assert api.post(f"{base}/{key}/submit", **token_for("lead_a")).status_code == 409
    assert len(api.get(base, **token_for("viewer_a")).json()) == 1


def test_the_report_list_reads_the_same_number_of_queries_however_many_reports(cast, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    qad_published()
    scoped_with_runs(cast.case_a)
    client = client_for("lead_a")
    url = reverse("testing:completion_reports", args=[cast.case_a.reference])
    completion_report_generate(actor=cast.actor("lead_a"), case=cast.case_a)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        completion_report_generate(actor=cast.actor("lead_a"), case=cast.case_a)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('data-testid="report-row"') == 4
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_failed_generation_leaves_no_file_in_storage(cast, monkeypatch):
    from django.core.files.storage import storages

    from qualify.testing.services import completion

    qad_published()
    scoped_with_runs(cast.case_a)
    monkeypatch.setattr(completion, "report_pdf", lambda facts: b"not a pdf at all")
    storage = storages["default"]
    # Stored copies land under a pending name first and move to their final name on commit (core/storedfiles.py).
    roots = ("evidence", "pending/evidence")
    before = {root: set(storage.listdir(root)[0]) if storage.exists(root) else set() for root in roots}
    with pytest.raises(ValidationFailed):
        completion_report_generate(actor=cast.actor("lead_a"), case=cast.case_a)
    assert not CompletionReport.objects.filter(case=cast.case_a).exists()
    for root in roots:
        after = storage.listdir(root)[0] if storage.exists(root) else []
        for folder in set(after) - before[root]:
            assert storage.listdir(f"{root}/{folder}")[1] == []
