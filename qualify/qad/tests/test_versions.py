"""Loading, validating and publishing QAD versions; a published version never changes."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.qad.loader import QadFileInvalid, parse_version
from qualify.qad.models import ImmutableError, QadQuestion, QadVersion
from qualify.qad.services import qad_version_load, qad_version_publish
from qualify.qad.tests.helpers import SAMPLE, publish_sample

GOOD = """\
version: "9.1"
title: Small
sections:
  - number: "1"
    title: One
    owner: DIP
    questions:
      - id: Q-1.1
        number: "1.1"
        text: Who?
        type: text
        roles: ALL
        routes: ALL
"""


def problems_of(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(QadFileInvalid) as info:
        parse_version(text)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def test_sample_version_mirrors_the_published_structure():
    spec = parse_version(SAMPLE.read_text(encoding="utf-8"))
    assert len(spec.sections) == 9 and spec.question_count >= 60
    roles = {r for s in spec.sections for q in s.questions for r in q.roles}
    assert roles == {"SUPPLIER", "LDSO", "MEM", "SDS", "ADS", "UMSDS"}
    dip = next(s for s in spec.sections if s.number == "4.5")
    assert dip.owner == "DIP"
    smart = next(q for s in spec.sections for q in s.questions if q.number == "5.1.9")
    assert smart.excluded_by_exemptions == ["SMART_SEGMENT"]
    p476 = next(s for s in spec.sections if s.number == "5.1.1")
    assert {tuple(q.only_with_exemptions) for q in p476.questions} == {("SMART_SEGMENT",)}
    assert {tuple(q.roles) for q in p476.questions} == {("SUPPLIER",)}
    assert {q.answer_type for s in spec.sections for q in s.questions} == {
        "text",
        "yes_no",
        "single_choice",
        "multiple_choice",
        "date",
        "number",
        "table",
    }


def test_json_files_are_accepted_too():
    spec = parse_version(
        '{"version": "9.2", "title": "J", "sections": [{"number": "1", "title": "One", "owner": "REC", '
        '"questions": [{"id": "Q-1.1", "number": "1.1", "text": "Q", "type": "yes_no", "roles": ["MEM"], '
        '"routes": ["SIT"]}]}]}'
    )
    assert spec.sections[0].questions[0].roles == ["MEM"]


def test_bad_answer_type_names_the_line_and_field():
    assert problems_of(GOOD.replace("type: text", "type: essay")) == [
        (
            11,
            "sections[0].questions[0].type",
            "'essay' is not one of text, yes_no, single_choice, multiple_choice, date, number, table",
        )
    ]


def test_missing_required_field_is_reported_on_its_mapping():
    assert problems_of(GOOD.replace("        text: Who?\n", "")) == [
        (8, "sections[0].questions[0].text", "is required but missing")
    ]


def test_unknown_role_and_route_and_exemption_are_each_reported():
    text = GOOD.replace("roles: ALL", "roles: [SUPPLIER, BROKER]").replace("routes: ALL", "routes: [FAST]")
    text = text.replace("        routes: [FAST]\n", "        routes: [FAST]\n        excluded_by_exemptions: [NONE]\n")
    found = problems_of(text)
    assert [(line, field) for line, field, _ in found] == [
        (12, "sections[0].questions[0].roles[1]"),
        (13, "sections[0].questions[0].routes[0]"),
        (14, "sections[0].questions[0].excluded_by_exemptions[0]"),
    ]
    assert "'BROKER' is not one of SUPPLIER" in found[0][2]


def test_every_problem_is_collected_not_just_the_first():
    text = GOOD.replace('version: "9.1"', 'version: ""').replace("owner: DIP", "owner: OFGEM")
    text = text.replace('number: "1.1"', 'number: "2.1"') + "extra: 1\n"
    found = problems_of(text)
    assert [(line, field) for line, field, _ in found] == [
        (1, "version"),
        (6, "sections[0].owner"),
        (9, "sections[0].questions[0].number"),
        (14, "extra"),
    ]
    assert "2.1 is not inside section 1" in found[2][2]


def test_duplicate_question_id_and_choice_without_choices_are_refused():
    text = GOOD + (
        "      - id: Q-1.1\n"
        '        number: "1.2"\n'
        "        text: Again\n"
        "        type: single_choice\n"
        "        roles: ALL\n"
        "        routes: ALL\n"
    )
    found = problems_of(text)
    assert (14, "sections[0].questions[1].choices", "a single_choice question needs two or more choices") in found
    assert (14, "sections[0].questions[1].id", "Q-1.1 is used by an earlier question") in found


def test_broken_yaml_names_the_line():
    found = problems_of(GOOD.replace("title: One", "title: [One"))
    assert found[0][0] in (6, 7) and found[0][1] == "(file)" and "not valid YAML" in found[0][2]


def test_load_and_publish_makes_a_version_that_never_changes(cast):
    version = publish_sample()
    assert version.is_published and version.questions.count() >= 60
    with pytest.raises(ValidationFailed, match="published and never changes"):
        qad_version_load(actor=system_actor(), text=SAMPLE.read_text(encoding="utf-8"))
    version.title = "Changed"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        QadVersion.objects.filter(pk=version.pk).update(title="Changed")
    with pytest.raises(ImmutableError):
        version.delete()
    question = QadQuestion.objects.filter(version=version).first()
    question.text = "Reworded"
    with pytest.raises(ImmutableError):
        question.save()
    assert QadVersion.objects.get(pk=version.pk).title != "Changed"


def test_a_draft_can_be_reloaded_and_then_published(cast):
    draft = qad_version_load(actor=system_actor(), text=GOOD)
    again = qad_version_load(actor=system_actor(), text=GOOD.replace("Who?", "Who exactly?"))
    assert not QadVersion.objects.filter(pk=draft.pk).exists()
    assert again.questions.get().text == "Who exactly?"
    assert qad_version_publish(actor=system_actor(), version=again).is_published


def test_only_the_programme_loads_versions(cast):
    with pytest.raises(NotAllowed):
        qad_version_load(actor=cast.actor("bsc"), text=GOOD)
    assert not QadVersion.objects.exists()


def test_load_qad_command_loads_and_publishes(cast):
    out = io.StringIO()
    call_command("load_qad", str(SAMPLE), "--publish", stdout=out)
    assert "QAD v3.2 published: 74 questions." in out.getvalue()


def test_load_qad_command_lists_each_problem_with_file_and_line(cast, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("type: text", "type: essay"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("load_qad", str(bad), stderr=err)
    assert f"{bad}:11: sections[0].questions[0].type: 'essay' is not one of" in err.getvalue()
    assert not QadVersion.objects.exists()


def test_staff_page_shows_file_problems_and_stores_nothing(cast, client_for):
    client = client_for("admin")
    upload = io.BytesIO(GOOD.replace("type: text", "type: essay").encode())
    upload.name = "bad.yaml"
    response = client.post(reverse("qad:version_upload"), {"file": upload})
    assert response.status_code == 422
    body = response.content.decode()
    assert "sections[0].questions[0].type" in body and "<td>11</td>" in body
    assert not QadVersion.objects.exists()


def test_staff_page_loads_and_publishes_a_good_file(cast, client_for):
    client = client_for("admin")
    upload = io.BytesIO(GOOD.encode())
    upload.name = "good.yaml"
    response = client.post(reverse("qad:version_upload"), {"file": upload, "publish": "on"})
    assert response.status_code == 302
    assert QadVersion.objects.get(version="9.1").is_published
