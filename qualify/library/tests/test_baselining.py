"""Baselining: a version is baselined when every governance body its artefact needs has approved it (each body's
latest decision counts), and the artefact's previous baseline is superseded in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.library.choices import GovernanceDecision, GoverningBody, VersionStatus
from qualify.library.models import ArtefactVersion, VersionTransition
from qualify.library.services import approval_record, version_approve
from qualify.library.tests.helpers import make_artefact, make_version
from qualify.notifications.models import Notification

TODAY = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
A = GovernanceDecision.APPROVE


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def _approved(version):
    from qualify.library.tests.helpers import admin

    return version_approve(actor=admin(), version=version)


def _decide(cast, version, body, decision=A, who=None, on=dt.date(2026, 11, 19)):
    from qualify.library.tests.helpers import MEMBER_OF

    return approval_record(
        actor=cast.actor(who or MEMBER_OF[body]),
        version=version,
        body=body,
        decision=decision,
        decided_on=on,
        minutes_reference="M-42",
    )


def _status(version):
    return ArtefactVersion.objects.get(pk=version.pk).status


def test_version_is_baselined_only_when_every_required_body_has_approved(cast):
    version = _approved(make_version(make_artefact()))
    _decide(cast, version, GoverningBody.QAG)
    _decide(cast, version, GoverningBody.BSC_PAB)
    assert _status(version) == VersionStatus.APPROVED
    _decide(cast, version, GoverningBody.REC_PAB)
    assert _status(version) == VersionStatus.BASELINED


def test_an_artefact_needing_only_some_bodies_is_baselined_by_them(cast):
    artefact = make_artefact(required_bodies=[GoverningBody.BSC_PAB])
    version = _approved(make_version(artefact))
    _decide(cast, version, GoverningBody.BSC_PAB)
    assert _status(version) == VersionStatus.BASELINED


def test_a_body_the_artefact_does_not_need_is_refused(cast):
    version = _approved(make_version(make_artefact(required_bodies=[GoverningBody.BSC_PAB])))
    with pytest.raises(ValidationFailed, match="does not need"):
        _decide(cast, version, GoverningBody.QAG)


def test_a_deferral_then_an_approval_counts_the_latest_decision(cast):
    version = _approved(make_version(make_artefact(required_bodies=[GoverningBody.QAG, GoverningBody.REC_PAB])))
    _decide(cast, version, GoverningBody.QAG, GovernanceDecision.DEFER, on=dt.date(2026, 10, 1))
    _decide(cast, version, GoverningBody.QAG, on=dt.date(2026, 11, 5))
    _decide(cast, version, GoverningBody.REC_PAB, GovernanceDecision.DEFER, on=dt.date(2026, 11, 10))
    assert _status(version) == VersionStatus.APPROVED
    _decide(cast, version, GoverningBody.REC_PAB, on=dt.date(2026, 11, 19))
    assert _status(version) == VersionStatus.BASELINED


def test_an_approval_followed_by_a_rejection_does_not_baseline(cast):
    version = _approved(make_version(make_artefact()))
    _decide(cast, version, GoverningBody.QAG, on=dt.date(2026, 10, 1))
    _decide(cast, version, GoverningBody.REC_PAB, on=dt.date(2026, 10, 2))
    _decide(cast, version, GoverningBody.REC_PAB, GovernanceDecision.REJECT, on=dt.date(2026, 10, 20))
    _decide(cast, version, GoverningBody.BSC_PAB)
    assert _status(version) == VersionStatus.APPROVED


def test_baselining_a_new_version_supersedes_the_previous_baseline(cast):
    artefact = make_artefact(required_bodies=[GoverningBody.QAG])
    first = _approved(make_version(artefact, "1.0"))
    _decide(cast, first, GoverningBody.QAG)
    second = _approved(make_version(artefact, "1.01"))
    _decide(cast, second, GoverningBody.QAG)
    assert _status(first) == VersionStatus.SUPERSEDED
    assert _status(second) == VersionStatus.BASELINED
    steps = list(VersionTransition.objects.filter(version__artefact=artefact).values_list("name", flat=True))
    assert steps[-2:] == ["supersede", "baseline"]


def test_an_older_version_cannot_be_baselined_over_a_newer_baseline(cast):
    artefact = make_artefact(required_bodies=[GoverningBody.QAG])
    old = _approved(make_version(artefact, "1.0"))
    new = _approved(make_version(artefact, "2.0"))
    _decide(cast, new, GoverningBody.QAG)
    with pytest.raises(TransitionNotAllowed, match="later version"):
        _decide(cast, old, GoverningBody.QAG)
    assert _status(old) == VersionStatus.APPROVED and _status(new) == VersionStatus.BASELINED


def test_the_database_refuses_two_baselines_of_one_artefact(cast):
    artefact = make_artefact(required_bodies=[GoverningBody.QAG])
    first = _approved(make_version(artefact, "1.0"))
    second = make_version(artefact, "2.0")
    _decide(cast, first, GoverningBody.QAG)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArtefactVersion.objects.filter(pk=second.pk).update(status=VersionStatus.BASELINED)


def test_decisions_are_recorded_only_on_an_approved_version(cast):
    draft = make_version(make_artefact())
    with pytest.raises(TransitionNotAllowed, match="approved"):
        _decide(cast, draft, GoverningBody.QAG)


def test_only_each_bodys_own_members_record_its_decisions(cast):
    version = _approved(make_version(make_artefact()))
    for who in ("bsc", "auditor", "lead_a", "admin", "board", "rec_decider", "dip_decider"):
        with pytest.raises(NotAllowed):
            _decide(cast, version, GoverningBody.QAG, who=who)


def test_participants_are_told_in_app_and_by_email_when_a_version_is_baselined(
    cast, django_capture_on_commit_callbacks
):
    version = _approved(make_version(make_artefact(required_bodies=[GoverningBody.QAG])))
    with django_capture_on_commit_callbacks(execute=True):
        _decide(cast, version, GoverningBody.QAG)
    notices = Notification.objects.filter(kind="library.version_baselined")
    assert sorted(n.recipient.email for n in notices) == [
        "contrib@northwind.test",
        "lead@northwind.test",
        "lead@southbank.test",
    ]
    assert len(mail.outbox) == 3 and "QA&P v1.0 is baselined" in mail.outbox[0].subject


def test_the_artefact_page_shows_the_history_as_a_timeline(cast, client_for):
    artefact = make_artefact(required_bodies=[GoverningBody.QAG])
    first = _approved(make_version(artefact, "1.0"))
    _decide(cast, first, GoverningBody.QAG)
    page = client_for(None).get(f"/library/artefacts/{artefact.document_number}/").content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert "Draft → Approved by the Programme" in timeline
    assert "QAG (Qualification Advisory Group): Approve" in timeline and "minutes M-42" in timeline
    assert "Approved by the Programme → Baselined" in timeline
