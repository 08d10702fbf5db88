"""Specifications and validation runs through the services and the pages: who may upload and validate, who sees
what, the downloads, and attaching a run's report as QAD or QT evidence."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from qualify.audit.models import AuditEvent
from qualify.core.errors import NotAllowed, NotFound, ValidationFailed
from qualify.dip import selectors
from qualify.dip.models import MessageResult, Specification, ValidationRun
from qualify.dip.services import run_attach_to_qad, run_attach_to_test_run, run_create
from qualify.dip.tests.helpers import BAD_BATCH, GOOD_BATCH, REGISTRATION, SPEC, as_json, upload, upload_spec, zipped
from qualify.qad.models import EvidenceLink
from qualify.qad.selectors import qad_view
from qualify.qad.tests.helpers import open_qad, publish_sample
from qualify.testing.choices import ExecutionStatus
from qualify.testing.services.execution import execution_add
from qualify.testing.tests.runs_setup import in_testing, required_by_batch

pytestmark = pytest.mark.django_db


def mixed_run(cast, spec, key="lead_a", organisation=None):  # type: ignore[no-untyped-def]
    org = cast.org_a if organisation is None else organisation
    files = [
        upload("good.json", as_json(GOOD_BATCH)),
        upload("more.zip", zipped({"bad.json": as_json(BAD_BATCH), "reg.json": as_json(REGISTRATION), "x.json": b"{"})),
    ]
    return run_create(actor=cast.actor(key), specification=spec, organisation_id=org.pk, schema="", uploads=files)


def test_a_lead_validates_a_zip_of_mixed_files_and_every_result_is_kept(cast):
    spec = upload_spec(cast.actor("lead_a"), cast.org_a.pk)
    assert (spec.version, len(spec.sha256), spec.organisation_id) == ("1.4.0", 64, cast.org_a.pk)
    run = mixed_run(cast, spec)
    assert (run.messages, run.valid, run.invalid, run.unreadable) == (4, 2, 1, 1)
    assert run.summary["per_schema"] == {"ReadingBatch": 1, "Registration": 1}
    results = {r.name: r for r in MessageResult.objects.filter(run=run)}
    assert results["bad.json"].violations[0]["path"] == "$.items[1].quality"
    assert {v["path"] for v in results["bad.json"].violations} == {"$.items[1].quality", "$.items[2].mpid"}
    assert "not valid JSON" in results["x.json"].problem
    actions = set(AuditEvent.objects.filter(action__startswith="dip.").values_list("action", flat=True))
    assert actions == {"dip.specification.upload", "dip.run.create"}


def test_a_bad_specification_is_refused_and_nothing_is_kept(cast):
    with pytest.raises(ValidationFailed, match=r"Swagger 2\.0"):
        upload_spec(cast.actor("lead_a"), cast.org_a.pk, raw=b"swagger: '2.0'\ninfo: {title: x, version: '1'}\n")
    assert not Specification.objects.exists()


def test_a_viewer_may_look_but_not_upload_or_validate(cast):
    spec = upload_spec(cast.actor("lead_a"), cast.org_a.pk)
    with pytest.raises(NotAllowed):
        upload_spec(cast.actor("viewer_a"), cast.org_a.pk)
    with pytest.raises(NotAllowed):
        mixed_run(cast, spec, key="viewer_a")
    with pytest.raises(NotAllowed):  # only the DIP Manager's people upload for the whole programme
        upload_spec(cast.actor("lead_a"), None)
    assert selectors.specification_get(actor=cast.actor("viewer_a"), key=spec.uuid) == spec


def test_the_dip_managers_specification_is_for_everyone_and_an_organisations_is_its_own(cast):
    programme = upload_spec(cast.actor("dip"), None)
    own = upload_spec(cast.actor("lead_a"), cast.org_a.pk)
    assert set(selectors.specification_list(actor=cast.actor("lead_b"))) == {programme}
    with pytest.raises(NotFound):
        selectors.specification_get(actor=cast.actor("lead_b"), key=own.uuid)
    with pytest.raises(NotFound):  # validating for B against A's specification is as if it did not exist
        mixed_run(cast, own, key="lead_b", organisation=cast.org_b)
    run_b = mixed_run(cast, programme, key="lead_b", organisation=cast.org_b)
    assert list(selectors.run_list(actor=cast.actor("lead_a"))) == []
    with pytest.raises(NotFound):
        selectors.run_get(actor=cast.actor("lead_a"), key=run_b.uuid)
    assert selectors.run_get(actor=cast.actor("dip"), key=run_b.uuid) == run_b


def test_the_report_attached_to_a_qad_question_lands_in_its_evidence(cast, client_for):
    publish_sample()
    response = open_qad(cast.case_a, cast.actor("lead_a"))
    question = qad_view(actor=cast.actor("lead_a"), response=response).questions[0]
    run = mixed_run(cast, upload_spec(cast.actor("lead_a"), cast.org_a.pk))
    evidence = run_attach_to_qad(actor=cast.actor("lead_a"), run=run, case=cast.case_a, question_id=question.number)
    assert evidence.original_name == f"dip-validation-{run.short}.pdf" and evidence.content_kind == "pdf"
    assert EvidenceLink.objects.filter(response=response, question_id=question.qid, evidence=evidence).exists()
    assert ValidationRun.objects.get(pk=run.pk).attachments[0]["target"] == question.qid
    with pytest.raises(NotAllowed):  # the QAD's own rule: a viewer cannot change its evidence
        run_attach_to_qad(actor=cast.actor("viewer_a"), run=run, case=cast.case_a, question_id=question.qid)
    with pytest.raises(NotFound):  # another organisation's case
        run_attach_to_qad(actor=cast.actor("lead_a"), run=run, case=cast.case_b, question_id=question.qid)
    with pytest.raises(ValidationFailed, match="no question"):
        run_attach_to_qad(actor=cast.actor("lead_a"), run=run, case=cast.case_a, question_id="99.99")
    # The page: the contributor attaches it to the same question again, as a second evidence file.
    page = client_for("contributor_a").get(reverse("dip:run", args=[run.uuid])).content.decode()
    assert 'data-testid="attach-qad"' in page and cast.case_a.reference in page
    answer = client_for("contributor_a").post(
        reverse("dip:run_attach", args=[run.uuid]),
        {"kind": "qad", "case": cast.case_a.reference, "question": question.qid},
    )
    assert answer.status_code == 302
    assert EvidenceLink.objects.filter(response=response, question_id=question.qid).count() == 2
    assert (
        client_for("lead_b")
        .post(
            reverse("dip:run_attach", args=[run.uuid]), {"kind": "qad", "case": cast.case_a.reference, "question": "x"}
        )
        .status_code
        == 404
    )


def test_the_report_attached_to_a_test_run_lands_in_its_evidence(cast):
    publish_sample()
    record = in_testing(cast.case_a)
    dip_cases, _ = required_by_batch(record)
    execution = execution_add(
        actor=cast.actor("lead_a"), case=cast.case_a, test_case_id=dip_cases[0], status=ExecutionStatus.PASSED
    )
    run = mixed_run(cast, upload_spec(cast.actor("lead_a"), cast.org_a.pk))
    assert list(selectors.attach_executions(actor=cast.actor("lead_a"), run=run)) == [execution]
    run_attach_to_test_run(actor=cast.actor("lead_a"), run=run, execution=execution)
    assert [e.original_name for e in execution.evidence.all()] == [f"dip-validation-{run.short}.pdf"]


# --- the pages -------------------------------------------------------------------------------------------------------


def test_a_lead_uploads_validates_and_downloads_through_the_pages(cast, client_for):
    client = client_for("lead_a")
    spec_file = io.BytesIO(SPEC.read_bytes())
    spec_file.name = "meter-readings.yaml"
    answer = client.post(reverse("dip:specification_upload"), {"organisation": str(cast.org_a.pk), "file": spec_file})
    spec = Specification.objects.get()
    assert answer["Location"] == reverse("dip:specification", args=[spec.uuid])
    messages_zip = io.BytesIO(zipped({"good.json": as_json(GOOD_BATCH), "bad.json": as_json(BAD_BATCH)}))
    messages_zip.name = "messages.zip"
    answer = client.post(
        reverse("dip:run_create", args=[spec.uuid]),
        {"organisation": str(cast.org_a.pk), "schema": "", "files": [messages_zip]},
    )
    run = ValidationRun.objects.get()
    assert answer["Location"] == reverse("dip:run", args=[run.uuid])
    page = client.get(answer["Location"]).content.decode()
    assert "$.items[2].mpid" in page and 'data-testid="count-valid">1<' in page
    exported = client.get(reverse("dip:run_report", args=[run.uuid, "csv"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0][:2] == ["Message", "Outcome"]
    assert [(r[0], r[4]) for r in rows[1:]] == [
        ("good.json", ""),
        ("bad.json", "$.items[1].quality"),
        ("bad.json", "$.items[2].mpid"),
    ]
    report = json.loads(client.get(reverse("dip:run_report", args=[run.uuid, "json"])).content)
    assert report["summary"]["valid"] == 1 and report["specification"]["sha256"] == spec.sha256
    pdf = client.get(reverse("dip:run_report", args=[run.uuid, "pdf"])).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "$.items[2].mpid" in text and "bad.json" in text
    assert client.get(reverse("dip:run_report", args=[run.uuid, "exe"])).status_code == 404
    assert client_for("lead_b").get(reverse("dip:run", args=[run.uuid])).status_code == 404


def test_a_refused_specification_lists_its_problems_on_the_page(cast, client_for):
    client = client_for("lead_a")
    bad = io.BytesIO(b"openapi: 3.0.3\ninfo: {title: x}\npaths: {}\ncomponents: {schemas: {A: {type: objekt}}}\n")
    bad.name = "bad.yaml"
    client.post(reverse("dip:specification_upload"), {"organisation": str(cast.org_a.pk), "file": bad})
    page = client.get(reverse("dip:index")).content.decode()
    assert 'data-testid="spec-problems"' in page and "/info" in page
    assert not Specification.objects.exists()


def test_the_run_page_and_list_cost_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries):
    spec = upload_spec(cast.actor("lead_a"), cast.org_a.pk)
    for _ in range(3):
        run = mixed_run(cast, spec)
    client = client_for("lead_a")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dip:index")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dip:run", args=[run.uuid])).status_code == 200


def test_a_viewer_posting_the_forms_stores_nothing(cast, client_for):
    spec = upload_spec(cast.actor("lead_a"), cast.org_a.pk)
    client = client_for("viewer_a")
    spec_file = io.BytesIO(SPEC.read_bytes())
    spec_file.name = "meter-readings.yaml"
    client.post(reverse("dip:specification_upload"), {"organisation": str(cast.org_a.pk), "file": spec_file})
    messages = io.BytesIO(as_json(GOOD_BATCH))
    messages.name = "good.json"
    answer = client.post(
        reverse("dip:run_create", args=[spec.uuid]), {"organisation": str(cast.org_a.pk), "files": [messages]}
    )
    assert answer.status_code == 302
    assert Specification.objects.count() == 1 and not ValidationRun.objects.exists()


def test_the_api_answers_a_run_as_its_json_report_and_hides_another_organisations(cast, client_for, token_for):
    run = mixed_run(cast, upload_spec(cast.actor("lead_a"), cast.org_a.pk))
    own = client_for(None).get(f"/api/v1/dip/runs/{run.uuid}", **token_for("lead_a"))
    assert own.status_code == 200 and own.json()["summary"]["invalid"] == 1
    assert own.json()["messages"][1]["violations"][0]["path"] == "$.items[1].quality"
    hidden = client_for(None).get(f"/api/v1/dip/runs/{run.uuid}", **token_for("lead_b"))
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
