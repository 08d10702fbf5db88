"""The director declares in person (DOMAIN.md §4 "signed", §5): the lead's invitation once the content is agreed, the
invited person's own account, the exact snapshot with its hash, the declaration that signs the case, and what makes
an invitation stop working or a declaration void. Through the pages and the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qualify.accounts.models import User
from qualify.cases.choices import CaseState
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.notifications.models import Notification
from qualify.participants.models import Membership
from qualify.qad.models import DeclarationInvitation, QadDeclaration
from qualify.qad.services import submission_create
from qualify.qad.tests.helpers import complete, open_qad, publish_sample, to_pit

S = CaseState
DIRECTOR = "dana.director@northwind.test"


def force_state(case: QualificationCase, state: str) -> QualificationCase:
    # Test set-up only: the Code Bodies' review that leads to these states is tested in the assessment app.
    QualificationCase.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


@pytest.fixture
def final(cast):
    """Case A with a complete QAD, its Initial and Final submissions made; the case is left Final QAD submitted."""
    publish_sample()
    lead = cast.actor("lead_a")
    response = open_qad(cast.case_a, lead)
    to_pit(cast.case_a, cast)
    complete(response, lead)
    submission_create(actor=lead, response=response, kind="INITIAL")
    force_state(cast.case_a, S.TESTING_COMPLETE)
    return submission_create(actor=lead, response=response, kind="FINAL")


def invite(client: Client, case: QualificationCase, capture, email: str = DIRECTOR, capacity: str = "DIRECTOR"):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return client.post(
            reverse("qad:declaration_invite", args=[case.reference]),
            {"email": email, "name": "Dana Director", "capacity": capacity},
            follow=True,
        )


def link_in_mail(to: str = DIRECTOR) -> str:
    sent = [m for m in mail.outbox if to in m.to]
    assert sent, f"no invitation e-mail to {to}"
    found = re.search(r"http://testserver(/qad/invitation/[^/\s]+/)", str(sent[-1].body))
    assert found is not None, sent[-1].body
    return found.group(1)


def sign_up(link: str) -> Client:
    director = Client()
    page = director.get(link)
    assert page.status_code == 200 and "Create my account" in page.content.decode()
    answer = director.post(
        link, {"full_name": "Dana Director", "password": "a-Long-pass-2026", "password_again": "a-Long-pass-2026"}
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return director


def declaration_url() -> str:
    return reverse("qad:declaration", args=[str(DeclarationInvitation.objects.get(email=DIRECTOR).uuid)])


def declare(director: Client, *, position: str = "Chief Executive"):  # type: ignore[no-untyped-def]
    url = reverse("qad:declaration_declare", args=[str(DeclarationInvitation.objects.get(email=DIRECTOR).uuid)])
    return director.post(url, {"position": position, "confirm": "on", "step": "confirmed"}, follow=True)


# --- offered once the content is agreed ------------------------------------------------------------------------


def test_the_declaration_is_offered_only_once_the_content_is_agreed(cast, final, client_for, token_for):
    page = client_for("lead_a").get(reverse("qad:case", args=[cast.case_a.reference])).content.decode()
    assert 'data-testid="invite-form"' not in page and "once the Code Bodies have agreed" in page
    api = client_for(None).post(
        f"/api/v1/qad/cases/{cast.case_a.reference}/declaration-invitations",
        {"email": DIRECTOR},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert api.status_code == 409 and api.json()["error"]["code"] == "not_agreed"

    force_state(cast.case_a, S.AGREED)
    page = client_for("lead_a").get(reverse("qad:case", args=[cast.case_a.reference])).content.decode()
    assert 'data-testid="invite-form"' in page
    for key in ("contributor_a", "viewer_a", "admin"):
        assert (
            'data-testid="invite-form"'
            not in client_for(key).get(reverse("qad:case", args=[cast.case_a.reference])).content.decode()
        )
    api = client_for(None).post(
        f"/api/v1/qad/cases/{cast.case_a.reference}/declaration-invitations",
        {"email": DIRECTOR, "capacity": "DIRECTOR"},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert api.status_code == 201, api.content
    assert api.json()["status"] == "sent" and api.json()["submission"] == final.reference


def test_only_the_lead_invites(cast, final, client_for, token_for):
    force_state(cast.case_a, S.AGREED)
    url = f"/api/v1/qad/cases/{cast.case_a.reference}/declaration-invitations"
    for key, status in (("contributor_a", 403), ("admin", 403), ("lead_b", 404)):
        response = client_for(None).post(url, {"email": DIRECTOR}, content_type="application/json", **token_for(key))
        assert response.status_code == status, key
    assert not DeclarationInvitation.objects.exists()


def test_a_delegate_is_invited_only_for_a_role_governed_by_the_rec_alone(cast, final, client_for, token_for):
    force_state(cast.case_a, S.AGREED)
    response = client_for(None).post(
        f"/api/v1/qad/cases/{cast.case_a.reference}/declaration-invitations",
        {"email": DIRECTOR, "capacity": "DELEGATE"},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "director_required"
    # A MEM is governed by the REC alone: its lead may name a delegate.
    lead = cast.actor("lead_a")
    mem = open_qad(cast.case_a_mem, lead)
    to_pit(cast.case_a_mem, cast)
    complete(mem, lead)
    submission_create(actor=lead, response=mem, kind="INITIAL")
    force_state(cast.case_a_mem, S.TESTING_COMPLETE)
    submission_create(actor=lead, response=mem, kind="FINAL")
    force_state(cast.case_a_mem, S.AGREED)
    response = client_for(None).post(
        f"/api/v1/qad/cases/{cast.case_a_mem.reference}/declaration-invitations",
        {"email": "deputy@northwind.test", "capacity": "DELEGATE"},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert response.status_code == 201 and response.json()["capacity"] == "DELEGATE"


# --- the journey ---------------------------------------------------------------------------------------------


def test_invited_director_creates_an_account_reads_the_snapshot_and_signs_the_case(
    cast, final, client_for, django_capture_on_commit_callbacks
):
    case = force_state(cast.case_a, S.AGREED)
    answer = invite(client_for("lead_a"), case, django_capture_on_commit_callbacks)
    assert "Invitation sent to dana.director@northwind.test" in answer.content.decode()
    link = link_in_mail()
    # Only the secret's hash is kept.
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = DeclarationInvitation.objects.get()
    assert invitation.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_sha256

    director = sign_up(link)
    user = User.objects.get(email=DIRECTOR)
    assert user.full_name == "Dana Director" and not user.staff_role
    assert not Membership.objects.filter(user=user).exists()
    page = director.get(declaration_url()).content.decode()
    assert final.sha256 in page and "verified" in page
    assert "<strong>1.1</strong>" in page  # the snapshot's questions and answers are shown

    # The form asks to confirm first; nothing is declared until then.
    first = director.post(
        reverse("qad:declaration_declare", args=[str(invitation.uuid)]),
        {"position": "Chief Executive", "confirm": "on"},
    )
    assert 'data-testid="declaration-confirm"' in first.content.decode()
    assert not QadDeclaration.objects.exists()
    assert QualificationCase.objects.get(pk=case.pk).state == S.AGREED

    with django_capture_on_commit_callbacks(execute=True):
        done = declare(director)
    assert "the case is signed" in done.content.decode()
    declaration = QadDeclaration.objects.get()
    assert declaration.signatory == user and declaration.capacity == "DIRECTOR"
    assert declaration.snapshot_sha256 == final.sha256 and declaration.submission == final
    assert declaration.position == "Chief Executive" and declaration.invitation == invitation
    assert QualificationCase.objects.get(pk=case.pk).state == S.SIGNED
    sign = CaseTransition.objects.get(case=case, name="sign")
    assert sign.actor_id == user.pk and final.sha256 in sign.comment
    # The lead hears of it; the submission page shows who declared.
    assert Notification.objects.filter(recipient=cast.user("lead_a"), kind="qad.declaration_made").exists()
    shown = client_for("lead_a").get(reverse("qad:submission", args=[final.reference])).content.decode()
    assert "Declared by <strong>Dana Director</strong>" in shown and "void" not in shown


def test_a_director_with_an_account_signs_in_and_finds_the_invitation_in_the_inbox(
    cast, final, client_for, django_capture_on_commit_callbacks
):
    from qualify.accounts.services import user_create
    from qualify.core.actor import system_actor

    existing = user_create(
        actor=system_actor("t"), email=DIRECTOR, full_name="Dana Director", password="a-Long-pass-2026"
    )
    case = force_state(cast.case_a, S.AGREED)
    invite(client_for("lead_a"), case, django_capture_on_commit_callbacks)
    notice = Notification.objects.get(recipient=existing, kind="qad.declaration_invited")
    link = link_in_mail()
    anonymous = Client().get(link).content.decode()
    assert "Sign in to continue" in anonymous and "Create my account" not in anonymous
    director = Client()
    director.force_login(existing)
    assert director.get(notice.link).status_code == 200
    assert director.get(link)["Location"] == declaration_url()
    declare(director)
    assert QualificationCase.objects.get(pk=case.pk).state == S.SIGNED


def test_a_director_with_a_second_factor_gives_it_afresh_before_the_declaration_counts(
    cast, final, client_for, django_capture_on_commit_callbacks
):
    from qualify.accounts.services import user_create
    from qualify.accounts.tests.mfa_helpers import enrol_totp, sign_in, totp_code
    from qualify.core.actor import system_actor

    existing = user_create(
        actor=system_actor("t"), email=DIRECTOR, full_name="Dana Director", password="a-Long-pass-2026"
    )
    secret, _codes = enrol_totp(existing)
    case = force_state(cast.case_a, S.AGREED)
    invite(client_for("lead_a"), case, django_capture_on_commit_callbacks)
    director = Client()
    signed_at = dt.datetime(2026, 11, 30, 9, 0, 5, tzinfo=dt.UTC)
    with time_machine.travel(signed_at, tick=False):
        sign_in(director, DIRECTOR, totp_code(secret), password="a-Long-pass-2026")
    with time_machine.travel(signed_at + dt.timedelta(minutes=20), tick=False):
        url = reverse("qad:declaration_declare", args=[str(DeclarationInvitation.objects.get(email=DIRECTOR).uuid)])
        asked = director.post(url, {"position": "Chief Executive", "confirm": "on", "step": "confirmed"})
        assert asked.status_code == 302 and asked["Location"].startswith(reverse("mfa_reauthenticate"))
        assert not QadDeclaration.objects.exists() and QualificationCase.objects.get(pk=case.pk).state == S.AGREED
        with django_capture_on_commit_callbacks(execute=True):
            director.post(asked["Location"], {"code": totp_code(secret)})
    assert QualificationCase.objects.get(pk=case.pk).state == S.SIGNED


def test_the_lead_no_longer_signs_by_typing_a_name(cast, final, client_for, token_for):
    force_state(cast.case_a, S.AGREED)
    for key in ("lead_a", "admin"):
        response = client_for(None).post(
            f"/api/v1/cases/{cast.case_a.reference}/transitions",
            {"name": "sign", "comment": "by hand"},
            content_type="application/json",
            **token_for(key),
        )
        assert response.status_code == 403, key
    old = client_for(None).post(
        f"/api/v1/qad/submissions/{final.reference}/declaration",
        {"name": "Dana", "position": "CEO", "email": DIRECTOR, "statement": "x"},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert old.status_code in (404, 405)
    assert QualificationCase.objects.get(pk=cast.case_a.pk).state == S.AGREED


# --- tenancy ---------------------------------------------------------------------------------------------------


def test_the_declarant_sees_only_this_snapshot_and_nobody_else_sees_the_declaration_page(
    cast, final, client_for, token_for, django_capture_on_commit_callbacks
):
    case = force_state(cast.case_a, S.AGREED)
    invite(client_for("lead_a"), case, django_capture_on_commit_callbacks)
    director = sign_up(link_in_mail())
    url = declaration_url()
    # The organisation's own people, staff and the other organisation: 404, as for a missing page.
    for key in ("lead_a", "viewer_a", "lead_b", "admin", "bsc"):
        assert client_for(key).get(url).status_code == 404, key
    # The declarant has no other access to the organisation: its case, QAD and submissions are 404.
    assert director.get(reverse("qad:case", args=[case.reference])).status_code == 404
    assert director.get(reverse("qad:submission", args=[final.reference])).status_code == 404
    assert director.get(reverse("cases:detail", args=[case.reference])).status_code == 404
    assert director.get(reverse("qad:declaration", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    # Over the API too (a token of the declarant's own).
    from qualify.accounts.services import api_token_create
    from qualify.core.actor import system_actor

    secret = api_token_create(actor=system_actor(), user=User.objects.get(email=DIRECTOR), name="t").secret
    uuid = DeclarationInvitation.objects.get().uuid
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    mine = Client().get(f"/api/v1/qad/declarations/{uuid}", **headers)
    assert mine.status_code == 200 and mine.json()["sha256"] == final.sha256
    assert Client().get(f"/api/v1/qad/submissions/{final.reference}", **headers).status_code == 404
    assert Client().get(f"/api/v1/qad/declarations/{uuid}", **token_for("lead_a")).status_code == 404
    made = Client().post(
        f"/api/v1/qad/declarations/{uuid}",
        {"position": "CEO", "confirm": True},
        content_type="application/json",
        **headers,
    )
    assert made.status_code == 201 and made.json()["snapshot_sha256"] == final.sha256


# --- when an invitation stops working ----------------------------------------------------------------------------


def test_the_link_works_once(cast, final, client_for, django_capture_on_commit_callbacks):
    case = force_state(cast.case_a, S.AGREED)
    invite(client_for("lead_a"), case, django_capture_on_commit_callbacks)
    link = link_in_mail()
    sign_up(link)
    # Someone else holding the same link (signed in or not) gets nowhere.
    assert Client().get(link).status_code == 410
    assert client_for("viewer_a").get(link).status_code == 410


def test_an_expired_link_stops_working_and_a_resent_one_replaces_it(
    cast, final, client_for, django_capture_on_commit_callbacks
):
    case = force_state(cast.case_a, S.AGREED)
    invite(client_for("lead_a"), case, django_capture_on_commit_callbacks)
    old = link_in_mail()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        gone = Client().get(old)
        assert gone.status_code == 410 and "(Expired)" in gone.content.decode()
        invitation = DeclarationInvitation.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            client_for("lead_a").post(reverse("qad:invitation_resend", args=[str(invitation.uuid)]))
        new = link_in_mail()
        assert new != old
        assert Client().get(old).status_code == 404  # the old secret opens nothing any more
        director = sign_up(new)
        declare(director)
    assert QualificationCase.objects.get(pk=case.pk).state == S.SIGNED


def test_a_cancelled_invitation_stops_working(cast, final, client_for, django_capture_on_commit_callbacks):
    case = force_state(cast.case_a, S.AGREED)
    invite(client_for("lead_a"), case, django_capture_on_commit_callbacks)
    link = link_in_mail()
    director = sign_up(link)
    invitation = DeclarationInvitation.objects.get()
    page = client_for("lead_a").post(
        reverse("qad:invitation_cancel", args=[str(invitation.uuid)]), {"confirm": "on"}, follow=True
    )
    assert "is cancelled" in page.content.decode()
    assert 'data-testid="invite-form"' in page.content.decode()  # the lead may invite someone else now
    assert "no longer works" in director.get(declaration_url()).content.decode()
    declare(director)
    assert not QadDeclaration.objects.exists()
    assert QualificationCase.objects.get(pk=case.pk).state == S.AGREED


def test_a_newer_final_submission_supersedes_the_invitation_and_voids_the_declaration(
    cast, final, client_for, token_for, django_capture_on_commit_callbacks
):
    lead = cast.actor("lead_a")
    case = force_state(cast.case_a, S.AGREED)
    invite(client_for("lead_a"), case, django_capture_on_commit_callbacks)
    director = sign_up(link_in_mail())
    declare(director)
    assert QualificationCase.objects.get(pk=case.pk).state == S.SIGNED

    # Referred back and resubmitted: the declaration names a superseded snapshot.
    force_state(case, S.FINAL_CLARIFICATION)
    newer = submission_create(actor=lead, response=final.response, kind="FINAL")
    shown = client_for("lead_a").get(reverse("qad:submission", args=[final.reference])).content.decode()
    assert 'data-testid="declaration-void"' in shown
    listed = client_for(None).get(f"/api/v1/qad/cases/{case.reference}/submissions", **token_for("lead_a")).json()
    by_reference = {s["reference"]: s for s in listed["items"]}
    assert by_reference[final.reference]["declaration"]["void"] is True
    assert by_reference[newer.reference]["declaration"] is None
    assert 'data-testid="declaration-void"' in director.get(declaration_url()).content.decode()

    # Agreed again: the void declaration does not sign the case, and a new invitation is needed.
    force_state(case, S.AGREED)
    response = client_for(None).post(
        f"/api/v1/cases/{case.reference}/transitions",
        {"name": "sign", "comment": "the old declaration"},
        content_type="application/json",
        **token_for("lead_a"),
    )
    assert response.status_code == 403
    invite(client_for("lead_a"), case, django_capture_on_commit_callbacks, email="second.director@northwind.test")
    second_link = link_in_mail("second.director@northwind.test")
    # A newer Final submission before this one is declared on: its link stops working too.
    force_state(case, S.FINAL_CLARIFICATION)
    submission_create(actor=lead, response=final.response, kind="FINAL")
    force_state(case, S.AGREED)
    gone = Client().get(second_link)
    assert gone.status_code == 410 and "newer Final QAD" in gone.content.decode()
    page = client_for("lead_a").get(reverse("qad:case", args=[case.reference])).content.decode()
    assert "No longer valid: a newer Final QAD was submitted" in page


def test_the_invitation_link_starts_with_the_configured_site_not_the_requests_host(
    cast, final, client_for, django_capture_on_commit_callbacks, settings
):
    # A request may arrive under any Host the proxy lets through; the e-mailed link must carry the platform's address.
    settings.QUALIFY_SITE_URL = "https://qualify.example.org"
    force_state(cast.case_a, S.AGREED)
    invite(client_for("lead_a"), cast.case_a, django_capture_on_commit_callbacks)
    body = str(next(m for m in mail.outbox if DIRECTOR in m.to).body)
    assert re.search(r"https://qualify\.example\.org/qad/invitation/[^/\s]+/", body), body
    assert "testserver" not in body
