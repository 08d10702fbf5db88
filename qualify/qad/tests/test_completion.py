"""Completing a QAD: applicability, answers with autosave semantics, completeness, submissions, declarations and
version moves (DOMAIN.md §3, §5)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.core.actor import system_actor
from qualify.core.errors import Conflict, NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.participants.models import Exemption
from qualify.qad import rules
from qualify.qad.models import Answer, ImmutableError, QadSubmission
from qualify.qad.selectors import qad_view
from qualify.qad.services import (
    answer_save,
    qad_version_load,
    response_move_version,
    submission_create,
)
from qualify.qad.tests.helpers import SAMPLE, complete, open_qad, publish_sample, to_pit

S = CaseState


def force_state(case: QualificationCase, state: str) -> QualificationCase:
    # Test set-up only: jump to a state without walking the path to it.
    QualificationCase.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


@pytest.fixture
def qad(cast):
    publish_sample()
    return open_qad(cast.case_a, cast.actor("lead_a"))


def applicable_ids(actor, response) -> set[str]:
    return {q.qid for q in qad_view(actor=actor, response=response).questions}


def test_supplier_on_the_qt_route_gets_qt_and_supplier_questions_only(cast, qad):
    ids = applicable_ids(cast.actor("lead_a"), qad)
    assert {"Q-1.1", "Q-3.1", "Q-3.2", "Q-4.5.2", "Q-5.1.9", "Q-5.1.4"} <= ids
    assert not ids & {"Q-3.6", "Q-3.7", "Q-5.1.1.1", "Q-6.1", "Q-6.10", "Q-7.1", "Q-8.1"}


def test_mem_on_the_sit_route_gets_sit_and_metering_questions_only(cast, qad):
    mem = open_qad(cast.case_a_mem, cast.actor("lead_a"))
    ids = applicable_ids(cast.actor("lead_a"), mem)
    assert {"Q-6.13", "Q-6.14", "Q-6.1", "Q-6.2", "Q-4.5.1"} <= ids
    assert not ids & {"Q-3.1", "Q-3.2", "Q-3.6", "Q-1.2", "Q-1.7", "Q-6.10", "Q-5.1.9", "Q-7.1", "Q-8.1"}


def test_smart_segment_exemption_removes_the_smart_segment_questions(cast, qad):
    Exemption.objects.create(
        participation=cast.supplier_a, kind="SMART_SEGMENT", scope="Advanced only", decided_on=dt.date(2026, 1, 1)
    )
    ids = applicable_ids(cast.actor("lead_a"), qad)
    assert "Q-5.1.9" not in ids and "Q-5.1.2" not in ids
    assert "Q-5.1.3" in ids


@pytest.mark.parametrize(
    ("role", "route", "exemptions", "qid", "expected"),
    [
        ("LDSO", "NEW_ENTRANT", [], "Q-7.7", True),
        ("LDSO", "SIT", [], "Q-7.7", False),
        ("UMSDS", "QT", [], "Q-8.5", True),
        ("SDS", "QT", [], "Q-8.5", False),
        ("SUPPLIER", "SIT", ["SMART_SEGMENT"], "Q-5.1.9", False),
        ("SUPPLIER", "SIT", ["OTHER"], "Q-5.1.9", True),
        ("SUPPLIER", "SIT", ["SMART_SEGMENT"], "Q-5.1.1.2", True),
        ("SUPPLIER", "QT", ["OTHER"], "Q-5.1.1.2", False),
        ("SUPPLIER", "QT", [], "Q-5.1.1.2", False),
        ("ADS", "SIT", [], "Q-3.1", False),
    ],
)
def test_applicability_by_role_route_and_exemption(cast, qad, role, route, exemptions, qid, expected):
    question = qad.version.questions.get(qid=qid)
    assert rules.applies(question, role=role, route=route, exemptions=exemptions) is expected


def test_answers_are_validated_by_type(cast, qad):
    lead = cast.actor("lead_a")
    with pytest.raises(ValidationFailed, match=r"1\.4: the answer must be a date"):
        answer_save(actor=lead, response=qad, question_id="Q-1.4", value="next week")
    with pytest.raises(ValidationFailed, match="must be yes or no"):
        answer_save(actor=lead, response=qad, question_id="Q-1.3", value="maybe")
    with pytest.raises(ValidationFailed, match="does not apply"):
        answer_save(actor=lead, response=qad, question_id="Q-6.1", value="MEM only")
    saved = answer_save(actor=lead, response=qad, question_id="Q-2.2", value="1,200")
    assert saved.value == "1200"


def test_a_stale_save_is_refused_and_a_repeated_save_changes_nothing(cast, qad):
    lead, contributor = cast.actor("lead_a"), cast.actor("contributor_a")
    first = answer_save(actor=lead, response=qad, question_id="Q-1.1", value="Ada", expected_version=0)
    assert first.version == 1
    assert answer_save(actor=lead, response=qad, question_id="Q-1.1", value="Ada", expected_version=0).version == 1
    answer_save(actor=contributor, response=qad, question_id="Q-1.1", value="Ada Lead, CEO", expected_version=1)
    with pytest.raises(Conflict) as info:
        answer_save(actor=lead, response=qad, question_id="Q-1.1", value="Ada, CFO", expected_version=1)
    assert info.value.status == 409
    assert Answer.objects.get(response=qad, question_id="Q-1.1").value == "Ada Lead, CEO"


def test_staff_and_viewers_cannot_change_answers(cast, qad):
    for key in ("admin", "bsc", "viewer_a"):
        with pytest.raises(NotAllowed):
            answer_save(actor=cast.actor(key), response=qad, question_id="Q-1.1", value="x")
    assert not Answer.objects.exists()


def test_submitting_lists_exactly_what_is_missing(cast, qad):
    to_pit(cast.case_a, cast)
    lead = cast.actor("lead_a")
    complete(qad, lead, skip_sections=("4.5",))
    with pytest.raises(ValidationFailed) as info:
        submission_create(actor=lead, response=qad, kind="INITIAL")
    missing = info.value.details["missing"]
    assert [(m["number"], m["what"]) for m in missing] == [
        ("4.5.1", "needs an answer"),
        ("4.5.2", "needs an answer"),
        ("4.5.2", "needs evidence attached (procedure)"),
        ("4.5.3", "needs an answer"),
        ("4.5.3", "needs evidence attached (control)"),
        ("4.5.4", "needs an answer"),
        ("4.5.5", "needs an answer"),
        ("4.5.6", "needs an answer"),
        ("4.5.7", "needs an answer"),
    ]
    assert "4.5.2: needs evidence attached (procedure)" in info.value.message
    assert not QadSubmission.objects.exists()
    cast.case_a.refresh_from_db()
    assert cast.case_a.state == S.PIT


def submit_initial(cast, qad):
    to_pit(cast.case_a, cast)
    complete(qad, cast.actor("lead_a"))
    return submission_create(actor=cast.actor("contributor_a"), response=qad, kind="INITIAL")


def test_initial_submission_freezes_a_hashed_snapshot_and_moves_the_case(cast, qad):
    submission = submit_initial(cast, qad)
    cast.case_a.refresh_from_db()
    assert cast.case_a.state == S.INITIAL_QAD_SUBMITTED
    assert submission.reference.startswith("QAD-")
    assert rules.sha256_text(submission.content) == submission.sha256
    content = json.loads(submission.content)
    assert content["role"] == "SUPPLIER" and content["qad_version"] == "3.2"
    q452 = next(q for q in content["questions"] if q["id"] == "Q-4.5.2")
    assert len(q452["evidence"][0]["sha256"]) == 64
    assert cast.case_a.transitions.last().name == "submit_initial_qad"


def test_a_submission_cannot_be_changed_or_removed(cast, qad):
    submission = submit_initial(cast, qad)
    submission.content = "{}"
    with pytest.raises(ImmutableError):
        submission.save()
    with pytest.raises(ImmutableError):
        QadSubmission.objects.filter(pk=submission.pk).update(sha256="0" * 64)
    with pytest.raises(ImmutableError):
        submission.delete()
    with pytest.raises(ImmutableError):
        QadSubmission.objects.all().delete()
    assert QadSubmission.objects.get(pk=submission.pk).content != "{}"


def test_the_database_refuses_an_update_to_a_submission(cast, qad):
    from django.db import DatabaseError, connection, transaction

    submission = submit_initial(cast, qad)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE qad_qadsubmission SET sha256 = %s WHERE id = %s", ["0" * 64, submission.pk])
    assert QadSubmission.objects.get(pk=submission.pk).sha256 == submission.sha256


def test_the_api_offers_no_way_to_change_a_submission(cast, qad, client_for, token_for):
    submission = submit_initial(cast, qad)
    url = f"/api/v1/qad/submissions/{submission.reference}"
    client = client_for(None)
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(
            url, {"sha256": "0" * 64}, content_type="application/json", **token_for("admin")
        )
        assert response.status_code == 405, method
    assert QadSubmission.objects.get(pk=submission.pk).sha256 == submission.sha256


def test_the_admin_cannot_change_or_delete_a_submission(cast, qad):
    submission = submit_initial(cast, qad)
    client = Client()
    client.force_login(cast.user("admin"))
    change = reverse("admin:qad_qadsubmission_change", args=[submission.pk])
    assert client.post(change, {"sha256": "0" * 64}).status_code == 403
    assert (
        client.post(reverse("admin:qad_qadsubmission_delete", args=[submission.pk]), {"post": "yes"}).status_code == 403
    )
    assert QadSubmission.objects.get(pk=submission.pk).sha256 == submission.sha256


def test_editing_after_submission_starts_a_new_draft_and_leaves_the_snapshot(cast, qad):
    submission = submit_initial(cast, qad)
    answer_save(actor=cast.actor("lead_a"), response=qad, question_id="Q-1.1", value="Someone new")
    stored = QadSubmission.objects.get(pk=submission.pk)
    assert stored.content == submission.content
    assert "Someone new" not in stored.content
    qad.refresh_from_db()
    assert qad.revision > stored.response_revision


def test_the_manual_case_step_needs_a_snapshot(cast, qad):
    case = to_pit(cast.case_a, cast)
    with pytest.raises(TransitionNotAllowed, match="needs a submitted snapshot"):
        case_transition(actor=cast.actor("admin"), case=case, name="submit_initial_qad", comment="by hand")
    case = force_state(case, S.TESTING_COMPLETE)
    with pytest.raises(TransitionNotAllowed, match="Final QAD"):
        case_transition(actor=cast.actor("lead_a"), case=case, name="submit_final_qad")


def test_only_the_lead_submits_the_final_qad(cast, qad):
    submit_initial(cast, qad)
    force_state(cast.case_a, S.TESTING_COMPLETE)
    with pytest.raises(NotAllowed):
        submission_create(actor=cast.actor("contributor_a"), response=qad, kind="FINAL")
    final = submission_create(actor=cast.actor("lead_a"), response=qad, kind="FINAL")
    cast.case_a.refresh_from_db()
    assert final.kind == "FINAL" and cast.case_a.state == S.FINAL_QAD_SUBMITTED


def final_submission(cast, qad):
    submit_initial(cast, qad)
    force_state(cast.case_a, S.TESTING_COMPLETE)
    return submission_create(actor=cast.actor("lead_a"), response=qad, kind="FINAL")


def test_signing_without_a_declaration_is_refused_even_to_the_programme(cast, qad):
    final_submission(cast, qad)
    case = force_state(cast.case_a, S.AGREED)
    for key in ("lead_a", "admin"):
        with pytest.raises(NotAllowed, match="invited"):
            case_transition(actor=cast.actor(key), case=case, name="sign", comment="by hand")
    assert rules.delegate_allowed(["MEM"]) and not rules.delegate_allowed(["MEM", "SUPPLIER"])
    assert not rules.delegate_allowed(["SDS"])


def test_moving_to_a_newer_version_carries_answers_and_shows_the_changes(cast, qad):
    lead = cast.actor("lead_a")
    answer_save(actor=lead, response=qad, question_id="Q-1.1", value="Ada Lead")
    answer_save(actor=lead, response=qad, question_id="Q-1.5", value="In-house team")
    text = SAMPLE.read_text(encoding="utf-8").replace('version: "3.2"', 'version: "3.3"')
    text = text.replace(
        "Name the person accountable for MHHS qualification", "Name the director accountable for MHHS qualification"
    )
    text = text.replace("      - id: Q-1.8\n", "      - id: Q-1.9\n").replace('number: "1.8"', 'number: "1.9"')
    text = text.replace(
        "        type: single_choice\n"
        '        choices: ["In-house team", "Service provider", "Mixed in-house and provider"]\n',
        "        type: text\n",
    )
    newer = qad_version_load(actor=system_actor(), text=text, publish=True)
    changes = response_move_version(actor=lead, response=qad, version=newer)
    summary = {(c.qid, c.change) for c in changes}
    assert summary == {("Q-1.1", "changed"), ("Q-1.5", "changed"), ("Q-1.9", "new"), ("Q-1.8", "removed")}
    assert next(c.detail for c in changes if c.qid == "Q-1.5") == "Answer type changed from single_choice to text."
    qad.refresh_from_db()
    assert qad.version.version == "3.3"
    view = qad_view(actor=lead, response=qad)
    assert view.answers["Q-1.1"].value == "Ada Lead"
    with pytest.raises(ValidationFailed, match="not newer"):
        response_move_version(actor=lead, response=qad, version=qad.version)
