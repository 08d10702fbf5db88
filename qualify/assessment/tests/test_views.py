"""The assessment pages: what each side sees and may do, refusals with their status, and query-count guards."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qualify.assessment import services
from qualify.assessment.models import Query
from qualify.assessment.tests import journey
from qualify.qad.tests.helpers import PDF

HTMX = {"HTTP_HX_REQUEST": "true"}
NOTE = "Internal: their runbook looks copied from another supplier"


@pytest.fixture
def submitted(cast):
    """Case A with its Initial QAD submitted, waiting for the Code Bodies."""
    return journey.to_initial_submitted(cast, cast.case_a)


@pytest.fixture
def query(cast, submitted):
    """An open BSC query on case A with a reviewers' internal note."""
    return services.query_raise(
        actor=cast.actor("bsc"),
        submission=journey.latest_submission(submitted),
        question_id=journey.owned_question(submitted, "BSC"),
        text="Show how failed messages are retried.",
        internal_note=NOTE,
    )


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.content.decode())


def test_assessor_raises_a_query_from_the_case_page(cast, submitted, client_for):
    question = journey.owned_question(submitted, "BSC")
    page = _html(client_for("bsc").get(reverse("assessment:case", args=[submitted.reference])))
    assert f'value="{question}"' in page and "Raise query" in page

    response = client_for("bsc").post(
        reverse("assessment:query_raise", args=[submitted.reference]),
        {"question_id": question, "text": "Which queue holds the retries?", "response_due": "", "internal_note": ""},
    )

    assert response.status_code == 302
    raised = Query.objects.get(case=submitted)
    assert raised.state == "OPEN" and raised.body == "BSC"
    assert journey.fresh(submitted).state == "INITIAL_CLARIFICATION"


def test_participant_answers_a_query_from_the_page_with_a_new_file(cast, query, client_for):
    client = client_for("contributor_a")
    page = _html(client.get(reverse("assessment:query", args=[query.reference])))
    assert "Show how failed messages are retried." in page and "Send answer" in page

    response = client.post(
        reverse("assessment:query_answer", args=[query.reference]),
        {"text": "Retries run every five minutes; see the runbook.", "file": SimpleUploadedFile("runbook.pdf", PDF)},
    )

    assert response.status_code == 302
    query.refresh_from_db()
    assert query.state == "ANSWERED"
    answer = query.messages.get(kind="ANSWER")
    assert answer.from_participant and answer.evidence is not None
    assert answer.evidence.original_name == "runbook.pdf"
    shown = _html(client.get(reverse("assessment:query", args=[query.reference])))
    assert "Retries run every five minutes" in shown and "runbook.pdf" in shown


def test_participant_can_point_an_answer_at_existing_qad_evidence(cast, query, client_for):
    from qualify.qad.models import EvidenceFile

    evidence = EvidenceFile.objects.filter(response__case=query.case).first()
    assert evidence is not None
    response = client_for("lead_a").post(
        reverse("assessment:query_answer", args=[query.reference]),
        {"text": "It is already in our QAD.", "evidence": str(evidence.uuid)},
    )
    assert response.status_code == 302
    assert query.messages.get(kind="ANSWER").evidence == evidence


def test_participant_never_sees_the_reviewers_internal_notes(cast, query, client_for):
    finding = services.finding_record(
        actor=cast.actor("bsc"),
        case=journey.fresh(query.case),
        body="BSC",
        title="Retry handling untested",
        description="Retries were not exercised in PIT.",
        owner="Northwind test lead",
        due_date=timezone.localdate() + dt.timedelta(days=30),
        internal_note=NOTE,
    )
    pages = [
        reverse("assessment:query", args=[query.reference]),
        reverse("assessment:case", args=[query.case.reference]),
        reverse("assessment:finding", args=[finding.reference]),
        reverse("assessment:queue"),
        reverse("assessment:queries"),
    ]
    for who in ("lead_a", "viewer_a"):
        for url in pages:
            response = client_for(who).get(url)
            assert response.status_code == 200, url
            assert NOTE not in _html(response), f"{who} saw the internal note on {url}"
    # Outcomes (the query set one) are internal too.
    assert 'data-testid="outcome"' not in _html(client_for("lead_a").get(pages[1]))
    assert NOTE in _html(client_for("bsc").get(pages[0]))
    assert NOTE in _html(client_for("auditor").get(pages[2]))
    assert 'data-testid="outcome"' in _html(client_for("bsc").get(pages[1]))


