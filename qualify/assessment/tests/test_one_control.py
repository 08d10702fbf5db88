"""One control per job: a case in clarification with an open query offers its participant one way forward (answer the
queries), not also a case step and a QAD submit button that would do the same; once the queries are answered, the
one way is the QAD page's submission, and the case page points there instead of offering the step again."""

from __future__ import annotations

import re

from django.urls import reverse

from qualify.assessment import services
from qualify.assessment.tests import journey

ANSWERING = ("answer-queries", "submit-on-qad-page", "step-answer_initial_clarification", "submit-initial")


def controls(html: str) -> list[str]:
    """The controls on a page that answer the clarification or resubmit the QAD, by their test ids."""
    return [found for found in re.findall(r'data-testid="([a-z_-]+)"', html) if found in ANSWERING]


def test_a_case_in_clarification_with_an_open_query_offers_exactly_one_way_to_answer(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    query = journey.raise_query(cast, case, "BSC")
    assert journey.fresh(case).state == "INITIAL_CLARIFICATION"
    lead = client_for("lead_a")
    case_page = lead.get(reverse("cases:detail", args=[case.reference])).content.decode()
    qad_page = lead.get(reverse("qad:case", args=[case.reference])).content.decode()

    assert controls(case_page) == ["answer-queries"]
    assert reverse("assessment:case", args=[case.reference]) + "#queries-h" in case_page
    assert controls(qad_page) == []  # no submit button while the queries wait; it says why instead
    assert query.reference in qad_page and 'data-testid="submit-waits"' in qad_page
    assert 'data-testid="step-withdraw"' in case_page  # a genuinely different step stays, on its own

    services.query_answer(actor=cast.actor("lead_a"), query=query, text="Here is the runbook.")
    case_page = lead.get(reverse("cases:detail", args=[case.reference])).content.decode()
    qad_page = lead.get(reverse("qad:case", args=[case.reference])).content.decode()
    assert controls(case_page) == ["submit-on-qad-page"]  # it points to the QAD page, which is the one control
    assert controls(qad_page) == ["submit-initial"]


def test_staff_see_no_participant_control_on_a_case_in_clarification(cast, client_for):
    case = journey.to_initial_submitted(cast, cast.case_a)
    journey.raise_query(cast, case, "BSC")
    page = client_for("bsc").get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert controls(page) == []


def test_in_pit_the_case_page_points_to_the_qad_pages_submission_instead_of_a_step_of_its_own(cast, client_for):
    from qualify.qad.tests.helpers import open_qad, publish_sample, to_pit

    publish_sample()
    case = to_pit(cast.case_a, cast)
    open_qad(case, cast.actor("lead_a"))
    lead = client_for("lead_a")
    assert controls(lead.get(reverse("cases:detail", args=[case.reference])).content.decode()) == ["submit-on-qad-page"]
    assert controls(lead.get(reverse("qad:case", args=[case.reference])).content.decode()) == ["submit-initial"]
