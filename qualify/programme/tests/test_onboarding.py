"""Onboarding (issue 13): a programme administrator registers and edits organisations and market participations and
opens cases; invitations bring people in by a one-time e-mailed link; a lead manages its own organisation's people,
which always keep at least one lead. Every change is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from qualify.accounts.models import User
from qualify.audit.models import AuditEvent
from qualify.core.errors import NotAllowed, NotFound, ValidationFailed
from qualify.core.roles import MembershipRole
from qualify.participants.models import DistributorId, Membership
from qualify.participants.services import membership_change_role, organisation_update, participation_update
from qualify.programme.models import Invitation
from qualify.programme.services import invitation_accept, invitation_send, invitation_withdraw
from qualify.programme.services.invitations import invitation_by_secret
from qualify.programme.tests.helpers import invitation_link

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-long-passphrase-42"


def _secret(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_an_administrator_registers_an_organisation_a_participation_and_a_case_from_the_pages(cast, client_for):
    admin = client_for("admin")
    response = admin.post(reverse("programme:organisation_new"), {"name": "Eastfield Grid Ltd"})
    assert response.status_code == 302
    org_url = response["Location"]
    response = admin.post(
        org_url + "participations/",
        {"mpid": "EFGD", "role": "LDSO", "route": "QT", "distributor_ids": "27; 28"},
    )
    assert response.status_code == 302
    page = admin.get(org_url)
    assert page.status_code == 200
    part = page.context["participations"][0]
    assert [d.code for d in part.distributor_ids.all()] == ["27", "28"]
    admin.post(org_url + "cases/", {"participation": str(part.uuid), "wave": "W1"})
    part.refresh_from_db()
    assert part.qualification_cases.get().wave.code == "W1"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"participants.organisation.create", "participants.participation.create", "cases.case.open"} <= actions


def test_editing_an_organisation_records_what_changed(cast):
    organisation_update(actor=cast.actor("admin"), organisation=cast.org_a, name="Northwind Energy Limited")
    event = AuditEvent.objects.filter(action="participants.organisation.update").get()
    assert event.changes["name"] == {"before": "Northwind Energy Ltd", "after": "Northwind Energy Limited"}


def test_a_lead_cannot_edit_its_organisation_record(cast):
    with pytest.raises(NotAllowed):
        organisation_update(actor=cast.actor("lead_a"), organisation=cast.org_a, name="Mine now")


def test_distributor_ids_are_edited_and_stay_unique_across_ldsos(cast):
    admin = cast.actor("admin")
    participation_update(
        actor=admin, participation=cast.ldso_b, route="SIT", is_new_entrant=False, distributor_ids=["12", "13"]
    )
    assert sorted(DistributorId.objects.filter(participation=cast.ldso_b).values_list("code", flat=True)) == [
        "12",
        "13",
    ]
    with pytest.raises(ValidationFailed, match="Only an LDSO"):
        participation_update(
            actor=admin, participation=cast.supplier_a, route="QT", is_new_entrant=False, distributor_ids=["14"]
        )


def test_an_administrator_invites_a_lead_who_sets_a_password_and_joins(cast, client_for):
    issued = invitation_send(
        actor=cast.actor("admin"),
        organisation=cast.org_b,
        email="Dana@Southbank.test",
        full_name="Dana New",
        role="LEAD",
    )
    invitation = issued.invitation
    assert invitation.email == "dana@southbank.test"
    assert len(invitation.digest) == 64 and invitation.digest not in issued.link
    path = invitation_link("dana@southbank.test")
    anonymous = client_for(None)
    assert anonymous.get(path).status_code == 200
    response = anonymous.post(path, {"full_name": "Dana New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("cases:home")
    home = anonymous.get(reverse("cases:home"))
    assert cast.case_b.reference in home.content.decode()
    user = User.objects.get(email="dana@southbank.test")
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.get(user=user, organisation=cast.org_b).role == MembershipRole.LEAD
    assert AuditEvent.objects.filter(action="programme.invitation.accept", actor_id=user.pk).exists()


def test_an_invitation_link_works_once(cast, client_for):
    invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="once@southbank.test", full_name="O", role="VIEWER"
    )
    secret = _secret(invitation_link("once@southbank.test"))
    invitation_accept(secret=secret, password=NEW_PASSWORD)
    with pytest.raises(NotFound):
        invitation_accept(secret=secret, password=NEW_PASSWORD)
    assert client_for(None).get(reverse("programme:accept", args=[secret])).status_code == 404


def test_an_expired_or_withdrawn_invitation_is_refused(cast):
    sent = invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="late@southbank.test", full_name="L", role="VIEWER"
    )
    secret = _secret(invitation_link("late@southbank.test"))
    Invitation.objects.filter(pk=sent.invitation.pk).update(
        expires_at=sent.invitation.expires_at - dt.timedelta(days=30)
    )
    with pytest.raises(NotFound):
        invitation_by_secret(secret)
    again = invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="late@southbank.test", full_name="L", role="VIEWER"
    )
    secret = _secret(invitation_link("late@southbank.test"))
    invitation_withdraw(actor=cast.actor("lead_b"), invitation=again.invitation)
    with pytest.raises(NotFound):
        invitation_accept(secret=secret, password=NEW_PASSWORD)


def test_a_newer_invitation_replaces_the_open_one(cast):
    invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="twice@southbank.test", full_name="T", role="VIEWER"
    )
    first = _secret(invitation_link("twice@southbank.test"))
    invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="twice@southbank.test", full_name="T", role="VIEWER"
    )
    with pytest.raises(NotFound):
        invitation_by_secret(first)


def test_a_bad_password_keeps_the_link_usable(cast):
    invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="weak@southbank.test", full_name="W", role="VIEWER"
    )
    secret = _secret(invitation_link("weak@southbank.test"))
    with pytest.raises(ValidationFailed):
        invitation_accept(secret=secret, password="123")
    assert invitation_by_secret(secret).status == "pending"


def test_a_lead_invites_contributors_and_viewers_to_its_own_organisation_only(cast, client_for):
    lead = cast.actor("lead_a")
    invitation_send(actor=lead, organisation=cast.org_a, email="new@northwind.test", full_name="N", role="CONTRIBUTOR")
    with pytest.raises(NotAllowed, match="invite a lead"):
        invitation_send(actor=lead, organisation=cast.org_a, email="boss@northwind.test", full_name="B", role="LEAD")
    with pytest.raises(NotAllowed):
        invitation_send(
            actor=cast.actor("contributor_a"), organisation=cast.org_a, email="x@n.test", full_name="X", role="VIEWER"
        )
    response = client_for("lead_a").post(
        reverse("programme:invite", args=[cast.org_b.uuid]),
        {"full_name": "X", "email": "x@southbank.test", "role": "VIEWER"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.filter(email="x@southbank.test").exists()


def test_staff_cannot_be_invited_into_a_participant(cast):
    with pytest.raises(ValidationFailed, match="staff"):
        invitation_send(
            actor=cast.actor("admin"), organisation=cast.org_a, email="bsc@elexon.test", full_name="B", role="VIEWER"
        )


def test_the_invitation_email_carries_a_whole_link(cast, settings):
    settings.QUALIFY_SITE_URL = "https://qualify.example"
    invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_a, email="whole@northwind.test", full_name="W", role="VIEWER"
    )
    assert "https://qualify.example/programme/join/inv_" in mail.outbox[-1].body


def test_a_lead_changes_roles_but_the_organisation_keeps_a_lead(cast, client_for):
    lead = cast.actor("lead_a")
    own = Membership.objects.get(user=cast.user("lead_a"))
    with pytest.raises(ValidationFailed, match="at least one qualification lead"):
        membership_change_role(actor=lead, membership=own, role="VIEWER")
    contributor = Membership.objects.get(user=cast.user("contributor_a"))
    membership_change_role(actor=lead, membership=contributor, role="LEAD")
    membership_change_role(actor=lead, membership=own, role="CONTRIBUTOR")
    assert Membership.objects.get(pk=own.pk).role == "CONTRIBUTOR"
    assert AuditEvent.objects.filter(action="participants.membership.change").count() == 2


def test_the_role_page_refuses_the_last_lead_stepping_down(cast, client_for):
    url = reverse("programme:member_role", args=[cast.org_a.uuid, cast.user("lead_a").uuid])
    client_for("lead_a").post(url, {"role": "VIEWER"})
    assert Membership.objects.get(user=cast.user("lead_a")).role == "LEAD"


def test_a_lead_cannot_change_roles_in_another_organisation(cast, client_for):
    url = reverse("programme:member_role", args=[cast.org_b.uuid, cast.user("lead_b").uuid])
    assert client_for("lead_a").post(url, {"role": "VIEWER"}).status_code == 404
    assert client_for("contributor_a").get(reverse("programme:people", args=[cast.org_a.uuid])).status_code == 403


def test_a_disabled_account_is_not_revived_by_an_invitation(cast):
    User.objects.filter(pk=cast.user("viewer_a").pk).update(is_active=False)
    invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="viewer@northwind.test", full_name="V", role="VIEWER"
    )
    with pytest.raises(ValidationFailed, match="cannot join"):
        invitation_accept(secret=_secret(invitation_link("viewer@northwind.test")), password=NEW_PASSWORD)
    assert not User.objects.get(pk=cast.user("viewer_a").pk).is_active


def test_an_existing_person_joins_a_second_organisation_with_the_same_account(cast):
    invitation_send(
        actor=cast.actor("admin"), organisation=cast.org_b, email="viewer@northwind.test", full_name="V", role="VIEWER"
    )
    user = invitation_accept(secret=_secret(invitation_link("viewer@northwind.test")), password=NEW_PASSWORD)
    assert user.pk == cast.user("viewer_a").pk
    assert set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True)) == {
        cast.org_a.pk,
        cast.org_b.pk,
    }
