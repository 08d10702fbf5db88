"""Each submission records which bodies own its questions and how many, from its own snapshot, when it is made; the
data migration records the same for submissions made before."""

from __future__ import annotations

import importlib
import json
from collections import Counter

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from qualify.cases.services import case_transition
from qualify.qad.models import ImmutableError, QadSubmission, SubmissionBody
from qualify.qad.services import answer_save, submission_create
from qualify.qad.tests.helpers import complete, open_qad, publish_sample, to_pit
from qualify.testing.tests.helpers import satisfy_testing_gates

backfill_migration = importlib.import_module("qualify.qad.migrations.0005_backfill_submission_bodies_from_snapshots")
approving_migration = importlib.import_module("qualify.qad.migrations.0008_submission_bodies_only_for_approving_bodies")


@pytest.fixture
def submission(cast):  # type: ignore[no-untyped-def]
    publish_sample()
    response = open_qad(cast.case_a, cast.actor("lead_a"))
    to_pit(cast.case_a, cast)
    complete(response, cast.actor("lead_a"))
    return submission_create(actor=cast.actor("lead_a"), response=response, kind="INITIAL")


def owners_in_snapshot(submission: QadSubmission) -> dict[str, int]:
    return dict(Counter(q["owner"] for q in json.loads(submission.content)["questions"]))


def recorded(submission: QadSubmission) -> dict[str, int]:
    return dict(SubmissionBody.objects.filter(submission=submission).values_list("body", "questions"))


def test_a_submission_records_how_many_of_its_questions_each_body_owns(cast, submission):
    counts = recorded(submission)
    assert counts == owners_in_snapshot(submission)
    assert set(counts) == {"BSC", "REC", "DIP"}
    assert sum(counts.values()) == len(json.loads(submission.content)["questions"])


def test_the_final_submission_records_its_own_bodies(cast, submission):
    satisfy_testing_gates(cast.case_a)
    case_transition(actor=cast.actor("dip"), case=cast.case_a, name="start_testing", comment="onboarded")
    case_transition(actor=cast.actor("dip"), case=cast.case_a, name="complete_testing", comment="QT exit")
    answer_save(actor=cast.actor("lead_a"), response=submission.response, question_id="Q-1.1", value="Revised.")
    final = submission_create(actor=cast.actor("lead_a"), response=submission.response, kind="FINAL")
    assert final.pk != submission.pk
    assert recorded(final) == owners_in_snapshot(final)
    assert recorded(submission) == owners_in_snapshot(submission)


def test_a_bodys_share_of_a_submission_is_written_once(cast, submission):
    share = SubmissionBody.objects.get(submission=submission, body="BSC")
    share.questions = 1
    with pytest.raises(ImmutableError):
        share.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionBody.objects.create(submission=submission, body="BSC", questions=1)
    SubmissionBody.objects.filter(submission=submission, body="REC").delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionBody.objects.create(submission=submission, body="REC", questions=0)


def test_the_backfill_records_earlier_submissions_from_their_snapshots_once(cast, submission):
    expected = recorded(submission)
    SubmissionBody.objects.all().delete()  # as before the table existed

    backfill_migration.backfill(apps, None)
    assert recorded(submission) == expected == owners_in_snapshot(submission)

    backfill_migration.backfill(apps, None)  # running it again adds nothing
    assert SubmissionBody.objects.filter(submission=submission).count() == len(expected)


def test_the_backfill_is_reversible(cast, submission):
    backfill_migration.forget(apps, None)
    assert not SubmissionBody.objects.exists()
    backfill_migration.backfill(apps, None)
    assert recorded(submission) == owners_in_snapshot(submission)


def test_a_mems_submission_has_no_share_for_the_bsc_which_does_not_approve_mems(cast):
    publish_sample()
    response = open_qad(cast.case_a_mem, cast.actor("lead_a"))
    to_pit(cast.case_a_mem, cast)
    complete(response, cast.actor("lead_a"))
    submission = submission_create(actor=cast.actor("lead_a"), response=response, kind="INITIAL")
    assert "BSC" in owners_in_snapshot(submission)  # advisory questions, answered for information
    shares = recorded(submission)
    assert set(shares) == {"DIP", "REC"}
    assert shares == {body: n for body, n in owners_in_snapshot(submission).items() if body != "BSC"}


def test_the_migration_removes_shares_recorded_before_for_bodies_that_do_not_approve_the_role(cast, submission):
    mem_response = open_qad(cast.case_a_mem, cast.actor("lead_a"))
    to_pit(cast.case_a_mem, cast)
    complete(mem_response, cast.actor("lead_a"))
    mem = submission_create(actor=cast.actor("lead_a"), response=mem_response, kind="INITIAL")
    SubmissionBody.objects.all().delete()  # as the first backfill recorded them: every owner of every snapshot
    backfill_migration.backfill(apps, None)
    assert "BSC" in recorded(mem)

    approving_migration.drop_unapproved(apps, None)
    assert set(recorded(mem)) == {"DIP", "REC"}
    assert recorded(submission) == owners_in_snapshot(submission)  # a Supplier's shares are all kept

    approving_migration.count_again(apps, None)
    assert recorded(mem) == owners_in_snapshot(mem)
    assert recorded(submission) == owners_in_snapshot(submission)