def test_outsider_gets_404_on_another_organisations_query_case_and_finding(cast, query, client_for):
    finding = services.finding_record(
        actor=cast.actor("bsc"),
        case=journey.fresh(query.case),
        body="BSC",
        title="Gap",
        description="A gap.",
        owner="Northwind",
        due_date=timezone.localdate() + dt.timedelta(days=5),
    )
    client = client_for("lead_b")
    for url in (
        reverse("assessment:query", args=[query.reference]),
        reverse("assessment:query", args=[str(query.uuid)]),
        reverse("assessment:case", args=[query.case.reference]),
        reverse("assessment:finding", args=[finding.reference]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("assessment:query", args=["QRY-999999"])).status_code == 404
    listed = _html(client.get(reverse("assessment:queries")))
    assert query.reference not in listed


def test_participant_cannot_close_a_query(cast, query, client_for):
    response = client_for("lead_a").post(
        reverse("assessment:query_close", args=[query.reference]), {"text": "We think this is done.", "confirm": "on"}
    )
    assert response.status_code == 403
    assert "Only the reviewer" in _html(response)
    query.refresh_from_db()
    assert query.state == "OPEN"


def test_assessor_follows_up_and_closes_a_query(cast, query, client_for):
    services.query_answer(actor=cast.actor("lead_a"), query=query, text="Done.")
    client = client_for("bsc")
    page = _html(client.get(reverse("assessment:query", args=[query.reference])))
    assert "Ask a follow-up" in page and "Close query" in page
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("assessment:query_follow_up", args=[query.reference]), {"text": "And the alerts?", "response_due": due}
    )
    assert response.status_code == 302
    query.refresh_from_db()
    assert query.state == "OPEN" and query.response_due.isoformat() == due
    response = client.post(
        reverse("assessment:query_close", args=[query.reference]), {"text": "Understood.", "confirm": "on"}
    )
    assert response.status_code == 302
    query.refresh_from_db()
    assert query.state == "CLOSED"


def test_another_body_cannot_close_the_bsc_query(cast, query, client_for):
    response = client_for("rec").post(
        reverse("assessment:query_close", args=[query.reference]), {"text": "x", "confirm": "on"}
    )
    assert response.status_code == 403
    query.refresh_from_db()
    assert query.state == "OPEN"


def test_a_blank_answer_is_refused_with_422_and_changes_nothing(cast, query, client_for):
    response = client_for("lead_a").post(reverse("assessment:query_answer", args=[query.reference]), {"text": ""})
    assert response.status_code == 422
    query.refresh_from_db()
    assert query.state == "OPEN"


