"""The QAD pages and API: autosave, submissions over the API, and query-count guards on lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.qad.models import Answer
from qualify.qad.services import answer_save
from qualify.qad.tests.helpers import complete, open_qad, publish_sample, to_pit, upload_pdf

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def qad(cast):
    publish_sample()
    return open_qad(cast.case_a, cast.actor("lead_a"))


def test_opening_a_case_qad_binds_it_to_the_published_version(cast, client_for):
    publish_sample()
    response = client_for("contributor_a").get(reverse("qad:case", args=[cast.case_a.reference]))
    assert response.status_code == 200
    assert cast.case_a.qad_response.version.version == "3.2"
    assert "4.5 Connecting to the Data Integration Platform" in response.content.decode()


def test_case_page_links_to_its_qad(cast, client_for):
    body = client_for("lead_a").get(reverse("cases:detail", args=[cast.case_a.reference])).content.decode()
    assert reverse("qad:case", args=[cast.case_a.reference]) in body


def test_autosave_answers_the_status_and_the_new_version(cast, qad, client_for):
    url = reverse("qad:answer", args=[cast.case_a.reference, "Q-4.5.6"])
    client = client_for("contributor_a")
    first = client.post(url, {"value": "Retry three times", "expected_version": "0"}, **HTMX)
    assert first.status_code == 200
    body = first.content.decode()
    assert "Saved" in body and 'id="ver-Q-4_5_6" value="1" hx-swap-oob="true"' in body
    stale = client.post(url, {"value": "Something else", "expected_version": "0"}, **HTMX).content.decode()
    assert "changed by someone else" in stale
    assert Answer.objects.get(question_id="Q-4.5.6").value == "Retry three times"


def test_autosave_of_a_table_keeps_only_filled_rows(cast, qad, client_for):
    url = reverse("qad:answer", args=[cast.case_a.reference, "Q-2.8"])
    data = {"cell-0-control": "Daily count", "cell-0-frequency": "Daily", "cell-0-owner": "Ops", "cell-1-control": ""}
    assert "Saved" in client_for("lead_a").post(url, data, **HTMX).content.decode()
    assert Answer.objects.get(question_id="Q-2.8").value == [
        {"control": "Daily count", "frequency": "Daily", "owner": "Ops"}
    ]


def test_autosave_explains_a_bad_value(cast, qad, client_for):
    url = reverse("qad:answer", args=[cast.case_a.reference, "Q-2.2"])
    body = client_for("lead_a").post(url, {"value": "twelve"}, **HTMX).content.decode()
    assert "2.2: the answer must be a number." in body


def test_staff_cannot_autosave_a_participants_answer(cast, qad, client_for):
    url = reverse("qad:answer", args=[cast.case_a.reference, "Q-4.5.6"])
    assert client_for("bsc").post(url, {"value": "x"}, **HTMX).status_code == 403
    assert not Answer.objects.exists()


def test_section_page_shows_saved_answers_after_a_reload(cast, qad, client_for):
    answer_save(actor=cast.actor("lead_a"), response=qad, question_id="Q-4.5.6", value="Dead-letter queue")
    body = client_for("contributor_a").get(reverse("qad:section", args=[cast.case_a.reference, "4.5"])).content
    assert b"Dead-letter queue" in body and b'hx-trigger="change, keyup changed delay:800ms"' in body
    viewer = client_for("viewer_a").get(reverse("qad:section", args=[cast.case_a.reference, "4.5"])).content
    assert b"hx-post" not in viewer and b"<fieldset disabled" in viewer


def test_api_reads_applicable_questions_and_saves_answers(cast, qad, client_for, token_for):
    client, auth = client_for(None), token_for("contributor_a")
    questions = client.get(f"/api/v1/qad/cases/{cast.case_a.reference}/questions", **auth).json()
    ids = {q["id"] for q in questions}
    assert "Q-5.1.9" in ids and "Q-5.1.1.1" not in ids and "Q-6.1" not in ids
    url = f"/api/v1/qad/cases/{cast.case_a.reference}/answers/Q-2.2"
    saved = client.post(url, {"value": "7", "expected_version": 0}, content_type="application/json", **auth)
    assert saved.json()["version"] == 1
    stale = client.post(url, {"value": "8", "expected_version": 0}, content_type="application/json", **auth)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_answer"


def test_api_submission_lists_what_is_missing_then_submits(cast, qad, client_for, token_for):
    to_pit(cast.case_a, cast)
    client, auth = client_for(None), token_for("contributor_a")
    url = f"/api/v1/qad/cases/{cast.case_a.reference}/submissions"
    refused = client.post(url, {"kind": "INITIAL"}, content_type="application/json", **auth)
    assert refused.status_code == 422
    assert {"number": "1.1", "question": "Q-1.1", "what": "needs an answer"} in refused.json()["error"]["details"][
        "missing"
    ]
    complete(qad, cast.actor("lead_a"))
    submitted = client.post(url, {"kind": "INITIAL"}, content_type="application/json", **auth).json()
    snapshot = client.get(f"/api/v1/qad/submissions/{submitted['reference']}", **token_for("rec")).json()
    assert snapshot["sha256"] == submitted["sha256"] and snapshot["snapshot"]["kind"] == "INITIAL"
    assert client.get(f"/api/v1/cases/{cast.case_a.reference}", **auth).json()["state"] == "INITIAL_QAD_SUBMITTED"
    listed = client.get(url, **auth).json()
    assert listed["count"] == 1


def test_other_organisations_qad_is_indistinguishable_from_a_missing_one(cast, qad, client_for, token_for):
    hidden = client_for(None).get(f"/api/v1/qad/cases/{cast.case_a.reference}", **token_for("lead_b"))
    missing = client_for(None).get("/api/v1/qad/cases/QC-999999", **token_for("lead_b"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def grow(cast, qad, times: int) -> None:
    lead = cast.actor("lead_a")
    for _ in range(times):
        upload_pdf(qad, lead, ["Q-1.2", "Q-4.5.2"])


@pytest.mark.parametrize(
    "url",
    [
        lambda c: reverse("qad:case", args=[c.case_a.reference]),
        lambda c: reverse("qad:section", args=[c.case_a.reference, "4.5"]),
        lambda c: f"/api/v1/qad/cases/{c.case_a.reference}/questions",
        lambda c: f"/api/v1/qad/cases/{c.case_a.reference}/submissions",
        lambda c: reverse("qad:versions"),
        lambda c: "/api/v1/qad/versions",
    ],
    ids=["case page", "section page", "questions endpoint", "submissions endpoint", "versions page", "versions api"],
)
def test_list_pages_and_endpoints_do_not_grow_queries_with_data(cast, qad, client_for, url):
    client = client_for("lead_a")
    complete(qad, cast.actor("lead_a"))
    grow(cast, qad, 1)
    before = count_queries(client, url(cast))
    grow(cast, qad, 5)
    after = count_queries(client, url(cast))
    assert after == before
    assert before <= 20


def test_the_lead_previews_and_makes_a_version_move_from_the_page(cast, qad, client_for):
    from qualify.core.actor import system_actor
    from qualify.qad.services import qad_version_load
    from qualify.qad.tests.helpers import SAMPLE

    answer_save(actor=cast.actor("lead_a"), response=qad, question_id="Q-1.1", value="Ada Lead")
    text = SAMPLE.read_text(encoding="utf-8").replace('version: "3.2"', 'version: "3.3"')
    qad_version_load(
        actor=system_actor(), text=text.replace("      - id: Q-1.8\n", "      - id: Q-1.8b\n"), publish=True
    )
    url = reverse("qad:move_version", args=[cast.case_a.reference])
    client = client_for("lead_a")
    overview = client.get(reverse("qad:case", args=[cast.case_a.reference])).content.decode()
    assert f"{url}?to=3.3" in overview
    preview = client.get(url, {"to": "3.3"}).content.decode()
    assert 'data-testid="change-new"' in preview and 'data-testid="change-removed"' in preview
    qad.refresh_from_db()
    assert qad.version.version == "3.2"
    asked = client.post(url, {"to": "3.3"})  # moving cannot be undone: it asks first and changes nothing
    assert 'data-testid="confirmation-page"' in asked.content.decode()
    qad.refresh_from_db()
    assert qad.version.version == "3.2"
    moved = client.post(url, {"to": "3.3", "confirm": "on"})
    assert moved.status_code == 200
    qad.refresh_from_db()
    assert qad.version.version == "3.3"
    assert (
        client_for("contributor_a").post(url, {"to": "3.2", "confirm": "on"}).status_code == 302
    )  # refused with a message


def test_a_section_that_does_not_apply_is_not_found(cast, qad, client_for):
    response = client_for("lead_a").get(reverse("qad:section", args=[cast.case_a.reference, "6"]))
    assert response.status_code == 404


def test_the_qad_page_offers_only_the_submission_the_case_state_allows(cast, qad, client_for):
    from qualify.cases.models import QualificationCase

    url = reverse("qad:case", args=[cast.case_a.reference])
    draft = client_for("lead_a").get(url).content.decode()
    assert "submit-initial" not in draft and "submit-final" not in draft
    QualificationCase.objects.filter(pk=cast.case_a.pk).update(state="PIT")  # test set-up: jump ahead
    in_pit = client_for("lead_a").get(url).content.decode()
    assert 'data-testid="submit-initial"' in in_pit and 'data-testid="submit-final"' not in in_pit
    QualificationCase.objects.filter(pk=cast.case_a.pk).update(state="TESTING_COMPLETE")  # test set-up: jump ahead
    testing = client_for("lead_a").get(url).content.decode()
    assert 'data-testid="submit-final"' in testing and 'data-testid="submit-initial"' not in testing


def test_a_submission_page_renders_its_snapshot_once_and_shows_everyone_the_same_answers(cast, qad, client_for):
    import re

    from qualify.qad.services import submission_create

    to_pit(cast.case_a, cast)
    complete(qad, cast.actor("lead_a"))
    submission = submission_create(actor=cast.actor("lead_a"), response=qad, kind="INITIAL")
    url = reverse("qad:submission", args=[submission.reference])
    first = client_for("lead_a").get(url).content.decode()
    with CaptureQueriesContext(connection) as again:
        second = client_for("bsc").get(url).content.decode()
    answers = re.findall(r"<dt><strong>.*?</dd>", first, re.S)
    assert len(answers) > 10 and re.findall(r"<dt><strong>.*?</dd>", second, re.S) == answers
    assert 'data-testid="sha256"' in second and "verified" in second
    question_reads = [q["sql"] for q in again.captured_queries if '"qad_qadquestion"' in q["sql"]]
    assert question_reads == [], "a snapshot never changes: its answers are rendered once, not per request"


def test_the_case_qad_page_lists_submissions_without_reading_their_snapshots(cast, qad, client_for):
    from qualify.qad.services import submission_create

    to_pit(cast.case_a, cast)
    complete(qad, cast.actor("lead_a"))
    submission = submission_create(actor=cast.actor("lead_a"), response=qad, kind="INITIAL")
    with CaptureQueriesContext(connection) as read:
        page = client_for("lead_a").get(reverse("qad:case", args=[cast.case_a.reference])).content.decode()
    assert submission.reference in page and submission.sha256[:14] in page
    assert 'name="questions" value="Q-4.5.2"' in page, "an upload can still be attached to any question"
    snapshot_reads = [q["sql"] for q in read.captured_queries if '"qad_qadsubmission"."content"' in q["sql"]]
    assert snapshot_reads == []


def test_submitting_a_qad_asks_first_and_freezes_nothing_until_confirmed(cast, qad, client_for):
    from qualify.cases.models import QualificationCase
    from qualify.qad.models import QadSubmission

    QualificationCase.objects.filter(pk=cast.case_a.pk).update(state="PIT")  # test set-up: jump ahead
    client = client_for("lead_a")
    page = client.get(reverse("qad:case", args=[cast.case_a.reference])).content.decode()
    assert "cannot be changed afterwards" in page  # the question the dialog (or the tick box) asks

    asked = client.post(reverse("qad:submit", args=[cast.case_a.reference]), {"kind": "INITIAL"})

    assert asked.status_code == 200 and "Submit the Initial QAD?" in asked.content.decode()
    assert 'name="kind" value="INITIAL"' in asked.content.decode()
    assert not QadSubmission.objects.exists()
