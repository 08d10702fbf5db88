"""Every problem a catalogue file can have is named with its line and field (docs/qt-catalogue-format.md)."""

from __future__ import annotations

import pytest

from qualify.core.errors import ValidationFailed
from qualify.testing import loader
from qualify.testing.loader import CatalogueFileInvalid, parse_catalogue
from qualify.testing.services import catalogue_check
from qualify.testing.tests.helpers import sample_text

# A small valid file; each case below changes one thing in it. Line numbers are this text's.
BASE = """\
version: "2.0"
title: Small catalogue
document: MHHS-DEL9001
batches:
  - code: F1
    title: Functional 1
  - code: DIP
    title: DIP messages
optional_functions:
  - code: UMS_SUPPLY
    title: Supplying unmetered points
    roles: [SUPPLIER]
cases:
  - id: QT-001
    title: Gain a smart point
    batch: F1
    roles: [SUPPLIER]
    segments: [SMART]
    requirements: [REQ-REG-001]
    steps: Ask for the point and check it is recorded.
    minimum_sets: [NO_RELIANCE]
  - id: QT-002
    title: Send every message
    batch: DIP
    roles: ALL
    segments: ALL
    requirements: [REQ-DIP-001]
    steps: Send each message.
"""


def _problems(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(CatalogueFileInvalid) as invalid:
        parse_catalogue(text)
    return [(p.line, p.field, p.message) for p in invalid.value.problems]


def test_the_small_file_and_the_sample_are_valid():
    spec = parse_catalogue(BASE)
    assert [c.case_id for c in spec.cases] == ["QT-001", "QT-002"]
    assert spec.cases[1].roles == ["SUPPLIER", "LDSO", "MEM", "SDS", "ADS", "UMSDS"]
    assert spec.cases[1].segments == ["SMART", "ADVANCED", "UMS"]
    assert spec.cases[0].routes == ["QT", "NEW_ENTRANT"]
    assert len(parse_catalogue(sample_text()).cases) >= 60


def test_a_batch_may_name_the_qad_questions_its_results_are_evidence_for():
    assert parse_catalogue(BASE).batches[0].qad_questions == []
    spec = parse_catalogue(
        BASE.replace("    title: DIP messages\n", "    title: DIP messages\n    qad_questions: [Q-3.4, Q-4.5.1]\n")
    )
    assert spec.batches[1].qad_questions == ["Q-3.4", "Q-4.5.1"]
    sample = parse_catalogue(sample_text())
    assert {b.code: b.qad_questions for b in sample.batches}["DIP"] == ["Q-3.4", "Q-6.12", "Q-4.5.1"]


CASES = [
    ("not yaml", "version: [1.0\n", 2, "(file)", "is not valid YAML or JSON"),
    ("empty", "", 1, "(file)", "is empty"),
    ("not a mapping", "- just\n- a list\n", 1, "(file)", "must be a mapping of field: value"),
    (
        "field twice",
        BASE.replace("title: Small catalogue", "title: Small catalogue\ntitle: Again"),
        3,
        "title",
        "appears twice",
    ),
    (
        "unknown field",
        BASE.replace("    steps: Send each message.", "    stepz: Send each message."),
        28,
        "cases[1].stepz",
        "is not a known field (known fields: batch, id, minimum_sets",
    ),
    (
        "missing field",
        BASE.replace("    requirements: [REQ-DIP-001]\n", ""),
        22,
        "cases[1].requirements",
        "is required but missing",
    ),
    (
        "list for a value",
        BASE.replace("title: Small catalogue", "title: [Small]"),
        2,
        "title",
        "must be a single value, not a list or mapping",
    ),
    (
        "control characters",
        BASE.replace("title: Small catalogue", 'title: "Small\\u0007"'),
        2,
        "title",
        "contains control characters",
    ),
    ("empty value", BASE.replace("title: Small catalogue", 'title: ""'), 2, "title", "must not be empty"),
    (
        "too long",
        BASE.replace("title: Gain a smart point", "title: " + "x" * 201),
        15,
        "cases[0].title",
        "is 201 characters long; at most 200 are allowed",
    ),
    (
        "bad version",
        BASE.replace('version: "2.0"', 'version: "v2"'),
        1,
        "version",
        "'v2' is not in the expected form (e.g. 1.0 or 2.01)",
    ),
    ("bad document", BASE.replace("MHHS-DEL9001", "DEL 9001"), 3, "document", "'DEL 9001' is not in the expected form"),
    ("bad case id", BASE.replace("QT-001", "QT-1"), 14, "cases[0].id", "'QT-1' is not in the expected form (QT- then"),
    (
        "bad requirement",
        BASE.replace("[REQ-REG-001]", "['REQ REG']"),
        19,
        "cases[0].requirements[0]",
        "'REQ REG' is not in the expected form",
    ),
    (
        "roles not a list",
        BASE.replace("roles: [SUPPLIER]\n    segments: [SMART]", "roles: SUPPLIER\n    segments: [SMART]"),
        17,
        "cases[0].roles",
        "must be a list (or ALL)",
    ),
    (
        "unknown role",
        BASE.replace("roles: [SUPPLIER]\n    segments", "roles: [SUPPLIER, DNO]\n    segments"),
        17,
        "cases[0].roles[1]",
        "'DNO' is not one of SUPPLIER, LDSO, MEM, SDS, ADS, UMSDS",
    ),
    (
        "unknown segment",
        BASE.replace("segments: [SMART]", "segments: [LEGACY]"),
        18,
        "cases[0].segments[0]",
        "'LEGACY' is not one of SMART, ADVANCED, UMS",
    ),
    (
        "SIT route",
        BASE.replace("    minimum_sets", "    routes: [SIT]\n    minimum_sets"),
        21,
        "cases[0].routes[0]",
        "'SIT' is not one of QT, NEW_ENTRANT",
    ),
    (
        "unknown minimum set",
        BASE.replace("[NO_RELIANCE]", "[FULL_RELIANCE]"),
        21,
        "cases[0].minimum_sets[0]",
        "'FULL_RELIANCE' is not one of NO_RELIANCE, PARTIAL_RELIANCE",
    ),
    (
        "listed twice",
        BASE.replace("segments: [SMART]", "segments: [SMART, SMART]"),
        18,
        "cases[0].segments[1]",
        "'SMART' is listed twice",
    ),
    (
        "empty list",
        BASE.replace("segments: [SMART]", "segments: []"),
        18,
        "cases[0].segments",
        "must list at least one value",
    ),
    (
        "too many requirements",
        BASE.replace("[REQ-REG-001]", "[" + ", ".join(f"R{i}" for i in range(51)) + "]"),
        19,
        "cases[0].requirements",
        "lists 51 values; at most 50 are allowed",
    ),
    ("cases not a list", BASE.split("cases:")[0] + "cases: none\n", 13, "cases", "must be a list of cases"),
    ("no cases", BASE.split("cases:")[0] + "cases: []\n", 13, "cases", "must list at least one case"),
    (
        "batches not a list",
        BASE.replace(
            "batches:\n  - code: F1\n    title: Functional 1\n  - code: DIP\n    title: DIP messages\n", "batches: F1\n"
        ).replace("batch: F1", "batch: DIP"),
        4,
        "batches",
        "must be a list of batches",
    ),
    (
        "batch twice",
        BASE.replace("code: DIP", "code: F1").replace("batch: DIP", "batch: F1"),
        7,
        "batches[1].code",
        "batch F1 appears twice",
    ),
    (
        "bad batch code",
        BASE.replace("code: F1", "code: f1").replace("batch: F1", "batch: f1"),
        5,
        "batches[0].code",
        "'f1' is not in the expected form (capitals",
    ),
    (
        "unknown batch",
        BASE.replace("batch: F1", "batch: F9"),
        16,
        "cases[0].batch",
        "'F9' is not one of the batches listed (F1, DIP)",
    ),
    ("batch without cases", BASE.replace("batch: F1", "batch: DIP"), 5, "batches[0].code", "batch F1 has no test case"),
    (
        "functions not a list",
        BASE.replace(
            "optional_functions:\n  - code: UMS_SUPPLY\n    title: Supplying unmetered points\n    roles: [SUPPLIER]\n",
            "optional_functions: UMS_SUPPLY\n",
        ),
        9,
        "optional_functions",
        "must be a list of optional functions",
    ),
    (
        "function twice",
        BASE.replace(
            "    roles: [SUPPLIER]\ncases:",
            "    roles: [SUPPLIER]\n  - code: UMS_SUPPLY\n    title: Again\n    roles: [SUPPLIER]\ncases:",
        ),
        13,
        "optional_functions[1].code",
        "optional function UMS_SUPPLY appears twice",
    ),
    (
        "unknown function",
        BASE.replace("    minimum_sets", "    optional_function: EXPORT\n    minimum_sets"),
        21,
        "cases[0].optional_function",
        "'EXPORT' is not one of the optional functions listed (UMS_SUPPLY)",
    ),
    (
        "function for another role",
        BASE.replace(
            "    steps: Send each message.", "    steps: Send each message.\n    optional_function: UMS_SUPPLY"
        ),
        29,
        "cases[1].optional_function",
        "UMS_SUPPLY is optional only for SUPPLIER, not for ADS, LDSO, MEM, SDS, UMSDS",
    ),
    (
        "a batch's QAD question that is not a question id",
        BASE.replace("    title: Functional 1\n", "    title: Functional 1\n    qad_questions: [Q-3.4, '3.4']\n"),
        7,
        "batches[0].qad_questions[1]",
        "is not in the expected form (a QAD question id, e.g. Q-3.4)",
    ),
    (
        "id used twice",
        BASE.replace("QT-002", "QT-001"),
        22,
        "cases[1].id",
        "QT-001 is used by an earlier case (line 14)",
    ),
]


@pytest.mark.parametrize(("text", "line", "where", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_names_its_line_field_and_what_is_wrong(text, line, where, message):
    problems = _problems(text)
    assert any(p[0] == line and p[1] == where and message in p[2] for p in problems), problems


def test_every_problem_is_reported_not_just_the_first():
    text = BASE.replace("QT-001", "QT-1").replace("segments: ALL", "segments: [MOON]").replace('"2.0"', '"two"')
    assert [(p[0], p[1]) for p in _problems(text)] == [
        (1, "version"),
        (14, "cases[0].id"),
        (26, "cases[1].segments[0]"),
    ]


def test_too_many_cases_are_refused(monkeypatch):
    monkeypatch.setattr(loader, "CASES_MAX", 1)
    assert _problems(BASE) == [(14, "cases", "lists 2 cases; at most 1 are allowed")]


def test_a_quoted_value_is_bounded_in_the_message():
    problems = _problems(BASE.replace("QT-001", "Q" * 150))
    message = next(p[2] for p in problems if p[1] == "cases[0].id")
    assert len(message) < 150


def test_the_service_refuses_a_file_too_large_before_reading_it(monkeypatch):
    from qualify.testing.services import catalogue as services

    monkeypatch.setattr(services, "MAX_FILE_CHARS", 100)
    with pytest.raises(ValidationFailed, match="at most 100 are accepted"):
        catalogue_check(text=BASE)


def test_the_service_lists_every_problem_in_its_details():
    with pytest.raises(ValidationFailed) as invalid:
        catalogue_check(text=BASE.replace("QT-001", "QT-1").replace('"2.0"', '"two"'))
    assert invalid.value.code == "catalogue_file_invalid"
    assert invalid.value.message.startswith("The catalogue file has 2 problem(s): line 1, version:")
    assert [p["line"] for p in invalid.value.details["problems"]] == [1, 14]
