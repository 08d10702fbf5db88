"""Reading JUnit XML and Azure DevOps CSV results: every outcome, every refusal, by row, line and column."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from qualify.core.errors import ValidationFailed
from qualify.testing.results import (
    MAX_BYTES,
    detect_kind,
    parse_azure_csv,
    parse_junit,
    parse_results,
    read_bounded,
)

PASSED, FAILED, BLOCKED, NA, NOT_RUN = "PASSED", "FAILED", "BLOCKED", "NOT_APPLICABLE", "NOT_RUN"


def junit(cases: str, *, suite_attrs: str = 'timestamp="2026-03-04T10:15:00"', props: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n'
        f'<testsuite name="qt" {suite_attrs}>\n{props}{cases}\n</testsuite>\n</testsuites>\n'
    ).encode()


@pytest.mark.parametrize(
    ("case", "status", "comment", "reason"),
    [
        ('<testcase name="QT-001 sends a registration" classname="supplier"/>', PASSED, "", ""),
        ('<testcase name="x" classname="suite.QT-002"><failure message="boom">trace</failure></testcase>',
         FAILED, "boom", ""),
        ('<testcase name="QT-003"><error>stack only</error></testcase>', FAILED, "stack only", ""),
        ('<testcase name="QT-004"><skipped message="waiting for DIP"/></testcase>', BLOCKED, "waiting for DIP", ""),
        ('<testcase name="QT-005"><skipped message="Not applicable: no unmetered"/></testcase>', NA, "",
         "Not applicable: no unmetered"),
        ('<testcase name="qt-006 lower case"/>', PASSED, "", ""),
    ],
)  # fmt: skip
def test_junit_outcomes_map_to_statuses(case, status, comment, reason):
    parsed = parse_junit(junit(case))
    assert parsed.problems == []
    [result] = parsed.results
    assert (result.status, result.comment, result.not_applicable_reason) == (status, comment, reason)
    assert result.run_date == dt.date(2026, 3, 4)
    assert result.test_case_id.startswith("QT-00")


def test_junit_id_from_the_name_first_then_the_classname():
    parsed = parse_junit(
        junit('<testcase name="QT-010 and QT-011" classname="QT-012"/><testcase name="t" classname="a.QT-013"/>')
    )
    assert [r.test_case_id for r in parsed.results] == ["QT-010", "QT-013"]
    assert [r.id_column for r in parsed.results] == ["name", "classname"]


def test_junit_tester_from_the_case_then_the_suite():
    props = '<properties><property name="tester" value="Suite Tester"/></properties>'
    cases = (
        '<testcase name="QT-001"/>'
        '<testcase name="QT-002"><properties><property name="Tester" value="Case Tester"/></properties></testcase>'
    )
    parsed = parse_junit(junit(cases, props=props))
    assert [r.tester for r in parsed.results] == ["Suite Tester", "Case Tester"]


def test_junit_row_problems_name_the_row_line_and_column():
    cases = '<testcase name="QT-001"/>\n<testcase name="no id here"/>\n<testcase name="QT-003"/>'
    parsed = parse_junit(junit(cases))
    assert [r.test_case_id for r in parsed.results] == ["QT-001", "QT-003"]
    [problem] = parsed.problems
    assert (problem.row, problem.line, problem.column) == (2, 5, "name")
    assert "QT-093" in problem.message


def test_junit_bad_timestamp_is_a_row_problem():
    parsed = parse_junit(junit('<testcase name="QT-001"/>', suite_attrs='timestamp="yesterday"'))
    assert parsed.results == [] and parsed.problems[0].column == "timestamp"


def test_junit_without_a_timestamp_has_no_run_date():
    parsed = parse_junit(junit('<testcase name="QT-001"/>', suite_attrs=""))
    assert parsed.results[0].run_date is None


def test_junit_failure_text_is_bounded():
    parsed = parse_junit(junit(f'<testcase name="QT-001"><failure>{"x" * 50_000}</failure></testcase>'))
    assert len(parsed.results[0].comment) <= 2000


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<testsuite><testcase name="QT-001">&lol3;</testcase></testsuite>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<testsuite><testcase name="QT-001"><failure>&x;</failure></testcase></testsuite>"""


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (BILLION_LAUGHS, "xml_forbidden"),
        (EXTERNAL, "xml_forbidden"),
        (b"<testsuite><testcase name='QT-001'></testsuite>", "bad_xml"),
        (b"<html><body/></html>", "not_junit"),
        (b"<testsuites><testsuite/></testsuites>", "no_rows"),
        (b"", "empty_file"),
        (b"   \n", "empty_file"),
        (b"<testsuite><testcase name='QT-001'/>\x00</testsuite>", "nul_bytes"),
    ],
)
def test_junit_files_refused_whole(data, code):
    with pytest.raises(ValidationFailed) as refused:
        parse_junit(data)
    assert refused.value.code == code
    assert "Nothing was imported" in refused.value.message


# --- Azure DevOps CSV ------------------------------------------------------------------------------------------------

HEADER = "Test Case Id,Title,Outcome,Completed Date,Run By,Comment,Error Message\n"


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("Passed", PASSED), ("passed", PASSED), ("Failed", FAILED), ("Error", FAILED), ("Aborted", FAILED),
        ("Timeout", FAILED), ("Blocked", BLOCKED), ("NotApplicable", NA), ("Not Applicable", NA), ("N/A", NA),
        ("not_applicable", NA), ("NotExecuted", NOT_RUN), ("Not Executed", NOT_RUN), ("None", NOT_RUN),
        ("In progress", NOT_RUN), ("Active", NOT_RUN),
    ],
)  # fmt: skip
def test_csv_outcomes_map_to_statuses(outcome, status):
    parsed = parse_azure_csv(f"{HEADER}QT-001,A test,{outcome},2026-03-04,Tess Tester,the reason,\n".encode())
    assert parsed.problems == []
    [result] = parsed.results
    assert result.status == status
    if status == NA:
        assert result.not_applicable_reason == "the reason" and result.comment == ""


