"""Maintenance of qualification: a qualified participant discloses a change, each approving body assesses it, and
a re-qualification case opens for what they named, while the participant stays qualified (DOMAIN.md §4, §6, §11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qualify.audit.models import AuditEvent
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_transition
from qualify.cases.workflow import CASE_WORKFLOW
from qualify.changes.choices import DisclosureState
from qualify.changes.models import ChangeDisclosure
from qualify.changes.services import change_assess, change_disclose, change_withdraw
from qualify.changes.tests.helpers import disclose, make_active
from qualify.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from qualify.notifications.models import Notification
from qualify.participants.models import MarketParticipation
from qualify.qad.selectors import qad_view
from qualify.qad.services import response_open
from qualify.qad.tests.helpers import publish_sample as publish_sample_qad
from qualify.register.models import RegisterEvent
from qualify.testing.models import ScopeRecord
from qualify.testing.tests.helpers import publish_sample as publish_sample_catalogue

pytestmark = pytest.mark.django_db

S = DisclosureState
API = "/api/v1"


@pytest.fixture
def active(cast):  # type: ignore[no-untyped-def]
    cast.case_a = make_active(cast.case_a)
    return cast


def _assess(cast: Any, disclosure: ChangeDisclosure, body: str, needed: bool = False, **kw: Any) -> Any:
    who = {"BSC": "bsc", "REC": "rec", "DIP": "dip"}[body]
    return change_assess(
        actor=cast.actor(who),
        disclosure=disclosure,
        body=body,
        requalification_needed=needed,
        reason=kw.pop("reason", f"{body} looked at it."),
        **kw,
    )


def _participation(cast: Any) -> MarketParticipation:
    return MarketParticipation.objects.get(pk=cast.supplier_a.pk)


def test_the_lead_discloses_a_change_and_the_approving_bodies_are_told(active):
    disclosure = change_disclose(
        actor=active.actor("lead_a"),
        case=active.case_a,
        kind="PROVIDER",
        effective_on=dt.date(2026, 12, 1),
        description="  We move to a new data provider.\x00  ",
    )

    assert disclosure.reference.startswith("CHG-")
    assert disclosure.state == S.DISCLOSED
    assert disclosure.description == "We move to a new data provider."  # control characters dropped, trimmed
    assert disclosure.bodies == ["BSC", "DIP", "REC"]  # a Supplier is approved by all three
    told = set(Notification.objects.filter(kind="changes.disclosed").values_list("recipient_id", flat=True))
    assert {active.user("bsc").pk, active.user("rec").pk, active.user("dip").pk} <= told
    assert active.user("lead_b").pk not in told
    assert AuditEvent.objects.filter(action="changes.disclosure.disclose", object_id=str(disclosure.uuid)).exists()
    assert _participation(active).change_status == "under assessment"


def test_only_a_qualified_case_takes_a_disclosure_and_only_from_its_lead(cast):
    with pytest.raises(TransitionNotAllowed, match="once qualified"):
        disclose(cast)
    case = make_active(cast.case_a)
    for who in ("contributor_a", "viewer_a", "bsc", "admin"):
        with pytest.raises(NotAllowed):
            change_disclose(
                actor=cast.actor(who), case=case, kind="SYSTEMS", effective_on=dt.date(2026, 12, 1), description="x"
            )
    for kind, on, text, field in (
        ("PAINT", dt.date(2026, 12, 1), "x", "kind"),
        ("SYSTEMS", None, "x", "effective_on"),
        ("SYSTEMS", dt.date(2026, 12, 1), " \x01 ", "description"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            change_disclose(actor=cast.actor("lead_a"), case=case, kind=kind, effective_on=on, description=text)
        assert field in refused.value.details
    assert not ChangeDisclosure.objects.exists()


def test_the_register_shows_the_disclosure_while_the_status_stays_qualified(active, client_for, token_for):
    p = active.supplier_a
    url = f"{API}/register/{p.mpid}/{p.role}?on=2026-11-30"
    client = client_for(None)
    for who in ("lead_a", "machine"):
        before = client.get(url, **token_for(who)).json()
        assert (before["state"], before["operational"], before["change_disclosed_on"]) == ("OPERATIONAL", True, None)

    disclosure = disclose(active)

    for who in ("lead_a", "machine"):
        after = client.get(url, **token_for(who)).json()
        assert (after["state"], after["operational"]) == ("OPERATIONAL", True)  # the status is unchanged
        assert after["change_disclosed_on"] == disclosure.disclosed_at.date().isoformat()
        assert after["change_status"] == "under assessment"
    # The read as known at an instant (off the hot path) carries the same note.
    known = client.get(f"{url}&known_at=2099-01-01T00:00:00Z", **token_for("machine")).json()
    assert known["change_status"] == "under assessment"


def test_when_no_body_requires_it_the_disclosure_closes_and_the_register_note_goes(active):
    disclosure = disclose(active)
    _assess(active, disclosure, "BSC")
    assert ChangeDisclosure.objects.get(pk=disclosure.pk).state == S.UNDER_ASSESSMENT
    _assess(active, disclosure, "REC")
    _assess(active, disclosure, "DIP")

    closed = ChangeDisclosure.objects.get(pk=disclosure.pk)
    assert closed.state == S.NO_REQUALIFICATION
    assert closed.requalification_case is None
    assert QualificationCase.objects.filter(participation=active.supplier_a).count() == 1
    participation = _participation(active)
    assert (participation.change_disclosed_on, participation.change_status) == (None, "")


def test_a_body_requiring_it_opens_a_linked_case_scoped_to_what_it_named(active, client_for):
    publish_sample_qad()
    publish_sample_catalogue()
    disclosure = disclose(active)
    _assess(active, disclosure, "BSC", needed=True, sections=["1", "5.1"], test_cases=["qt-001"])
    _assess(active, disclosure, "REC")
    _assess(active, disclosure, "DIP", needed=True, sections=["4.5"])

    decided = ChangeDisclosure.objects.get(pk=disclosure.pk)
    assert decided.state == S.REQUALIFICATION_REQUIRED
    new = decided.requalification_case
    assert new is not None
    assert (new.requalifies_id, new.participation_id, new.state) == (
        active.case_a.pk,
        active.supplier_a.pk,
        CaseState.SCOPED,
    )
    scope = ScopeRecord.objects.get(case=new)
    assert scope.required == ["QT-001"]
    carried = [v for v in scope.verdicts if not v["included"]]
    assert carried and all(v["reason"] == "CARRIED_OVER" for v in carried)
    # Its QAD asks only the sections the bodies named; the first case's asks them all.
    lead_actor = active.actor("lead_a")
    asked = qad_view(actor=lead_actor, response=response_open(actor=lead_actor, case=new))
    assert {v.section.number for v in asked.sections} == {"1", "4.5", "5.1"}
    first_qad = qad_view(actor=lead_actor, response=response_open(actor=lead_actor, case=active.case_a))
    assert len(first_qad.sections) > 3
    step = new.transitions.get(name="open_requalification")
    assert "1, 4.5, 5.1" in step.comment and active.case_a.reference in step.comment
    # The first case stays qualified, and so does the register; the note says re-qualification is in progress.
    assert QualificationCase.objects.get(pk=active.case_a.pk).state == CaseState.ACTIVE
    assert _participation(active).change_status == "re-qualification in progress"
    # Both case pages show the link.
    lead = client_for("lead_a")
    assert active.case_a.reference.encode() in lead.get(reverse("cases:detail", args=[new.reference])).content
    first_page = lead.get(reverse("cases:detail", args=[active.case_a.reference])).content
    assert b'data-testid="requalifications"' in first_page and new.reference.encode() in first_page

    # Its approval settles the change without a second QUALIFIED event: the participant stayed qualified.
    events = RegisterEvent.objects.count()
    QualificationCase.objects.filter(pk=new.pk).update(state=CaseState.AWAITING_APPROVAL)  # test set-up only
    guards = CASE_WORKFLOW._extra_guards
    CASE_WORKFLOW._extra_guards = {}  # the approvals themselves are the assessment app's tests
    try:
        case_transition(
            actor=active.actor("board"), case=new, name="approve", comment="ok", effective_date=dt.date(2027, 1, 4)
        )
    finally:
        CASE_WORKFLOW._extra_guards = guards
    assert ChangeDisclosure.objects.get(pk=disclosure.pk).state == S.REQUALIFIED
    assert RegisterEvent.objects.count() == events
    assert _participation(active).change_status == ""


def test_each_body_assesses_once_for_itself_naming_only_its_own_sections(active):
    publish_sample_qad()
    disclosure = disclose(active)
    with pytest.raises(NotAllowed):
        change_assess(
            actor=active.actor("rec"), disclosure=disclosure, body="BSC", requalification_needed=False, reason="x"
        )
    for who in ("admin", "board", "lead_a"):
        with pytest.raises(NotAllowed):
            change_assess(
                actor=active.actor(who), disclosure=disclosure, body="BSC", requalification_needed=False, reason="x"
            )
    with pytest.raises(ValidationFailed, match=r"not_the_bodys: 4\.5"):
        _assess(active, disclosure, "BSC", needed=True, sections=["4.5"])
    with pytest.raises(ValidationFailed, match="name_what_to_requalify"):
        _assess(active, disclosure, "BSC", needed=True)
    with pytest.raises(ValidationFailed, match="test_cases"):
        _assess(active, disclosure, "BSC", needed=True, test_cases=["QT-999"])
    _assess(active, disclosure, "BSC")
    with pytest.raises(TransitionNotAllowed, match="already assessed"):
        _assess(active, disclosure, "BSC")


def test_a_body_that_does_not_approve_the_role_does_not_assess(cast):
    mem = make_active(cast.case_a_mem)
    disclosure = change_disclose(
        actor=cast.actor("lead_a"), case=mem, kind="VOLUMES", effective_on=dt.date(2026, 12, 1), description="x2"
    )
    assert disclosure.bodies == ["DIP", "REC"]  # a MEM is approved by the DIP Manager and the REC
    with pytest.raises(NotAllowed, match="does not approve"):
        _assess(cast, disclosure, "BSC")


def test_the_lead_withdraws_an_undecided_disclosure_but_not_a_decided_one(active):
    disclosure = disclose(active)
    with pytest.raises(NotAllowed):
        change_withdraw(actor=active.actor("contributor_a"), disclosure=disclosure, reason="x")
    withdrawn = change_withdraw(actor=active.actor("lead_a"), disclosure=disclosure, reason="Disclosed in error")
    assert withdrawn.state == S.WITHDRAWN
    assert _participation(active).change_status == ""

    other = disclose(active)
    for body in ("BSC", "REC", "DIP"):
        _assess(active, other, body)
    with pytest.raises(TransitionNotAllowed):
        change_withdraw(actor=active.actor("lead_a"), disclosure=other, reason="too late")


def test_the_api_discloses_assesses_and_keeps_other_organisations_out(active, client_for, token_for):
    client = client_for(None)
    made = client.post(
        f"{API}/changes/cases/{active.case_a.reference}",
        {"kind": "ownership", "effective_on": "2026-12-01", "description": "New parent company"},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert made.status_code == 201, made.content
    reference = made.json()["reference"]
    assert made.json()["state"] == S.DISCLOSED
    assert client.get(f"{API}/changes/{reference}", **token_for("lead_b")).status_code == 404
    assert client.get(f"{API}/changes/cases/{active.case_a.reference}", **token_for("lead_b")).status_code == 404
    queue = client.get(f"{API}/changes?state=OPEN&body=BSC", **token_for("bsc")).json()
    assert [d["reference"] for d in queue["items"]] == [reference]
    assessed = client.post(
        f"{API}/changes/{reference}/assessments",
        {"body": "BSC", "requalification_needed": False, "reason": "Nothing settles differently."},
        content_type="application/json",
        **token_for("bsc"),
    )
    assert assessed.status_code == 200
    assert assessed.json()["assessments"][0]["body"] == "BSC"
    # Assessed by the BSC: no longer in the BSC's part of the queue, still in the REC's.
    assert client.get(f"{API}/changes?body=BSC", **token_for("bsc")).json()["count"] == 0
    assert client.get(f"{API}/changes?body=REC", **token_for("rec")).json()["count"] == 1
    assert client.get(f"{API}/changes?state=nonsense", **token_for("bsc")).status_code == 400


def test_the_pages_offer_each_person_their_own_step(active, client_for):
    case_page = client_for("lead_a").get(reverse("changes:case", args=[active.case_a.reference]))
    assert b'data-testid="disclose"' in case_page.content
    assert (
        b'data-testid="disclose"'
        not in client_for("viewer_a").get(reverse("changes:case", args=[active.case_a.reference])).content
    )
    posted = client_for("lead_a").post(
        reverse("changes:disclose", args=[active.case_a.reference]),
        {"kind": "SYSTEMS", "effective_on": "2026-12-01", "description": "New meter data system", "confirm": "on"},
    )
    disclosure = ChangeDisclosure.objects.get()
    assert posted.status_code == 302 and posted.url == reverse("changes:detail", args=[disclosure.reference])
    detail = client_for("bsc").get(reverse("changes:detail", args=[disclosure.reference])).content
    assert b'data-testid="assess-form"' in detail and b'data-testid="withdraw-form"' not in detail
    assert (
        b'data-testid="withdraw-form"'
        in client_for("lead_a").get(reverse("changes:detail", args=[disclosure.reference])).content
    )
    client_for("bsc").post(
        reverse("changes:assess", args=[disclosure.reference]),
        {"body": "BSC", "requalification_needed": "no", "reason": "Fine."},
    )
    assert disclosure.assessments.get().body == "BSC"
    queue = client_for("rec").get(reverse("changes:queue")).content
    assert disclosure.reference.encode() in queue
    # Without the tick, the disclosure asks first instead of being made.
    unconfirmed = client_for("lead_a").post(
        reverse("changes:disclose", args=[active.case_a.reference]),
        {"kind": "SYSTEMS", "effective_on": "2026-12-01", "description": "Another"},
    )
    assert b'data-testid="confirmation-page"' in unconfirmed.content
    assert ChangeDisclosure.objects.count() == 1


def test_the_queue_reads_a_fixed_number_of_queries(active, client_for):
    def count() -> int:
        client = client_for("bsc")
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("changes:queue")).status_code == 200
        return len(page)

    disclose(active)
    one = count()
    for kind in ("SYSTEMS", "VOLUMES", "PROCESSES"):
        disclose(active, kind=kind)
    assert count() == one
