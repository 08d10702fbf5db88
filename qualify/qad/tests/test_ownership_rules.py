"""Loading a QAD version checks ownership against the approval matrix and the exemption lists (docs/qad-format.md):
a question's owner approves every role it applies to, or the question says it is advisory; a question cannot be both
asked only with and removed by the same exemption. Each problem names its line, the question and the role."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from qualify.core.actor import system_actor
from qualify.core.errors import ValidationFailed
from qualify.qad.models import QadQuestion, QadVersion
from qualify.qad.services import qad_version_load
from qualify.qad.tests.helpers import SAMPLE

pytestmark = pytest.mark.django_db

ONE_QUESTION = """\
version: "9.5"
title: Ownership
sections:
  - number: "1"
    title: One
    owner: {owner}
    questions:
      - id: Q-1.1
        number: "1.1"
        text: Who?
        type: text
        roles: {roles}
        routes: ALL
{extra}"""


def version_file(*, owner: str = "BSC", roles: str = "[SUPPLIER, MEM]", extra: str = "") -> str:
    return ONE_QUESTION.format(owner=owner, roles=roles, extra=extra)


def refused(text: str) -> list[dict[str, object]]:
    with pytest.raises(ValidationFailed) as info:
        qad_version_load(actor=system_actor("tests"), text=text)
    assert info.value.code == "qad_file_invalid"
    assert not QadVersion.objects.exists()
    details = info.value.details
    assert isinstance(details, dict)
    problems: list[dict[str, object]] = details["problems"]
    return problems


def test_a_bsc_question_that_applies_to_a_mem_is_refused_naming_the_question_and_the_role(cast):
    text = version_file(roles="\n          - SUPPLIER\n          - MEM")
    (problem,) = refused(text)
    assert problem["line"] == 14  # the line that names MEM
    assert problem["field"] == "sections[0].questions[0].roles"
    message = str(problem["message"])
    assert message.startswith("question 1.1 (Q-1.1) is owned by BSC but applies to MEM, which BSC does not approve")
    assert "MEM is approved by DIP, REC" in message and "mark it advisory: true" in message


def test_a_rec_question_for_every_role_names_each_role_the_rec_does_not_approve(cast):
    (problem,) = refused(version_file(owner="REC", roles="ALL"))
    assert problem["line"] == 12 and problem["field"] == "sections[0].questions[0].roles"
    assert "applies to SDS, ADS, UMSDS, which REC does not approve" in str(problem["message"])
    # The DIP Manager approves every role, so it may own a question every role is asked.
    version = qad_version_load(actor=system_actor("tests"), text=version_file(owner="DIP", roles="ALL"))
    assert version.questions.get().roles == ["SUPPLIER", "LDSO", "MEM", "SDS", "ADS", "UMSDS"]


def test_an_advisory_question_may_reach_roles_its_owner_does_not_approve(cast):
    version = qad_version_load(
        actor=system_actor("tests"), text=version_file(roles="ALL", extra="        advisory: true\n")
    )
    question = version.questions.get()
    assert question.advisory is True and question.owner == "BSC" and "MEM" in question.roles


def test_advisory_on_a_question_its_owner_assesses_for_every_role_is_refused(cast):
    (problem,) = refused(version_file(roles="[SUPPLIER, SDS]", extra="        advisory: true\n"))
    assert problem["line"] == 14 and problem["field"] == "sections[0].questions[0].advisory"
    assert str(problem["message"]) == (
        "question 1.1 (Q-1.1) is marked advisory, but its owner BSC approves every role it applies to "
        "(SUPPLIER, SDS), so there is nothing it advises on: remove advisory"
    )


def test_advisory_must_be_true_or_false(cast):
    (problem,) = refused(version_file(owner="DIP", roles="ALL", extra="        advisory: sometimes\n"))
    assert (problem["line"], problem["field"]) == (14, "sections[0].questions[0].advisory")
    assert "'sometimes' must be true or false" in str(problem["message"])


def test_a_question_asked_only_with_an_exemption_that_also_removes_it_is_refused(cast):
    extra = "        only_with_exemptions: [SMART_SEGMENT]\n        excluded_by_exemptions: [SMART_SEGMENT, OTHER]\n"
    (problem,) = refused(version_file(roles="[SUPPLIER]", extra=extra))
    assert (problem["line"], problem["field"]) == (14, "sections[0].questions[0].only_with_exemptions")
    assert str(problem["message"]) == (
        "SMART_SEGMENT is also in excluded_by_exemptions, so question 1.1 (Q-1.1) would never apply: "
        "keep it in one list"
    )


def test_an_unknown_exemption_to_be_asked_only_with_is_refused_on_its_line(cast):
    (problem,) = refused(version_file(roles="[SUPPLIER]", extra="        only_with_exemptions: [P476]\n"))
    assert (problem["line"], problem["field"]) == (14, "sections[0].questions[0].only_with_exemptions[0]")
    assert "'P476' is not one of SMART_SEGMENT, OTHER" in str(problem["message"])


def test_a_question_asked_only_with_an_exemption_is_stored_with_it(cast):
    version = qad_version_load(
        actor=system_actor("tests"),
        text=version_file(roles="[SUPPLIER]", extra="        only_with_exemptions: [SMART_SEGMENT]\n"),
    )
    assert version.questions.get().only_with_exemptions == ["SMART_SEGMENT"]


def test_the_sample_without_its_advisory_flags_is_refused_question_by_question(cast):
    """The shipped sample asks a few questions of every role for information; without the flag each is refused."""
    text = SAMPLE.read_text(encoding="utf-8").replace("        advisory: true\n", "")
    problems = refused(text)
    assert {str(p["message"]).split(" is owned by")[0] for p in problems} == {
        "question 1.1 (Q-1.1)",
        "question 1.5 (Q-1.5)",
        "question 1.6 (Q-1.6)",
        "question 1.7 (Q-1.7)",
        "question 2.5 (Q-2.5)",
    }
    assert all(isinstance(p["line"], int) and p["line"] > 1 for p in problems)


def test_the_sample_gives_every_question_to_a_body_that_approves_its_roles_or_marks_it_advisory(cast):
    version = qad_version_load(actor=system_actor("tests"), text=SAMPLE.read_text(encoding="utf-8"), publish=True)
    approves = {"BSC": {"SUPPLIER", "LDSO", "SDS", "ADS", "UMSDS"}, "REC": {"SUPPLIER", "LDSO", "MEM"}}
    for question in QadQuestion.objects.filter(version=version):
        outside = set(question.roles) - approves.get(question.owner, set(question.roles))
        assert bool(outside) == question.advisory, question.qid


def test_the_command_names_the_file_line_question_and_role(cast, tmp_path):
    bad = tmp_path / "owners.yaml"
    bad.write_text(version_file(roles="[MEM]"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("load_qad", str(bad), stderr=err)
    assert f"{bad}:12: sections[0].questions[0].roles: question 1.1 (Q-1.1) is owned by BSC but applies to MEM" in (
        err.getvalue()
    )
    assert not QadVersion.objects.exists()


def test_the_upload_page_shows_the_ownership_problem_and_stores_nothing(cast, client_for):
    upload = io.BytesIO(version_file(owner="REC", roles="[SUPPLIER, UMSDS]").encode())
    upload.name = "owners.yaml"
    response = client_for("admin").post(reverse("qad:version_upload"), {"file": upload})
    assert response.status_code == 422
    body = response.content.decode()
    assert "<td>12</td>" in body and "question 1.1 (Q-1.1) is owned by REC but applies to UMSDS" in body
    assert not QadVersion.objects.exists()