@pytest.mark.parametrize(
    "header",
    [
        "Test Case ID,Outcome,Completed Date,Tester,Comment",
        "test case id,OUTCOME,Completed date,Tester,Comments",
        "ID,Outcome,Run Date,Run By,Comment",
        "Title,Outcome,Date Completed,Tested By,Error Message",
        "test_case_id,outcome,run_date,tester,comment",
    ],
)
def test_csv_header_variants_are_recognised(header):
    parsed = parse_azure_csv(f"{header}\nQT-093 runs,Passed,04/03/2026 10:15,Tess,ok\n".encode())
    assert parsed.problems == []
    [result] = parsed.results
    assert (result.test_case_id, result.run_date, result.tester) == ("QT-093", dt.date(2026, 3, 4), "Tess")


def test_csv_id_from_the_title_when_the_id_column_holds_a_tool_number():
    parsed = parse_azure_csv(f"{HEADER}12345,QT-093 Change of supplier,Passed,,,,\n".encode())
    assert parsed.results[0].test_case_id == "QT-093" and parsed.results[0].id_column == "Title"
    assert parsed.results[0].run_date is None


def test_csv_comment_and_error_message_are_kept_together():
    parsed = parse_azure_csv(f"{HEADER}QT-001,t,Failed,2026-03-04,Tess,see log,timeout after 30s\n".encode())
    assert parsed.results[0].comment == "see log — timeout after 30s"


def test_csv_row_problems_name_row_line_and_column():
    text = (
        HEADER
        + "QT-001,t,Passed,2026-03-04,Tess,,\n"
        + "12,no id,Passed,2026-03-04,Tess,,\n"
        + 'QT-003,"two\nlines",Inconclusive,2026-03-04,Tess,,\n'
        + "QT-004,t,Passed,2026-13-40,Tess,,\n"
        + "QT-005,t,NotApplicable,2026-03-04,Tess,,\n"
        + "QT-006,t,Passed,2026-03-04,=cmd|' /C calc'!A0,,\n"
        + "QT-007,t,Failed,2026-03-04,Tess,,@SUM(1+1)\n"
        + "QT-008,t,Passed,2026-03-04,Tess,+44 formula,\n"
    )
    parsed = parse_azure_csv(text.encode())
    assert [r.test_case_id for r in parsed.results] == ["QT-001"]
    where = [(p.row, p.line, p.column) for p in parsed.problems]
    assert where == [
        (2, 3, "Test Case Id"),
        (3, 4, "Outcome"),
        (4, 6, "Completed Date"),
        (5, 7, "Comment"),
        (6, 8, "Run By"),
        (7, 9, "Error Message"),
        (8, 10, "Comment"),
    ]
    assert "formula" in parsed.problems[4].message
    assert "Inconclusive" in parsed.problems[1].message
    assert parsed.rows_total == 8


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b"", "empty_file"),
        (b"\xef\xbb\xbf", "empty_file"),
        (HEADER.encode(), "no_rows"),
        (b"Name,Colour\nx,y\n", "no_columns"),
        (b"Test Case Id,Outcome\nQT-001,Pas\x00sed\n", "nul_bytes"),
        (b"Test Case Id,Outcome\nQT-001,\xff\xfe\n", "not_utf8"),
        (b'Test Case Id,Outcome\nQT-001,"Passed\n', "bad_csv"),
    ],
)
def test_csv_files_refused_whole(text, code):
    with pytest.raises(ValidationFailed) as refused:
        parse_azure_csv(text)
    assert refused.value.code == code


def test_kind_is_told_from_the_content():
    assert detect_kind(b"\xef\xbb\xbf  <?xml version='1.0'?><testsuite/>") == "JUNIT"
    assert detect_kind(HEADER.encode()) == "AZURE_DEVOPS"
    assert parse_results(junit('<testcase name="QT-001"/>')).kind == "JUNIT"


def test_the_row_key_is_the_same_for_the_same_result_in_either_format():
    from_xml = parse_junit(junit('<testcase name="QT-001"/>')).results[0]
    from_csv = parse_azure_csv(b"Test Case Id,Outcome,Completed Date\nQT-001,Passed,2026-03-04\n").results[0]
    assert from_xml.row_key == from_csv.row_key
    other = parse_azure_csv(b"Test Case Id,Outcome,Completed Date\nQT-001,Passed,2026-03-05\n").results[0]
    assert other.row_key != from_xml.row_key


def test_a_file_over_50_mb_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: the file system holds the size, not the bytes
        handle.truncate(MAX_BYTES + 1)
    started = time.perf_counter()
    with path.open("rb") as handle, pytest.raises(ValidationFailed) as refused:
        read_bounded(handle, path.stat().st_size)
    assert refused.value.code == "file_too_large" and "50 MB" in refused.value.message
    assert time.perf_counter() - started < 1.0


def test_a_stream_of_unknown_size_stops_one_byte_past_the_limit(tmp_path):
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 10)
    with path.open("rb") as handle, pytest.raises(ValidationFailed, match="50 MB"):
        read_bounded(handle)
    small = tmp_path / "small.csv"
    small.write_bytes(HEADER.encode())
    with small.open("rb") as handle:
        assert read_bounded(handle) == HEADER.encode()
