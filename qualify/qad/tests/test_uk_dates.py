"""A date answer is taken as people write it in the UK, and shown that way; the Excel hint says so."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from qualify.qad import rules
from qualify.qad.choices import AnswerType
from qualify.qad.exports import ANSWER_HELP

DATE_QUESTION = SimpleNamespace(answer_type=AnswerType.DATE, choices=[], columns=[])


@pytest.mark.parametrize("written", ["30/11/2026", "30 Nov 2026", "30 November 2026", "2026-11-30", " 30  Nov 2026 "])
def test_a_date_answer_written_the_uk_way_is_stored_as_the_day(written):
    assert rules.clean_answer(DATE_QUESTION, written) == "2026-11-30"


def test_a_date_that_is_not_one_is_refused_with_an_example_in_uk_form():
    with pytest.raises(ValueError, match=r"e\.g\. 30/11/2026"):
        rules.clean_answer(DATE_QUESTION, "11/30/2026")


def test_the_excel_hint_for_a_date_answer_is_in_uk_form():
    assert "30/11/2026" in ANSWER_HELP[AnswerType.DATE] and "YYYY" not in ANSWER_HELP[AnswerType.DATE]
