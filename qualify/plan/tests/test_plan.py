from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.plan.models import Milestone
from qualify.plan.services import milestone_move, milestone_upsert


@pytest.fixture
def m10(db):
    return milestone_upsert(actor=system_actor(), code="M10", name="Central systems ready", date=dt.date(2025, 3, 10))


def test_moving_a_milestone_keeps_the_old_date_and_the_change_request(m10, cast, client_for):
    response = client_for("admin").post(
        reverse("plan:milestone_move", args=["M10"]),
        {"new_date": "2025-09-24", "change_request": "CR055", "approved_on": "2024-11-29", "reason": "replan"},
    )
    assert response.status_code == 302
    m10.refresh_from_db()
    change = m10.date_changes.get()
    assert m10.date == dt.date(2025, 9, 24)
    assert (change.old_date, change.new_date, change.change_request) == (
        dt.date(2025, 3, 10),
        dt.date(2025, 9, 24),
        "CR055",
    )
    page = client_for("lead_a").get(reverse("plan:milestone", args=["M10"])).content.decode()
    assert "CR055" in page and "Record a move" not in page


def test_move_form_errors_are_shown_without_losing_input(m10, cast, client_for):
    response = client_for("admin").post(
        reverse("plan:milestone_move", args=["M10"]), {"new_date": "not a date", "change_request": "CR077"}
    )
    assert response.status_code == 400
    assert 'value="CR077"' in response.content.decode()


def test_only_programme_admins_move_milestones(m10, cast):
    with pytest.raises(NotAllowed):
        milestone_move(actor=cast.actor("board"), milestone=m10, new_date=dt.date(2026, 1, 1))
    with pytest.raises(ValidationFailed, match="already dated"):
        milestone_move(actor=cast.actor("admin"), milestone=m10, new_date=m10.date)
    assert Milestone.objects.get(code="M10").date == dt.date(2025, 3, 10)


def test_segments_only_belong_to_a_migration_start(db):
    with pytest.raises(ValidationFailed, match="MIGRATION_START"):
        milestone_upsert(
            actor=system_actor(), code="M14", name="x", date=None, meaning="MIGRATION_END", segments=["SMART"]
        )
    with pytest.raises(ValidationFailed, match="Unknown segment"):
        milestone_upsert(
            actor=system_actor(), code="M12", name="x", date=None, meaning="MIGRATION_START", segments=["GAS"]
        )
