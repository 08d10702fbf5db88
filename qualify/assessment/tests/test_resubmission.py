"""A resubmission after clarification: each body sees what changed since the submission before it, its outcomes
come forward onto unchanged answers, and the queue counts only what is left to review."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from qualify.assessment import choices as ch
from qualify.assessment import selectors, services
from qualify.assessment.models import QuestionOutcome
from qualify.assessment.tests import journey
from qualify.audit.models import AuditEvent
from qualify.qad.choices import SubmissionKind
from qualify.qad.models import QadResponse
from qualify.qad.services import answer_save, submission_create

pytestmark = pytest.mark.django_db


def _bsc_questions(case, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    items = json.loads(journey.latest_submission(case).content)["questions"]
    return [q["id"] for q in items if q["owner"] == "BSC" and isinstance(q["answer"], str)][:count]


def test_outcomes_come_forward_on_unchanged_answers_and_the_page_shows_what_changed(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    first = journey.latest_submission(case)
    kept, changed, queried = _bsc_questions(case, 3)
    bsc = cast.actor("bsc")
    for qid in (kept, changed):
        services.outcome_record(actor=bsc, submission=first, question_id=qid, outcome=ch.Outcome.SATISFACTORY)
    query = services.query_raise(actor=bsc, submission=first, question_id=queried, text="Say more.")
    services.query_answer(actor=cast.actor("lead_a"), query=query, text="More said.")
    response = QadResponse.objects.get(case=case)
    answer_save(actor=cast.actor("lead_a"), response=response, question_id=changed, value="A new answer.")

    submission_create(actor=cast.actor("lead_a"), response=response, kind=SubmissionKind.INITIAL)
    case = journey.fresh(case)

    second = journey.latest_submission(case)
    assert second.pk != first.pk
    carried = {o.question_id: o for o in QuestionOutcome.objects.filter(submission=second)}
    assert set(carried) == {kept}  # the changed answer is reviewed again
    assert carried[kept].outcome == ch.Outcome.SATISFACTORY
    assert f"Carried forward from {first.reference}" in carried[kept].comment
    event = AuditEvent.objects.get(action="assessment.outcome.carry_forward")
    assert event.changes == {"from": first.reference, "questions": [kept]}

    changes = selectors.submission_changes(second)
    assert changes is not None and changes.previous == first.reference
    assert changes.by_question[changed] == "changed" and changes.by_question[kept] == "unchanged"
    page = client_for("bsc").get(reverse("assessment:case", args=[case.reference])).content.decode()
    assert f"Since {first.reference}:" in page
    row = page[page.index(f'data-testid="question-{_number(second, changed)}"') :]
    assert 'data-testid="change">Changed<' in row[: row.index("</tr>")]

    queue = selectors.review_queue(actor=bsc)
    (entry,) = [r for r in queue if r.case.pk == case.pk]
    assert entry.reviewed == 1  # only the carried outcome: the rest is left to review


def _number(submission, qid: str) -> str:  # type: ignore[no-untyped-def]
    return str(next(q["number"] for q in json.loads(submission.content)["questions"] if q["id"] == qid))


def test_the_queue_leaves_out_cases_already_agreed(cast):
    case = journey.to_initial_submitted(cast, cast.case_a)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    assert any(r.case.pk == case.pk for r in selectors.review_queue(actor=cast.actor("bsc")))
    case = journey.agree(cast, case)
    assert case.state == "AGREED"
    assert not any(r.case.pk == case.pk for r in selectors.review_queue(actor=cast.actor("bsc")))
