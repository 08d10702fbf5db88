"""Waves as plans (issue 13): an administrator sets a wave's windows and deadlines, moves cases between waves with a
reason (audited), and the wave's deadlines feed each case's next deadline."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.audit.models import AuditEvent
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_open
from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.participants.services import organisation_create, participation_create
from qualify.plan.models import WaveDeadline
from qualify.plan.services import wave_upsert
from qualify.programme.services import cases_move_wave, wave_plan_save
from qualify.testing.tests.helpers import prequalify

pytestmark = pytest.mark.django_db


def test_a_wave_is_planned_with_its_windows_and_a_cleared_date_is_removed(cast):
    admin = cast.actor("admin")
    dates = {"PIT_START": dt.date(2027, 1, 4), "PIT_EXIT": dt.date(2027, 2, 26), "TARGET_BOARD": dt.date(2027, 7, 1)}
    wave = wave_plan_save(actor=admin, code="w2", name="Wave 2", sequence=2, deadlines=dates)
    assert wave.code == "W2"
    assert set(WaveDeadline.objects.filter(wave=wave).values_list("kind", flat=True)) == set(dates)
    wave_plan_save(actor=admin, code="W2", name="Wave 2", sequence=2, deadlines={**dates, "TARGET_BOARD": None})
    assert set(WaveDeadline.objects.filter(wave=wave).values_list("kind", flat=True)) == {"PIT_START", "PIT_EXIT"}
    assert AuditEvent.objects.filter(action="plan.wave.clear_deadlines").exists()


def test_a_window_cannot_close_before_it_opens(cast):
    with pytest.raises(ValidationFailed, match="falls after"):
        wave_plan_save(
            actor=cast.actor("admin"),
            code="W2",
            name="Wave 2",
            deadlines={"QT_START": dt.date(2027, 5, 1), "QT_END": dt.date(2027, 4, 1)},
        )


def test_only_the_programme_plans_waves(cast):
    with pytest.raises(NotAllowed):
        wave_plan_save(actor=cast.actor("bsc"), code="W2", name="Wave 2", deadlines={})


def test_moving_cases_needs_a_reason_and_is_audited_for_each(cast):
    admin = cast.actor("admin")
    w2 = wave_upsert(actor=admin, code="W2", name="Wave 2", sequence=2)
    with pytest.raises(ValidationFailed, match="why"):
        cases_move_wave(actor=admin, cases=[cast.case_a], wave=w2, reason="  ")
    cases_move_wave(actor=admin, cases=[cast.case_a, cast.case_b], wave=w2, reason="PIT slipped by a month.")
    assert set(QualificationCase.objects.filter(wave=w2).values_list("pk", flat=True)) == {
        cast.case_a.pk,
        cast.case_b.pk,
    }
    events = AuditEvent.objects.filter(action="cases.case.assign_wave")
    assert [e.changes["reason"] for e in events] == ["PIT slipped by a month."] * 2


def test_the_wave_page_moves_the_chosen_cases(cast, client_for):
    wave_upsert(actor=cast.actor("admin"), code="W2", name="Wave 2", sequence=2)
    response = client_for("admin").post(
        reverse("programme:wave_move", args=["W1"]),
        {"cases": [cast.case_a.reference], "wave": "W2", "reason": "Asked to move."},
    )
    assert response.status_code == 302
    assert QualificationCase.objects.get(pk=cast.case_a.pk).wave.code == "W2"
    assert QualificationCase.objects.get(pk=cast.case_b.pk).wave.code == "W1"


def test_the_wave_page_edits_the_dates(cast, client_for):
    data = {"name": "Wave One", "sequence": "1", "deadline_PRE_QUALIFICATION": "2026-12-08"}
    response = client_for("admin").post(reverse("programme:wave", args=["W1"]), data)
    assert response.status_code == 302
    kinds = dict(WaveDeadline.objects.filter(wave=cast.wave).values_list("kind", "date"))
    assert kinds == {"PRE_QUALIFICATION": dt.date(2026, 12, 8)}


def test_the_case_page_shows_the_wave_deadline_its_state_is_measured_against(cast, client_for):
    page = client_for("lead_a").get(reverse("cases:detail", args=[cast.case_a.reference]))
    summary = page.context["summary"]
    assert summary.due_date == dt.date(2026, 12, 1) and summary.due_label == "Pre-qualification submission"
    assert "1 Dec 2026" in page.content.decode()


def _grow(n: int) -> None:
    system = system_actor("test")
    wave = wave_upsert(actor=system, code="W1", name="Wave 1", sequence=1)
    for i in range(n):
        org = organisation_create(actor=system, name=f"Grown {n}-{i}")
        part = participation_create(actor=system, organisation=org, mpid=f"{chr(65 + n % 26)}{i:03d}", role="MEM")
        case_open(actor=system, participation=part, wave=wave)
    for i in range(n):
        wave_upsert(
            actor=system,
            code=f"X{n}{i}",
            name=f"Extra {i}",
            sequence=10 + i,
            deadlines={"PIT_START": dt.date(2027, 1, 1)},
        )


def _people(cast, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` more members and ``n`` more invitations at Northwind."""
    from qualify.accounts.services import user_create
    from qualify.participants.services import membership_add
    from qualify.programme.services import invitation_send

    system = system_actor("test")
    for i in range(n):
        user = user_create(actor=system, email=f"p{n}-{i}@northwind.test", full_name=f"Person {n}-{i}")
        membership_add(actor=system, organisation=cast.org_a, user=user, role="VIEWER")
        invitation_send(
            actor=system, organisation=cast.org_a, email=f"i{n}-{i}@northwind.test", full_name="I", role="VIEWER"
        )


@pytest.mark.parametrize("path", ["programme:waves", "programme:wave", "programme:home", "programme:people"])
def test_wave_and_onboarding_lists_keep_their_query_count_as_they_grow(cast, client_for, path):
    client = client_for("admin")
    args = {"programme:wave": ["W1"], "programme:people": [cast.org_a.uuid]}.get(path, [])
    url = reverse(path, args=args)
    counts = []
    for n in (2, 12):
        _grow(n)
        _people(cast, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_wave_page_names_the_deadlines_each_case_has_missed(cast, client_for):
    prequalify(cast.case_a)  # the lead fills in the form and submits it with the case step
    with time_machine.travel(dt.datetime(2026, 12, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        page = client_for("admin").get(reverse("programme:wave", args=["W1"]))
    behind = {case.reference: [d.kind for d in missed] for case, missed in page.context["cases"]}
    assert behind[cast.case_a.reference] == []
    assert behind[cast.case_b.reference] == ["PRE_QUALIFICATION"]
