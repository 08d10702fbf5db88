"""The RTTM: rows from the records, frozen snapshots (immutable, hashed, numbered per gate), comparison, Excel."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.core.spreadsheet import safe_cell
from qualify.testing.models import Execution, ImmutableError, PreQualification, RttmSnapshot
from qualify.testing.rttm import NOT_COVERED, compare_rows, filter_rows, snapshot_sha256
from qualify.testing.rttm_export import rttm_workbook
from qualify.testing.selectors.rttm import latest_snapshot, rttm_live
from qualify.testing.services.rttm import rttm_snapshot_take
from qualify.testing.tests.rttm_helpers import qad_published, run, scoped_with_runs

pytestmark = pytest.mark.django_db


def _row(rows, test_case):  # type: ignore[no-untyped-def]
    return next(r for r in rows if r["test_case"] == test_case)


def test_the_matrix_traces_each_requirement_to_its_test_cases_with_the_latest_run(cast):
    qad_published()
    scope, (passed, failed, blocked) = scoped_with_runs(cast.case_a)
    live = rttm_live(cast.case_a)
    assert live.scope is not None and live.scope.pk == scope.pk
    row = _row(live.rows, passed)
    assert row["status"] == "PASSED" and row["run_date"] == "2026-03-02" and row["included"]
    assert row["reason"] in ("IN_SCOPE", "MINIMUM_SET") and row["explanation"].startswith("In:")
    assert _row(live.rows, failed)["open_defects"] == ["DEF-000901"]
    assert _row(live.rows, blocked)["status"] == "BLOCKED"
    # A Supplier's functional rows name the BSC's Test Completion Report question, never the MEM's.
    assert row["qad_questions"] == ["Q-3.4"]
    # Cases written only for other roles are not traced; an out-of-scope case of the role says why.
    assert all(r["reason"] != "ROLE" for r in live.rows)
    assert all(r["status"] == "OUT_OF_SCOPE" for r in live.rows if not r["included"])
    # One row per requirement of each traced case, in requirement order.
    assert [r["requirement"] for r in live.rows] == sorted(r["requirement"] for r in live.rows)
    summary = live.summary
    assert summary["test_cases"]["PASSED"] == 1 and summary["test_cases"]["FAILED"] == 1
    assert summary["required_test_cases"] == len(scope.required)
    assert summary["requirements"]["failing"] >= 1


def test_a_requirement_with_no_required_test_case_is_not_covered(cast):
    PreQualification.objects.create(case=cast.case_a, optional_functions_not_sought=["UMS_SUPPLY"])
    scoped_with_runs(cast.case_a)
    live = rttm_live(cast.case_a)
    ums = _row(live.rows, "QT-003")
    assert ums["status"] == "OUT_OF_SCOPE" and "optional function" in ums["explanation"]
    uncovered = filter_rows(live.rows, status=NOT_COVERED)
    assert "REQ-UMS-001" in {r["requirement"] for r in uncovered}
    covered_requirements = {r["requirement"] for r in live.rows if r["included"]}
    assert all(r["requirement"] not in covered_requirements for r in uncovered)
    assert live.summary["requirements"]["not_covered"] == len({r["requirement"] for r in uncovered})


def test_an_unscoped_case_has_an_empty_matrix_and_cannot_be_snapshotted(cast):
    assert rttm_live(cast.case_a).rows == []
    with pytest.raises(ValidationFailed, match="no confirmed scope"):
        rttm_snapshot_take(actor=cast.actor("lead_a"), case=cast.case_a, gate="QT_ENTRY")


def test_a_snapshot_freezes_rows_and_summary_with_a_stable_hash_numbered_per_gate(cast):
    scoped_with_runs(cast.case_a)
    lead = cast.actor("lead_a")
    first = rttm_snapshot_take(actor=lead, case=cast.case_a, gate="QT_ENTRY")
    again = rttm_snapshot_take(actor=lead, case=cast.case_a, gate="QT_ENTRY")
    exit_ = rttm_snapshot_take(actor=lead, case=cast.case_a, gate="QT_EXIT")
    assert (first.sequence, again.sequence, exit_.sequence) == (1, 2, 1)
    assert first.sha256 == again.sha256 != exit_.sha256  # the same matrix at the same gate hashes the same
    stored = RttmSnapshot.objects.get(pk=first.pk)
    assert snapshot_sha256(case=cast.case_a.reference, gate="QT_ENTRY", rows=stored.rows, summary=stored.summary) == (
        stored.sha256
    )
    assert latest_snapshot(cast.case_a, "QT_ENTRY").pk == again.pk
    assert latest_snapshot(cast.case_a, "PIT_EXIT") is None


def test_a_snapshot_never_changes_once_taken(cast):
    scoped_with_runs(cast.case_a)
    snapshot = rttm_snapshot_take(actor=cast.actor("lead_a"), case=cast.case_a, gate="PIT_EXIT")
    snapshot.summary = {}
    with pytest.raises(ImmutableError):
        snapshot.save()
    with pytest.raises(ImmutableError):
        RttmSnapshot.objects.filter(pk=snapshot.pk).update(sha256="0" * 64)
    with pytest.raises(ImmutableError):
        RttmSnapshot.objects.filter(pk=snapshot.pk).delete()
    with pytest.raises(ImmutableError):
        snapshot.delete()


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("lead_a", True), ("admin", True), ("contributor_a", False), ("viewer_a", False), ("bsc", False)],
)
def test_who_takes_a_snapshot(cast, who, allowed):
    scoped_with_runs(cast.case_a)
    if allowed:
        assert rttm_snapshot_take(actor=cast.actor(who), case=cast.case_a, gate="QT_ENTRY").sequence == 1
    else:
        with pytest.raises(NotAllowed):
            rttm_snapshot_take(actor=cast.actor(who), case=cast.case_a, gate="QT_ENTRY")


def test_an_unknown_gate_is_refused(cast):
    scoped_with_runs(cast.case_a)
    with pytest.raises(ValidationFailed, match="Unknown gate"):
        rttm_snapshot_take(actor=cast.actor("lead_a"), case=cast.case_a, gate="SIT_EXIT")


def test_comparing_two_snapshots_says_what_moved(cast):
    scope, (_passed, failed, _blocked) = scoped_with_runs(cast.case_a)
    lead = cast.actor("lead_a")
    before = rttm_snapshot_take(actor=lead, case=cast.case_a, gate="QT_ENTRY")
    run(cast.case_a, failed, "PASSED")
    untested = scope.required[3]
    run(cast.case_a, untested, "PASSED")
    after = rttm_snapshot_take(actor=lead, case=cast.case_a, gate="QT_EXIT")
    result = compare_rows(before.rows, after.rows)
    moved = {(e["test_case"], e["change"]) for e in result["moved"]}
    assert (failed, "Failed → Passed") in moved
    assert (untested, "Not run → Passed") in moved
    assert all(e["test_case"] in (failed, untested) for e in result["moved"])
    assert result["new"] == [] and result["left"] == []


def test_compare_names_rows_that_are_new_and_rows_that_left():
    a = [{"requirement": "R1", "test_case": "QT-001", "title": "a", "status": "PASSED"}]
    b = [{"requirement": "R2", "test_case": "QT-002", "title": "b", "status": "NOT_RUN"}]
    result = compare_rows(a, b)
    assert [e["test_case"] for e in result["new"]] == ["QT-002"]
    assert [e["test_case"] for e in result["left"]] == ["QT-001"]
    assert result["left"][0]["change"] == "Passed → absent"


@pytest.mark.parametrize(
    ("value", "stored"),
    [('=HYPERLINK("x")', '\'=HYPERLINK("x")'), ("+1", "'+1"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("REQ-1", "REQ-1")],
)
def test_a_cell_that_looks_like_a_formula_is_written_as_text(value, stored):
    assert safe_cell(value) == stored


def test_the_excel_export_holds_the_header_and_the_rows(cast):
    rows = [
        {
            "requirement": "=CMD()",
            "test_case": "QT-001",
            "title": "Gain",
            "batch": "FUNCTIONAL_1",
            "included": True,
            "reason": "IN_SCOPE",
            "explanation": "In: written for Supplier.",
            "covered": True,
            "qad_questions": ["Q-3.4"],
            "status": "PASSED",
            "run_date": "2026-03-02",
            "evidence": [{"name": "run.pdf", "sha256": "ab" * 32}],
            "open_defects": [],
        }
    ]
    data = rttm_workbook(
        case_reference="QC-000001",
        organisation="Org",
        heading=[("Gate", "QT exit (snapshot 1)"), ("SHA-256", "f" * 64)],
        rows=rows,
        summary={"test_cases": {"PASSED": 1}, "requirements": {"total": 1, "covered": 1}},
        batch_titles={"FUNCTIONAL_1": "Functional 1"},
    )
    book = load_workbook(io.BytesIO(data))
    sheet = book["RTTM"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:2] == ["Gate", "QT exit (snapshot 1)"]
    assert values[2][:2] == ["SHA-256", "f" * 64]
    assert values[4][0] == "Requirement"
    assert values[5][0] == "'=CMD()" and sheet.cell(row=6, column=1).data_type == "s"
    assert values[5][4] == "Functional 1" and values[5][8] == "Passed"
    assert values[5][10] == f"run.pdf ({'ab' * 32})"
    assert [c.value for c in book["Summary"][2]] == ["Passed", 1]


def test_a_snapshot_downloads_as_excel_with_its_gate_and_hash(cast, client_for):
    scoped_with_runs(cast.case_a)
    snapshot = rttm_snapshot_take(actor=cast.actor("lead_a"), case=cast.case_a, gate="QT_EXIT")
    response = client_for("viewer_a").get(
        reverse("testing:rttm_snapshot_export", args=[cast.case_a.reference, snapshot.uuid])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["RTTM"]
    assert sheet["B2"].value == "QT exit (snapshot 1)"
    assert sheet["B5"].value == snapshot.sha256
    assert sheet.max_row == 7 + len(snapshot.rows)


def test_the_matrix_page_filters_and_pages(cast, client_for):
    _scope, (passed, failed, _) = scoped_with_runs(cast.case_a)
    client = client_for("lead_a")
    url = reverse("testing:rttm", args=[cast.case_a.reference])
    page = client.get(url).content.decode()
    assert "Requirements-to-Test Traceability Matrix" in page and failed in page
    only_failed = client.get(url + "?status=FAILED").content.decode()
    assert only_failed.count('data-testid="rttm-row"') == len(
        [r for r in rttm_live(cast.case_a).rows if r["status"] == "FAILED"]
    )
    assert passed not in only_failed


def test_the_matrix_page_reads_the_same_number_of_queries_however_many_runs(cast, client_for):
    scope, _ = scoped_with_runs(cast.case_a)
    client = client_for("lead_a")
    url = reverse("testing:rttm", args=[cast.case_a.reference])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for test_case in scope.required[3:20]:
        run(cast.case_a, test_case, "PASSED")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_snapshot_pages_take_show_and_compare(cast, client_for):
    _scope, (_, failed, _) = scoped_with_runs(cast.case_a)
    client = client_for("lead_a")
    take = reverse("testing:rttm_snapshot_take", args=[cast.case_a.reference])
    refused = client.post(take, {"gate": "QT_ENTRY"})
    assert refused.status_code == 302 and not RttmSnapshot.objects.filter(case=cast.case_a).exists()
    assert client.post(take, {"gate": "QT_ENTRY", "confirm": "on"}).status_code == 302
    run(cast.case_a, failed, "PASSED")
    client.post(take, {"gate": "QT_EXIT", "confirm": "on"})
    listing = client.get(reverse("testing:rttm_snapshots", args=[cast.case_a.reference])).content.decode()
    assert listing.count('data-testid="snapshot-row"') == 2 and "QT exit" in listing
    snapshot = RttmSnapshot.objects.get(case=cast.case_a, gate="QT_EXIT")
    detail = client.get(reverse("testing:rttm_snapshot", args=[cast.case_a.reference, snapshot.uuid])).content
    assert snapshot.sha256 in detail.decode()
    compare = client.get(reverse("testing:rttm_compare", args=[cast.case_a.reference])).content.decode()
    assert "Failed → Passed" in compare and failed in compare


def test_the_api_reads_the_matrix_takes_a_snapshot_and_compares(cast, client_for, token_for):
    _scope, (_, failed, _) = scoped_with_runs(cast.case_a)
    api = client_for(None)
    auth = token_for("lead_a")
    base = f"/api/v1/testing/cases/{cast.case_a.reference}/rttm"
    matrix = api.get(base + "?status=FAILED", **auth).json()
    assert matrix["count"] >= 1 and {r["status"] for r in matrix["rows"]} == {"FAILED"}
    first = api.post(base + "/snapshots", {"gate": "QT_ENTRY"}, content_type="application/json", **auth)
    assert first.status_code == 201 and first.json()["sequence"] == 1
    run(cast.case_a, failed, "PASSED")
    second = api.post(base + "/snapshots", {"gate": "QT_EXIT"}, content_type="application/json", **auth).json()
    bad = api.post(base + "/snapshots", {"gate": "NOPE"}, content_type="application/json", **auth)
    assert bad.status_code == 422
    compared = api.get(f"{base}/compare?before={first.json()['uuid']}&after={second['uuid']}", **auth).json()
    assert any(e["test_case"] == failed and e["change"] == "Failed → Passed" for e in compared["moved"])
    other = api.get(f"/api/v1/testing/cases/{cast.case_a.reference}/rttm", **token_for("lead_b"))
    assert other.status_code == 404


def test_a_row_lists_the_latest_runs_evidence_by_name_and_hash_in_constant_queries(cast, client_for):
    from qualify.qad.services import response_open
    from qualify.qad.tests.helpers import upload_pdf

    qad_published()
    scope, (passed, _, _) = scoped_with_runs(cast.case_a)
    response = response_open(actor=cast.actor("lead_a"), case=cast.case_a)
    evidence = upload_pdf(response, cast.actor("lead_a"), [], name="run-log.pdf")
    latest = Execution.objects.get(case=cast.case_a, test_case_id=passed, is_latest=True)
    latest.evidence.add(evidence)
    assert _row(rttm_live(cast.case_a).rows, passed)["evidence"] == [{"name": "run-log.pdf", "sha256": evidence.sha256}]
    api, auth = client_for(None), token_for_lead(cast)
    url = f"/api/v1/testing/cases/{cast.case_a.reference}/rttm?limit=200"
    api.get(url, **auth)  # the process remembers the token after its first use
    with CaptureQueriesContext(connection) as few:
        assert api.get(url, **auth).status_code == 200
    for test_case in scope.required[3:15]:
        run(cast.case_a, test_case, "PASSED").evidence.add(evidence)
    with CaptureQueriesContext(connection) as many:
        api.get(url, **auth)
    assert len(many.captured_queries) == len(few.captured_queries)


def token_for_lead(cast):  # type: ignore[no-untyped-def]
    from qualify.accounts.services import api_token_create
    from qualify.core.actor import system_actor

    issued = api_token_create(actor=system_actor(), user=cast.user("lead_a"), name="rttm test")
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}


def test_the_snapshot_list_reads_the_same_number_of_queries_however_many_snapshots(cast, client_for):
    scoped_with_runs(cast.case_a)
    client = client_for("lead_a")
    url = reverse("testing:rttm_snapshots", args=[cast.case_a.reference])
    rttm_snapshot_take(actor=cast.actor("lead_a"), case=cast.case_a, gate="PIT_ENTRY")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for gate in ("PIT_EXIT", "QT_ENTRY", "QT_EXIT", "QT_EXIT"):
        rttm_snapshot_take(actor=cast.actor("lead_a"), case=cast.case_a, gate=gate)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('data-testid="snapshot-row"') == 5
    assert len(many.captured_queries) == len(few.captured_queries)
