"""What a refused CSV import answers is bounded, however bad or large the file (issue 14)."""

from __future__ import annotations

import json

import pytest

from qualify.core.csvimport import LISTED_PROBLEMS, MESSAGE_LIMIT, Problem, import_failed, read_csv_rows
from qualify.core.errors import ValidationFailed
from qualify.register.imports import register_import

HEADER = "organisation,mpid,role,event,date,distributor_ids"


def body(error: ValidationFailed) -> str:
    """What the API answers for the error (the shared error shape's message and details)."""
    return json.dumps({"message": error.message, "details": error.details})


def test_a_refused_import_lists_the_first_problems_and_counts_them_all():
    problems = [Problem(n, "mpid", f"'BAD{n}' is not an MPID") for n in range(1, 5001)]
    error = import_failed("big.csv", problems)
    assert len(error.details["problems"]) == LISTED_PROBLEMS
    assert error.details["problems"][0] == {"row": 1, "column": "mpid", "message": "'BAD1' is not an MPID"}
    assert error.details["problem_count"] == 5000
    assert "(and 4995 more)" in error.message
    assert len(body(error)) < 20_000


def test_a_huge_cell_quoted_in_a_problem_is_cut():
    error = import_failed("f.csv", [Problem(1, "mpid", f"{'X' * 1_000_000!r} is not an MPID")])
    message = error.details["problems"][0]["message"]
    assert len(message) == MESSAGE_LIMIT
    assert message.endswith("…")
    assert len(body(error)) < 5_000


def test_a_nul_in_a_cell_is_a_problem_of_its_row():
    rows, problems = read_csv_rows("a,b\nfine,also fine\nbad\x00name,x\n", ["a", "b"])
    assert rows == [(1, {"a": "fine", "b": "also fine"})]
    assert problems == [Problem(2, "a", "holds a NUL character")]


def test_a_file_with_more_rows_than_the_limit_is_refused_without_reading_on():
    text = "a\n" + "x\n" * 11
    assert len(read_csv_rows(text, ["a"], limit=11)[0]) == 11
    rows, problems = read_csv_rows(text, ["a"], limit=10)
    assert rows == []
    assert problems == [Problem(None, None, "more than 10 rows; split the file")]


@pytest.mark.django_db
def test_a_nul_in_a_register_import_is_refused_cleanly(cast):
    text = f"{HEADER}\nNul\x00 Energy,NULE,SUPPLIER,,,\n"
    with pytest.raises(ValidationFailed) as refused:
        register_import(actor=cast.actor("admin"), text=text, source_name="nul.csv")
    assert refused.value.details["problems"] == [
        {"row": 1, "column": "organisation", "message": "holds a NUL character"}
    ]


@pytest.mark.django_db
def test_twenty_thousand_bad_rows_answer_a_small_error(cast):
    text = HEADER + "\n" + "Bad Energy,BAD!,SUPPLIER,QUALIFIED,2025-01-01,\n" * 20_000
    with pytest.raises(ValidationFailed) as refused:
        register_import(actor=cast.actor("admin"), text=text, source_name="bad.csv")
    assert refused.value.details["problem_count"] == 20_000
    assert len(refused.value.details["problems"]) == LISTED_PROBLEMS
    assert len(body(refused.value)) < 20_000


@pytest.mark.django_db
def test_a_million_bad_rows_answer_a_small_error(cast):
    # The probe's file, a bad value in every one of a million rows, answered 109 MB.
    text = HEADER + "\n" + "Bad Energy,BAD!,SUPPLIER,QUALIFIED,2025-01-01,\n" * 1_000_000
    with pytest.raises(ValidationFailed) as refused:
        register_import(actor=cast.actor("admin"), text=text, source_name="million.csv")
    assert len(body(refused.value)) < 20_000


@pytest.mark.django_db
def test_a_file_over_the_row_limit_is_refused_as_a_whole(cast, settings):
    settings.QUALIFY_IMPORT_MAX_ROWS = 1000
    text = HEADER + "\n" + "Some Energy,SOME,SUPPLIER,,,\n" * 1001
    with pytest.raises(ValidationFailed, match="more than 1000 rows"):
        register_import(actor=cast.actor("admin"), text=text, source_name="big.csv")
