"""A machine client (a market system's token) is not staff: it reads the register, asks for gating decisions and
fetches the public library, and nothing else (issue 14). The permission matrix holds its answer for every endpoint
and page; these tests pin what the probe found it could read, the data beneath the API's door, and its sign-in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from qualify.accounts.services import user_create
from qualify.core.actor import system_actor
from qualify.core.errors import NotFound, ValidationFailed
from qualify.core.roles import ALL_SEEING_ROLES, HUMAN_STAFF_ROLES, MACHINE_ROLES, StaffRole
from qualify.library.choices import VersionStatus
from qualify.library.models import ArtefactVersion, Comment, Consultation
from qualify.library.selectors import comment_list, consultation_log
from qualify.library.tests.helpers import closed_consultation, make_artefact, make_version
from qualify.participants.models import MarketParticipation, Organisation
from qualify.qad.models import QadResponse, QadSubmission
from qualify.qad.services import submission_create
from qualify.qad.tests.helpers import complete, open_qad, publish_sample, to_pit


@pytest.fixture
def submitted(cast):  # type: ignore[no-untyped-def]
    """Case A in PIT with every question answered and its Initial QAD frozen in a submission."""
    publish_sample()
    lead = cast.actor("lead_a")
    response = open_qad(cast.case_a, lead)
    to_pit(cast.case_a, cast)
    complete(response, lead)
    return submission_create(actor=lead, response=response, kind="INITIAL")


def _refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "not_allowed"
    assert b"Northwind" not in response.content


def test_a_market_systems_token_cannot_read_a_participants_qad_answers(cast, submitted, token_for):
    token = token_for("machine")
    _refused(Client().get(f"/api/v1/qad/cases/{cast.case_a.reference}/questions", **token))
    _refused(Client().get(f"/api/v1/qad/cases/{cast.case_a.reference}", **token))
    # Beneath the API's door, the rows themselves are out of its sight.
    assert not QadResponse.objects.visible_to(cast.actor("machine")).exists()


def test_a_market_systems_token_cannot_read_a_frozen_submission(cast, submitted, token_for):
    _refused(Client().get(f"/api/v1/qad/submissions/{submitted.reference}", **token_for("machine")))
    assert not QadSubmission.objects.visible_to(cast.actor("machine")).exists()


def test_a_market_systems_token_cannot_read_consultation_comments_nor_anonymous_respondents_names(cast, token_for):
    setup = closed_consultation(cast)
    sent = Comment.objects.get(consultation=setup.consultation)
    assert sent.publish_with_name is False  # the respondent asked not to be named
    token = token_for("machine")
    _refused(Client().get(f"/api/v1/library/consultations/{setup.consultation.reference}/comments", **token))
    _refused(Client().get(f"/api/v1/library/comments/{sent.uuid}", **token))
    _refused(Client().get(f"/api/v1/library/consultations/{setup.consultation.reference}", **token))
    machine = cast.actor("machine")
    assert not comment_list(actor=machine).exists()
    assert not Consultation.objects.visible_to(machine).exists()
    with pytest.raises(NotFound):
        consultation_log(actor=machine, consultation=setup.consultation)


def test_a_machine_sees_no_organisation_owned_rows_but_reads_the_whole_register(cast):
    machine = cast.actor("machine")
    assert machine.is_machine and not machine.is_staff_member and not machine.sees_everything
    assert not Organisation.objects.visible_to(machine).exists()
    assert not MarketParticipation.objects.visible_to(machine).exists()
    assert MarketParticipation.objects.register_visible_to(machine).count() == 4  # both organisations'
    # A participant's register reading stays its own organisation's.
    assert set(MarketParticipation.objects.register_visible_to(cast.actor("lead_b"))) == {
        cast.supplier_b,
        cast.ldso_b,
    }


def test_a_machine_reads_only_the_published_library(cast):
    artefact = make_artefact()
    draft = make_version(artefact, "1.0")
    machine = cast.actor("machine")
    assert draft.status == VersionStatus.DRAFT
    assert not ArtefactVersion.objects.visible_to(machine).exists()
    ArtefactVersion.objects.filter(pk=draft.pk).update(status=VersionStatus.IN_CONSULTATION)
    assert not ArtefactVersion.objects.visible_to(machine).exists()  # released to the market's people, not machines
    assert ArtefactVersion.objects.visible_to(cast.actor("lead_b")).exists()
    ArtefactVersion.objects.filter(pk=draft.pk).update(status=VersionStatus.BASELINED)
    assert list(ArtefactVersion.objects.visible_to(machine)) == [draft]


def test_a_machine_never_signs_in_nor_keeps_a_session(cast):
    machine = cast.user("machine")
    machine.set_password("correct-horse-battery-9")  # came by a password somehow (the admin site, say)
    machine.save(update_fields=["password"])
    login = reverse("accounts:login")
    refused = Client().post(login, {"login": machine.email, "password": "correct-horse-battery-9"})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    person = Client().post(login, {"login": cast.user("lead_a").email, "password": "correct-horse-battery-9"})
    assert person.status_code == 302  # the same form signs a person in
    client = Client()
    client.force_login(machine)  # a session made for it all the same is not honoured
    page = client.get(reverse("cases:list"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:login"))
    assert client.get("/api/v1/register/NWEN/SUPPLIER").status_code == 401


def test_a_market_system_account_is_a_machine_account_without_a_password(db):
    with pytest.raises(ValidationFailed, match="machine client"):
        user_create(actor=system_actor(), email="reg@market.test", full_name="Reg", staff_role=StaffRole.MARKET_SYSTEM)
    with pytest.raises(ValidationFailed, match="no password"):
        user_create(
            actor=system_actor(),
            email="reg@market.test",
            full_name="Reg",
            password="correct-horse-battery-9",
            staff_role=StaffRole.MARKET_SYSTEM,
            is_machine=True,
        )


def test_every_role_but_none_is_either_human_staff_or_a_machine():
    assert not HUMAN_STAFF_ROLES & MACHINE_ROLES
    assert {r for r in StaffRole if r != StaffRole.NONE} == HUMAN_STAFF_ROLES | MACHINE_ROLES
    assert not ALL_SEEING_ROLES & MACHINE_ROLES
