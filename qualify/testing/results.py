"""Reading test results from the tools participants already use: JUnit XML and an Azure DevOps test run's CSV export.

Pure functions, no database (issue 12 "Importing results"). Each reader turns a file into results and problems: every
row either becomes a ``ParsedResult`` or a ``RowProblem`` naming the row (and its line in the file) and the column, so
a participant can fix a file in one pass. A file that cannot be read at all (too large, empty, not UTF-8, a NUL byte,
an XML DTD or entity, no recognisable rows) raises ``ValidationFailed`` and nothing is previewed.

The rules, stated once (docs/qt-results-import.md says them for participants):

* **Test case id**: the first ``QT-nnn`` token (three digits, any letter case) in the JUnit ``name``, else in its
  ``classname``; in a CSV, in the test case id column, else in the title column.
* **JUnit outcome**: no child element is passed; ``<failure>`` or ``<error>`` is failed; ``<skipped>`` is blocked,
  unless its message says "not applicable", when it is not applicable with the message as the reason.
* **CSV outcome** (case, spaces, hyphens and underscores ignored): Passed; Failed, Error, Aborted, Timeout are failed;
  Blocked; NotApplicable or N/A (the comment is the reason, and is required); NotExecuted, Not run, None, Active,
  In progress, Paused, Unspecified are "not run": read, but nothing is recorded for them. Anything else is refused.
* **Run date**: the JUnit ``testsuite`` ``timestamp`` (the nearest enclosing suite that has one); the CSV's completed
  or run date column, as ``YYYY-MM-DD`` (a time after it is ignored) or day first ``DD/MM/YYYY`` (GB exports).
* **Tester**: a ``<property name="tester">`` on the test case, else on the nearest enclosing suite; the CSV's tester
  or run-by column.
* **Text we keep** (tester, comment, reason) is bounded, and a value that a spreadsheet would run as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is refused, naming the row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import xml.sax
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Any
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from qualify.core.csvimport import parse_date
from qualify.core.errors import ValidationFailed
from qualify.testing.choices import ExecutionStatus, ImportKind

MAX_BYTES = 50 * 1024 * 1024  # a results file larger than this is refused before it is read
MAX_ROWS = 100_000  # rows read from one file; a larger run is split into several files
MAX_TESTER = 200
MAX_COMMENT = 2000
SHOWN_PROBLEMS = 200  # problems a preview lists; the total is always counted
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEST_ID = re.compile(r"(?<![A-Za-z0-9])QT-([0-9]{3})(?![0-9])", re.IGNORECASE)
DAY_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")

# CSV headers we recognise, compared after lower-casing and dropping spaces, hyphens, underscores and dots.
CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("testcaseid", "testcase", "id", "testid", "testcaseidentifier"),
    "title": ("title", "testcasetitle", "testtitle", "testcasename", "name"),
    "outcome": ("outcome", "testoutcome", "result", "status"),
    "date": (
        "completeddate",
        "datecompleted",
        "completed",
        "completedon",
        "rundate",
        "runon",
        "executeddate",
        "executedon",
        "date",
        "starteddate",
    ),
    "tester": ("tester", "runby", "testedby", "executedby", "runowner"),
    "comment": ("comment", "comments"),
    "error": ("errormessage", "error", "failuremessage"),
}
OUTCOMES: dict[str, str] = {
    "passed": ExecutionStatus.PASSED,
    "pass": ExecutionStatus.PASSED,
    "failed": ExecutionStatus.FAILED,
    "fail": ExecutionStatus.FAILED,
    "error": ExecutionStatus.FAILED,
    "aborted": ExecutionStatus.FAILED,
    "timeout": ExecutionStatus.FAILED,
    "blocked": ExecutionStatus.BLOCKED,
    "notapplicable": ExecutionStatus.NOT_APPLICABLE,
    "n/a": ExecutionStatus.NOT_APPLICABLE,
    "na": ExecutionStatus.NOT_APPLICABLE,
    "notexecuted": ExecutionStatus.NOT_RUN,
    "notrun": ExecutionStatus.NOT_RUN,
    "none": ExecutionStatus.NOT_RUN,
    "active": ExecutionStatus.NOT_RUN,
    "inprogress": ExecutionStatus.NOT_RUN,
    "paused": ExecutionStatus.NOT_RUN,
    "unspecified": ExecutionStatus.NOT_RUN,
}
NOT_APPLICABLE_WORDS = re.compile(r"not[\s_-]*applicable", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedResult:
    """One result read from a file: ``row`` is its place among the file's results (1 is the first), ``line`` the
    line of the file it starts on."""

    row: int
    line: int
    test_case_id: str
    status: str
    run_date: dt.date | None = None
    tester: str = ""
    comment: str = ""
    not_applicable_reason: str = ""
    id_column: str = field(default="", compare=False)  # where the id was read, to name it in a refusal

    @cached_property
    def row_key(self) -> str:
        """SHA-256 of the row's canonical content: the same result imported again is recognised, whatever file or
        place it came from."""
        canonical = [
            self.test_case_id,
            self.status,
            self.run_date.isoformat() if self.run_date else "",
            self.tester,
            self.comment,
            self.not_applicable_reason,
        ]
        return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RowProblem:
    """Why a row was refused: the row (1 is the first result), its line in the file, the column, what is wrong."""

    row: int | None
    line: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "line": self.line, "column": self.column, "message": self.message}


@dataclass
class Parsed:
    kind: str
    results: list[ParsedResult] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rows_total(self) -> int:
        return len(self.results) + len({p.row for p in self.problems if p.row is not None})


def file_refused(message: str, *, code: str = "bad_results_file", **details: Any) -> ValidationFailed:
    return ValidationFailed(f"{message} Nothing was imported.", details={"file": code, **details}, code=code)


def too_large_error(size: int | None = None) -> ValidationFailed:
    shown = f" ({size / 1024**2:.1f} MB)" if size else ""
    return file_refused(
        f"The results file is larger than the {MAX_BYTES // 1024**2} MB limit{shown}; split the run into "
        "several files.",
        code="file_too_large",
        limit_bytes=MAX_BYTES,
    )


def read_bounded(stream: IO[bytes], size: int | None = None) -> bytes:
    """The bytes of an uploaded file, refused before reading when its size is known to be too large, and never
    reading more than one byte past the limit when it is not."""
    if size is not None and size > MAX_BYTES:
        raise too_large_error(size)
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large_error()
    return data


def detect_kind(data: bytes) -> str:
    """JUnit when the content starts with ``<`` (after a byte-order mark and spaces), an Azure DevOps CSV otherwise."""
    head = data[:512].removeprefix(b"\xef\xbb\xbf").lstrip()
    return ImportKind.JUNIT if head.startswith(b"<") else ImportKind.AZURE_DEVOPS


def _check_bytes(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise too_large_error(len(data))
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise file_refused("The results file is empty.", code="empty_file")
    if b"\x00" in data:
        raise file_refused(
            "The results file contains NUL bytes (perhaps it was saved as UTF-16); save it as UTF-8.",
            code="nul_bytes",
        )


def _text(data: bytes) -> str:
    _check_bytes(data)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise file_refused(f"The results file is not UTF-8 text (byte {exc.start}).", code="not_utf8") from None


def test_case_id_in(*texts: str) -> str | None:
    """The first QT-nnn token in the first text that has one, upper-cased."""
    for text in texts:
        found = TEST_ID.search(text or "")
        if found:
            return f"QT-{found.group(1)}"
    return None


def bounded(text: str, limit: int) -> str:
    text = " ".join(text.split()) if limit <= MAX_TESTER else text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def formula_problem(value: str) -> str | None:
    if value.startswith(FORMULA_STARTS):
        return f"starts with {value[0]!r}, which a spreadsheet would run as a formula; remove the leading character"
    return None


def parse_results(data: bytes, kind: str = "") -> Parsed:
    """Read a results file of ``kind`` (JUNIT or AZURE_DEVOPS; detected from the content when empty)."""
    kind = kind or detect_kind(data)
    if kind == ImportKind.JUNIT:
        return parse_junit(data)
    if kind == ImportKind.AZURE_DEVOPS:
        return parse_azure_csv(data)
    raise ValidationFailed(f"Unknown results file kind {kind[:40]!r}.", details={"kind": "unknown"})


def _finish(
    parsed: Parsed,
    *,
    row: int,
    line: int,
    test_case_id: str,
    status: str,
    run_date: dt.date | None,
    tester: tuple[str, str],
    comment: tuple[str, str],
    id_column: str,
) -> None:
    """Check the text we would keep (formula, length) and add the result or its problems."""
    problems = []
    for column, value in (tester, comment):
        reason = formula_problem(value.strip())
        if reason:
            problems.append(RowProblem(row, line, column, reason))
    text = bounded(comment[1], MAX_COMMENT)
    if status == ExecutionStatus.NOT_APPLICABLE and not text:
        problems.append(
            RowProblem(row, line, comment[0], "a test case marked not applicable needs the reason in this column")
        )
    if problems:
        parsed.problems.extend(problems)
        return
    parsed.results.append(
        ParsedResult(
            row=row,
            line=line,
            test_case_id=test_case_id,
            status=status,
            run_date=run_date,
            tester=bounded(tester[1], MAX_TESTER),
            comment="" if status == ExecutionStatus.NOT_APPLICABLE else text,
            not_applicable_reason=text if status == ExecutionStatus.NOT_APPLICABLE else "",
            id_column=id_column,
        )
    )


# --- JUnit XML -------------------------------------------------------------------------------------------------------


@dataclass
class _Suite:
    timestamp: str = ""
    line: int = 0
    tester: str = ""
    cases: list[_Case] = field(default_factory=list)


@dataclass
class _Case:
    row: int
    line: int
    name: str
    classname: str
    outcome: str = ""  # "", failure, error, skipped
    message: str = ""
    body: list[str] = field(default_factory=list)
    body_chars: int = 0
    tester: str = ""


class _JUnitHandler(ContentHandler):
    """Streams the XML (SAX, so a large file is never a tree in memory) and keeps only what a result needs."""

    def __init__(self, parsed: Parsed) -> None:
        super().__init__()
        self.parsed = parsed
        self.locator: Locator | None = None
        self.suites: list[_Suite] = []
        self.case: _Case | None = None
        self.in_outcome = False
        self.root: str | None = None
        self.rows = 0

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def _line(self) -> int:
        return (self.locator.getLineNumber() or 0) if self.locator is not None else 0

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        if self.root is None:
            self.root = name
            if name not in ("testsuites", "testsuite"):
                raise file_refused(
                    f"The file is XML but not JUnit results: its root element is <{name[:40]}>, not <testsuites> or "
                    "<testsuite>.",
                    code="not_junit",
                )
        if name == "testsuite":
            self.suites.append(_Suite(timestamp=attrs.get("timestamp", "").strip(), line=self._line()))
        elif name == "testcase":
            self.rows += 1
            if self.rows > MAX_ROWS:
                raise file_refused(f"The file has more than {MAX_ROWS:,} test cases; split it.", code="too_many_rows")
            self.case = _Case(
                row=self.rows,
                line=self._line(),
                name=attrs.get("name", ""),
                classname=attrs.get("classname", ""),
            )
        elif name in ("failure", "error", "skipped") and self.case is not None:
            # A failure outranks a skip if a tool writes both.
            if not self.case.outcome or self.case.outcome == "skipped":
                self.case.outcome = name
                self.case.message = attrs.get("message", "")[: MAX_COMMENT * 2]
                self.case.body, self.case.body_chars = [], 0
            self.in_outcome = True
        elif name == "property" and attrs.get("name", "").strip().lower() == "tester":
            value = attrs.get("value", "")[: MAX_TESTER * 2]
            if self.case is not None:
                self.case.tester = value
            elif self.suites:
                self.suites[-1].tester = value

    def characters(self, content: str) -> None:
        case = self.case
        if self.in_outcome and case is not None and case.body_chars < MAX_COMMENT:
            case.body.append(content)
            case.body_chars += len(content)

    def endElement(self, name: str) -> None:
        if name in ("failure", "error", "skipped"):
            self.in_outcome = False
        elif name == "testcase" and self.case is not None:
            if self.suites:
                self.suites[-1].cases.append(self.case)
            else:
                self._result(self.case, [])
            self.case = None
        elif name == "testsuite" and self.suites:
            suite = self.suites.pop()
            for case in suite.cases:
                self._result(case, [*self.suites, suite])

    def _result(self, case: _Case, suites: list[_Suite]) -> None:
        parsed = self.parsed
        test_case_id = test_case_id_in(case.name, case.classname)
        if test_case_id is None:
            parsed.problems.append(
                RowProblem(case.row, case.line, "name", "no test case id like QT-093 in the name or the classname")
            )
            return
        text = case.message.strip() or "".join(case.body).strip()
        if case.outcome in ("failure", "error"):
            status = ExecutionStatus.FAILED
        elif case.outcome == "skipped":
            said = f"{case.message} {''.join(case.body)}"
            status = ExecutionStatus.NOT_APPLICABLE if NOT_APPLICABLE_WORDS.search(said) else ExecutionStatus.BLOCKED
        else:
            status = ExecutionStatus.PASSED
        run_date: dt.date | None = None
        stamped = next((s for s in reversed(suites) if s.timestamp), None)
        if stamped is not None:
            found = parse_date(stamped.timestamp[:10])
            if isinstance(found, str):
                parsed.problems.append(RowProblem(case.row, stamped.line, "timestamp", f"testsuite timestamp: {found}"))
                return
            run_date = found
        tester = case.tester or next((s.tester for s in reversed(suites) if s.tester), "")
        _finish(
            parsed,
            row=case.row,
            line=case.line,
            test_case_id=test_case_id,
            status=status,
            run_date=run_date,
            tester=("tester", tester),
            comment=(case.outcome or "testcase", text),
            id_column="name" if test_case_id_in(case.name) else "classname",
        )


def parse_junit(data: bytes) -> Parsed:
    """JUnit XML (``<testsuites>`` or ``<testsuite>`` at the root), read with defusedxml: a DTD, an entity or an
    external reference refuses the file, so no billion-laughs or external-entity trick reaches the parser's core."""
    _check_bytes(data)  # size, empty, NUL: the same refusals as the CSV (expat reads the declared encoding)
    parsed = Parsed(kind=ImportKind.JUNIT)
    handler = _JUnitHandler(parsed)
    try:
        defusedxml.sax.parse(io.BytesIO(data), handler, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise file_refused(
            "The XML declares a DTD or entities, which results files never need; they are refused for safety.",
            code="xml_forbidden",
        ) from None
    except xml.sax.SAXParseException as exc:
        raise file_refused(
            f"The XML is not well formed at line {exc.getLineNumber()}, column {exc.getColumnNumber()}: "
            f"{str(exc.getMessage())[:120]}.",
            code="bad_xml",
            line=exc.getLineNumber(),
        ) from None
    if handler.rows == 0:
        raise file_refused("The JUnit file has no <testcase> elements.", code="no_rows")
    return parsed


# --- Azure DevOps CSV ------------------------------------------------------------------------------------------------


def _norm(header: str) -> str:
    return re.sub(r"[\s\-_.]", "", header).lower()


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which column index holds each field we read (the first matching header wins), and the headers as given."""
    found: dict[str, int] = {}
    normalised = [_norm(h) for h in header]
    for key, names in CSV_HEADERS.items():
        for name in names:
            if name in normalised:
                found[key] = normalised.index(name)
                break
    return found, [h.strip()[:60] for h in header]


def _csv_date(text: str) -> dt.date | str:
    text = text.strip()
    day_first = DAY_FIRST.match(text)
    if day_first:
        day, month, year = day_first.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}"
    return parse_date(text[:10])


def parse_azure_csv(data: bytes) -> Parsed:
    """The CSV export of an Azure DevOps test run: one row per test result, headers matched as documented above."""
    text = _text(data)
    parsed = Parsed(kind=ImportKind.AZURE_DEVOPS)
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise file_refused(f"The CSV has no readable header: {exc}.", code="bad_csv") from None
    where, names = _columns(header)
    if "outcome" not in where or ("id" not in where and "title" not in where):
        raise file_refused(
            "The CSV's header needs an Outcome column and a Test Case Id (or Title) column; it has "
            f"{', '.join(repr(n) for n in names[:12]) or 'none'}.",
            code="no_columns",
        )
    label = {key: names[index] for key, index in where.items()}
    row = 0
    line = 1
    try:
        for cells in reader:
            start = line + 1
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            row += 1
            if row > MAX_ROWS:
                raise file_refused(f"The CSV has more than {MAX_ROWS:,} rows; split it.", code="too_many_rows")
            _csv_row(parsed, row, start, cells, where, label)
    except csv.Error as exc:
        raise file_refused(f"The CSV is not readable at line {reader.line_num}: {exc}.", code="bad_csv") from None
    if row == 0:
        raise file_refused("The CSV has a header but no result rows.", code="no_rows")
    return parsed


def _csv_row(
    parsed: Parsed, row: int, line: int, cells: list[str], where: dict[str, int], label: dict[str, str]
) -> None:
    def cell(key: str) -> str:
        index = where.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    problems: list[RowProblem] = []
    test_case_id = test_case_id_in(cell("id"), cell("title"))
    if test_case_id is None:
        column = label.get("id") or label["title"]
        problems.append(RowProblem(row, line, column, "no test case id like QT-093 here or in the title"))
    outcome = cell("outcome")
    status = OUTCOMES.get(_norm(outcome))
    if status is None:
        shown = outcome[:40] or "an empty cell"
        problems.append(
            RowProblem(
                row,
                line,
                label["outcome"],
                f"{shown!r} is not an outcome we record: use Passed, Failed, Blocked, Not applicable or Not executed",
            )
        )
    run_date: dt.date | None = None
    if cell("date"):
        found = _csv_date(cell("date"))
        if isinstance(found, str):
            problems.append(RowProblem(row, line, label["date"], f"{found} (or DD/MM/YYYY)"))
        else:
            run_date = found
    if problems or test_case_id is None or status is None:
        parsed.problems.extend(problems)
        return
    comment_column = label.get("comment") or label.get("error") or "Comment"
    texts = [t for t in (cell("comment"), cell("error")) if t]
    for key in ("comment", "error"):
        reason = formula_problem(cell(key))
        if reason:
            parsed.problems.append(RowProblem(row, line, label[key], reason))
            return
    _finish(
        parsed,
        row=row,
        line=line,
        test_case_id=test_case_id,
        status=status,
        run_date=run_date,
        tester=(label.get("tester", "Tester"), cell("tester")),
        comment=(comment_column, " — ".join(texts)),
        id_column=label.get("id", "") if test_case_id_in(cell("id")) else label.get("title", ""),
    )
