"""The consultation window: nothing before it opens, everything up to the closing instant in UK time, nothing after.

The consultation opens on 1 October 2026 (British Summer Time) and closes at 17:00 UK time on Friday 30 October 2026,
the Friday after the clocks go back, when UK time is GMT.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from qualify.core.errors import Conflict, TransitionNotAllowed
from qualify.library.choices import CommentStatus, ConsultationStatus
from qualify.library.services import comment_submit, consultation_confirm_no_comments
from qualify.library.tests.helpers import BEFORE_OPENING, DURING, comment, setup_consultation

UK = ZoneInfo("Europe/London")


@pytest.fixture
def setup(cast):
    with time_machine.travel(BEFORE_OPENING, tick=False):
        return setup_consultation()


def test_closing_time_entered_as_uk_17_00_is_stored_as_17_00_gmt_after_the_clocks_go_back(setup):
    assert setup.consultation.closes_at == dt.datetime(2026, 10, 30, 17, 0, tzinfo=dt.UTC)
    # and the opening, entered as 09:00 UK time in summer, is 08:00 UTC
    assert setup.consultation.opens_at == dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)


def test_comment_before_the_consultation_opens_is_refused(cast, setup):
    with time_machine.travel(BEFORE_OPENING, tick=False), pytest.raises(Conflict, match="not opened yet"):
        comment(cast, setup, submit=False)


def test_comment_at_16_59_59_uk_time_on_closing_day_is_accepted(cast, setup):
    with time_machine.travel(dt.datetime(2026, 10, 30, 16, 59, 59, tzinfo=UK), tick=False):
        assert setup.consultation.status_at(dt.datetime.now(dt.UTC)) == ConsultationStatus.OPEN
        submitted = comment(cast, setup)
    assert submitted.status == CommentStatus.SUBMITTED


def test_comment_at_17_00_00_uk_time_on_closing_day_is_refused(cast, setup):
    with time_machine.travel(dt.datetime(2026, 10, 30, 17, 0, 0, tzinfo=UK), tick=False):
        assert setup.consultation.status_at(dt.datetime.now(dt.UTC)) == ConsultationStatus.CLOSED
        with pytest.raises(Conflict, match="closed"):
            comment(cast, setup)


def test_closing_is_not_an_hour_early_as_it_would_be_in_summer_time(cast, setup):
    # 16:30 UTC is 17:30 BST but only 16:30 GMT: after the clocks went back the consultation is still open.
    with time_machine.travel(dt.datetime(2026, 10, 30, 16, 30, tzinfo=dt.UTC), tick=False):
        assert comment(cast, setup).status == CommentStatus.SUBMITTED


def test_a_draft_saved_in_time_cannot_be_submitted_after_the_close(cast, setup):
    with time_machine.travel(DURING, tick=False):
        draft = comment(cast, setup, submit=False)
    closing = dt.datetime(2026, 10, 30, 17, 0, 0, tzinfo=UK)
    with time_machine.travel(closing, tick=False), pytest.raises(TransitionNotAllowed, match="closed") as refused:
        comment_submit(actor=cast.actor("lead_a"), comment=draft)
    assert refused.value.status == 409
    draft.refresh_from_db()
    assert draft.status == CommentStatus.DRAFT


def test_no_comments_confirmation_after_the_close_is_refused(cast, setup):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=UK), tick=False), pytest.raises(Conflict):
        consultation_confirm_no_comments(
            actor=cast.actor("lead_a"), consultation=setup.consultation, organisation=cast.org_a
        )


def test_api_answers_409_after_the_close(cast, setup, client_for, token_for):
    with time_machine.travel(DURING, tick=False):
        draft = comment(cast, setup, submit=False)
    headers = token_for("lead_a")
    with time_machine.travel(dt.datetime(2026, 10, 30, 17, 0, 1, tzinfo=UK), tick=False):
        response = client_for(None).post(f"/api/v1/library/comments/{draft.uuid}/submit", **headers)
        created = client_for(None).post(
            f"/api/v1/library/consultations/{setup.consultation.reference}/comments",
            {"version": str(setup.version.uuid), "clause_reference": "2", "text": "late", "category": "QUESTION"},
            content_type="application/json",
            **headers,
        )
    assert response.status_code == 409 and response.json()["error"]["code"] == "transition_not_allowed"
    assert created.status_code == 409 and created.json()["error"]["code"] == "conflict"


def test_page_shows_the_closing_time_in_uk_time(cast, setup, client_for):
    with time_machine.travel(DURING, tick=False):
        page = client_for("lead_a").get(f"/library/consultations/{setup.consultation.uuid}/").content.decode()
    assert "17:00, Friday 30 October 2026" in page


def test_uk_times_in_the_repeated_autumn_hour_mean_the_first_and_skipped_spring_times_move_forward():
    from qualify.library.timeutil import uk_datetime

    assert uk_datetime(dt.date(2026, 10, 25), dt.time(1, 30)) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert uk_datetime(dt.date(2026, 3, 29), dt.time(1, 30)) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    assert uk_datetime(dt.date(2026, 7, 1)) == dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC)