def test_machine_clients_never_reach_assessment_pages(cast, query, client_for):
    client = client_for("machine")  # a session made for a machine is not honoured (accounts.backends)
    for url in (
        reverse("assessment:queue"),
        reverse("assessment:queries"),
        reverse("assessment:query", args=[query.reference]),
        reverse("assessment:case", args=[query.case.reference]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_review_queue_shows_the_stopped_clock_while_the_participant_owes_an_answer(cast, query, client_for):
    page = _html(client_for("bsc").get(reverse("assessment:queue")))
    assert query.case.reference in page
    assert "clock stopped" in page
    # The REC owns sections too; its clock runs.
    rec = _html(client_for("admin").get(reverse("assessment:queue") + "?body=REC"))
    assert "Review queue · REC Code Manager" in rec
    assert "days left" in rec


def test_participant_home_lists_what_it_owes_overdue_first(cast, query, client_for):
    late = journey.raise_query(cast, journey.fresh(query.case), "REC", text="Late one")
    Query.objects.filter(pk=late.pk).update(response_due=timezone.localdate() - dt.timedelta(days=2))
    page = _html(client_for("lead_a").get(reverse("assessment:queue")))
    assert page.index(late.reference) < page.index(query.reference)
    assert "overdue" in page


def test_query_list_filters_through_htmx(cast, query, client_for):
    client = client_for("bsc")
    partial = client.get(reverse("assessment:queries") + "?state=CLOSED", **HTMX)
    assert "<html" not in _html(partial)
    assert query.reference not in _html(partial)
    shown = _html(client.get(reverse("assessment:queries") + "?state=OPEN&body=BSC"))
    assert query.reference in shown


def test_overdue_filter_shows_both_sides(cast, query, client_for):
    Query.objects.filter(pk=query.pk).update(response_due=timezone.localdate() - dt.timedelta(days=1))
    shown = _html(client_for("lead_a").get(reverse("assessment:queries") + "?overdue=1"))
    assert query.reference in shown and "overdue" in shown


def test_participant_proposes_a_work_off_plan_and_the_assessor_agrees_it(cast, query, client_for):
    finding = services.finding_record(
        actor=cast.actor("bsc"),
        case=journey.fresh(query.case),
        body="BSC",
        title="Retry handling untested",
        description="Retries were not exercised in PIT.",
        owner="Northwind",
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    url = reverse("assessment:finding_transition", args=[finding.reference])
    response = client_for("lead_a").post(
        url, {"name": "propose_plan", "work_off_plan": "Exercise retries in QT.", "owner": "Test lead"}
    )
    assert response.status_code == 302
    refused = client_for("lead_a").post(url, {"name": "agree_plan"})
    assert refused.status_code == 403
    assert client_for("bsc").post(url, {"name": "agree_plan"}).status_code == 302
    finding.refresh_from_db()
    assert finding.state == "PLAN_AGREED" and finding.owner == "Test lead"
    page = _html(client_for("viewer_a").get(reverse("assessment:finding", args=[finding.reference])))
    assert "Exercise retries in QT." in page and "Work-off plan agreed" in page


def test_board_calendar_schedules_a_meeting_and_tables_a_case(cast, client_for):
    client = client_for("board")
    on = timezone.localdate() + dt.timedelta(days=14)
    response = client.post(reverse("assessment:meeting_schedule"), {"body": "BSC", "meets_on": on.isoformat()})
    assert response.status_code == 302
    calendar = _html(client.get(reverse("assessment:board")))
    assert "BSC PAB meeting" in calendar
    assert client_for("lead_a").get(reverse("assessment:board")).status_code == 403
    assert (
        client_for("bsc")
        .post(reverse("assessment:meeting_schedule"), {"body": "REC", "meets_on": on.isoformat()})
        .status_code
        == 403
    )


def test_board_records_a_decision_from_the_meeting_page(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    case = journey.to_awaiting_approval(cast, case)
    item = journey.table(cast, case, "BSC")
    meeting = item.meeting
    page = _html(client_for("board").get(reverse("assessment:meeting", args=[meeting.reference])))
    assert case.reference in page and "BSC sections satisfactory." in page
    response = client_for("board").post(
        reverse("assessment:decide", args=[meeting.reference]),
        {
            "case": case.reference,
            "outcome": "APPROVE",
            "minutes": "Approved.",
            "effective_from": "2026-12-01",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    shown = _html(client_for("lead_a").get(reverse("assessment:case", args=[case.reference])))
    assert "Approved." in shown
    assert "BSC sections satisfactory." not in shown  # recommendations stay inside the Code Bodies


def test_a_meeting_that_has_not_met_offers_no_decision_form_until_its_day(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    case = journey.to_awaiting_approval(cast, case)
    on = timezone.localdate() + dt.timedelta(days=7)
    meeting = journey.table(cast, case, "BSC", on=on).meeting
    url = reverse("assessment:meeting", args=[meeting.reference])

    before = _html(client_for("board").get(url))

    assert case.reference in before and f'data-testid="decide-{case.reference}"' not in before
    assert 'data-testid="not-held"' in before and f"{on:%-d %b %Y}" in before
    with time_machine.travel(dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC)):
        on_the_day = _html(client_for("board").get(url))
    assert f'data-testid="decide-{case.reference}"' in on_the_day and 'data-testid="not-held"' not in on_the_day


def test_decision_pack_downloads_as_word_and_pdf(cast, client_for):
    pytest.importorskip("qualify.assessment.exports")
    meeting = journey.meeting(cast, "BSC")
    client = client_for("auditor")
    docx = client.get(reverse("assessment:pack", args=[meeting.reference, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    pdf = client.get(reverse("assessment:pack", args=[meeting.reference, "pdf"]))
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert client_for("lead_a").get(reverse("assessment:pack", args=[meeting.reference, "pdf"])).status_code == 403


def test_queue_and_query_list_pages_take_a_bounded_number_of_queries(
    cast, submitted, client_for, django_assert_max_num_queries
):
    for body in ("BSC", "REC", "DIP"):
        journey.raise_query(cast, journey.fresh(submitted), body)
    case_b = journey.to_initial_submitted(cast, cast.case_b)
    journey.raise_query(cast, case_b, "BSC")
    staff = client_for("rec")  # the REC approves both roles below (Supplier and MEM); the BSC does not approve MEMs
    with CaptureQueriesContext(connection) as two_cases:
        assert staff.get(reverse("assessment:queue")).status_code == 200
    journey.raise_query(cast, journey.to_initial_submitted(cast, cast.case_a_mem), "REC")
    with CaptureQueriesContext(connection) as three_cases:
        page = staff.get(reverse("assessment:queue"))
    assert cast.case_a_mem.reference in page.content.decode()
    assert len(three_cases) == len(two_cases), "the review queue must not query per case"
    with django_assert_max_num_queries(12):
        assert staff.get(reverse("assessment:queries")).status_code == 200
    participant = client_for("lead_a")
    with django_assert_max_num_queries(15):
        assert participant.get(reverse("assessment:queue")).status_code == 200
    with django_assert_max_num_queries(15):
        assert participant.get(reverse("assessment:queries")).status_code == 200


def test_tabling_an_unknown_case_is_refused_in_words(cast, client_for):
    meeting = journey.meeting(cast, "BSC")
    response = client_for("admin").post(
        reverse("assessment:agenda_add", args=[meeting.reference]), {"case": "QC-999999"}
    )
    assert response.status_code == 422
    assert "There is no case QC-999999." in _html(response)


def test_programme_records_an_activation_step_with_an_evidence_file(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    case = journey.approve_all(cast, journey.to_awaiting_approval(cast, case))
    assert case.state == "QUALIFIED"
    url = reverse("assessment:activation", args=[case.reference])
    refused = client_for("dip").post(url, {"item": "REFERENCE_DATA_PUBLISHED", "evidence_reference": "MDD 9"})
    assert refused.status_code == 403
    response = client_for("admin").post(
        url,
        {
            "item": "REFERENCE_DATA_PUBLISHED",
            "evidence_reference": "MDD 412",
            "file": SimpleUploadedFile("publication.pdf", PDF + b"mdd"),
        },
    )
    assert response.status_code == 302
    step = case.activation_steps.get()
    assert step.evidence_name == "publication.pdf" and len(step.evidence_sha256) == 64
    shown = _html(client_for("viewer_a").get(reverse("assessment:case", args=[case.reference])))
    assert "MDD 412" in shown and "publication.pdf" in shown
    evidence_url = reverse("assessment:activation_evidence", args=[case.reference, "REFERENCE_DATA_PUBLISHED"])
    download = client_for("viewer_a").get(evidence_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF + b"mdd"
    assert client_for("lead_b").get(evidence_url).status_code == 404
    assert journey.fresh(case).state == "SERVICE_ACTIVATION"


def test_meeting_page_queries_do_not_grow_with_the_agenda(cast, client_for):
    from qualify.assessment.models import AgendaItem

    meeting = journey.meeting(cast, "REC")
    # The page only needs rows on the agenda; tabling through the service needs agreed cases.
    AgendaItem.objects.create(meeting=meeting, case=cast.case_a, added_by_name="test")
    board = client_for("board")
    url = reverse("assessment:meeting", args=[meeting.reference])
    with CaptureQueriesContext(connection) as one_case:
        assert board.get(url).status_code == 200
    AgendaItem.objects.create(meeting=meeting, case=cast.case_a_mem, added_by_name="test")
    AgendaItem.objects.create(meeting=meeting, case=cast.case_b, added_by_name="test")
    with CaptureQueriesContext(connection) as three_cases:
        page = board.get(url)
    assert cast.case_b.reference in page.content.decode()
    assert len(three_cases) == len(one_case), "the decision pack must not query per tabled case"


def test_a_refused_answer_with_a_file_leaves_no_evidence_behind(cast, query, client_for):
    from qualify.qad.models import EvidenceFile

    services.query_close(actor=cast.actor("bsc"), query=query, text="Resolved by phone.")
    before = EvidenceFile.objects.count()
    response = client_for("lead_a").post(
        reverse("assessment:query_answer", args=[query.reference]),
        {"text": "Here is the runbook.", "file": SimpleUploadedFile("runbook.pdf", PDF)},
    )
    assert response.status_code == 409
    assert EvidenceFile.objects.count() == before


def test_a_follow_up_due_in_the_past_is_invalid_input(cast, query, client_for):
    services.query_answer(actor=cast.actor("lead_a"), query=query, text="Answered.")
    response = client_for("bsc").post(
        reverse("assessment:query_follow_up", args=[query.reference]),
        {"text": "Not enough.", "response_due": "2001-01-01"},
    )
    assert response.status_code == 422
    assert Query.objects.get(pk=query.pk).state == "ANSWERED"


def test_meeting_agenda_pages_in_case_order_without_reading_snapshots(cast, client_for, monkeypatch):
    from qualify.assessment import selectors
    from qualify.assessment.models import AgendaItem

    monkeypatch.setattr(selectors, "AGENDA_PER_PAGE", 2)
    case = journey.to_final_submitted(cast, journey.to_testing(cast, journey.to_initial_submitted(cast, cast.case_a)))
    case = journey.to_awaiting_approval(cast, case)
    item = journey.table(cast, case, "BSC")
    for other in (cast.case_a_mem, cast.case_b):
        AgendaItem.objects.create(meeting=item.meeting, case=other, added_by_name="test")
    first, second, third = sorted([case.reference, cast.case_a_mem.reference, cast.case_b.reference])
    board = client_for("board")
    url = reverse("assessment:meeting", args=[item.meeting.reference])
    with CaptureQueriesContext(connection) as read:
        page_one = _html(board.get(url))
    page_two = _html(board.get(url, {"page": 2}))
    assert f'data-testid="agenda-{first}"' in page_one and f'data-testid="agenda-{second}"' in page_one
    assert f'data-testid="agenda-{third}"' not in page_one and f'data-testid="agenda-{third}"' in page_two
    assert "<strong>3</strong> cases on the agenda" in page_one and 'data-testid="agenda-pager"' in page_one
    shown = page_one + page_two
    assert "BSC sections satisfactory." in shown, "the recommendation on the latest Final QAD is still shown"
    snapshot_reads = [q["sql"] for q in read.captured_queries if '"qad_qadsubmission"."content"' in q["sql"]]
    assert snapshot_reads == [], "the agenda names submissions; it never needs their snapshots"


def test_case_assessment_page_works_out_a_snapshots_answers_once(cast, submitted, client_for):
    import re

    url = reverse("assessment:case", args=[submitted.reference])
    first = _html(client_for("bsc").get(url))
    with CaptureQueriesContext(connection) as again:
        second = _html(client_for("admin").get(url))
    rows = re.findall(r'<tr data-testid="question-[^"]+">\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>.*?</td>', first, re.S)
    assert len(rows) > 10
    assert (
        re.findall(r'<tr data-testid="question-[^"]+">\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>.*?</td>', second, re.S)
        == rows
    )
    assert 'data-testid="raise-' in second, "the programme administrator can still raise a query on any question"
    reads = [q["sql"] for q in again.captured_queries]
    assert not [sql for sql in reads if '"qad_qadsubmission"."content"' in sql], "no snapshot is read again"
    assert not [sql for sql in reads if 'FROM "qad_qadquestion"' in sql], "nor the version's questions"


def _card(page: str, reference: str) -> str:
    """The home page's card of one case."""
    start = page.index(f'id="case-{reference}"')
    return page[start : page.find("</section>", start)]


def test_home_puts_an_open_querys_answer_and_its_date_first_then_waits_for_the_code_body(cast, query, client_for):
    client = client_for("lead_a")
    home = _card(_html(client.get(reverse("cases:home"))), query.case.reference)
    assert "1 open query on your QAD" in home
    assert f'datetime="{query.response_due:%Y-%m-%d}"' in home
    assert "clarification questions" not in home  # the state's generic step gives way
    case_page = _html(client.get(reverse("cases:detail", args=[query.case.reference])))
    assert "1 open query on your QAD" in case_page

    services.query_answer(actor=cast.actor("contributor_a"), query=query, text="Every five minutes.")

    home = _card(_html(client.get(reverse("cases:home"))), query.case.reference)
    assert "Waiting for the Code Body: it is reviewing your answer to 1 query." in home
    assert 'data-testid="due"' not in home


def test_home_names_the_participants_organisation(cast, client_for):
    home = _html(client_for("lead_a").get(reverse("cases:home")))
    assert cast.case_a.participation.organisation.name in home.split("</h1>")[0]


def _frozen_pdf(submission):  # type: ignore[no-untyped-def]
    import json

    for item in json.loads(submission.content)["questions"]:
        for entry in item["evidence"]:
            if entry["name"].endswith(".pdf"):
                return item, entry
    raise AssertionError("the journey's submission carries a PDF")


def test_assessor_opens_evidence_as_frozen_in_the_submission_and_reads_table_answers_as_tables(
    cast, submitted, client_for
):
    from qualify.qad.models import EvidenceFile, QadSubmission
    from qualify.qad.tests.helpers import upload_pdf

    submission = QadSubmission.objects.filter(case=submitted).latest("created_at")
    item, entry = _frozen_pdf(submission)
    url = reverse("qad:frozen_evidence", args=[submission.reference, entry["uuid"]])
    page = _html(client_for("bsc").get(reverse("assessment:case", args=[submitted.reference])))

    assert f'href="{url}" target="evidence-viewer"' in page and 'name="evidence-viewer"' in page
    table = page[page.index('data-testid="question-1.6"') :]
    table = table[: table.index("</tr>", table.index('data-testid="answer-table"'))]
    assert (
        '<th scope="col">Provider</th><th scope="col">Service provided</th><th scope="col">Contract end</th>' in table
    )

    shown = client_for("bsc").get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert "attachment" not in shown.get("Content-Disposition", "") and shown["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(shown.streaming_content).startswith(b"%PDF")
    downloaded = client_for("bsc").get(url + "?download=1")
    assert downloaded["Content-Disposition"].startswith("attachment")

    # A file added to the live draft afterwards is not the submission's: it is not served through it.
    later = upload_pdf(submission.response, cast.actor("lead_a"), [item["id"]], name="later.pdf")
    assert (
        client_for("bsc").get(reverse("qad:frozen_evidence", args=[submission.reference, later.uuid])).status_code
        == 404
    )
    # Nor is the frozen file once the stored row no longer has the hash the snapshot recorded.
    EvidenceFile.objects.filter(uuid=entry["uuid"]).update(sha256="0" * 64)
    assert client_for("bsc").get(url).status_code == 404
    # Another organisation's people cannot reach it at all.
    assert client_for("lead_b").get(url).status_code == 404
