"""Reading a QT test catalogue from an Excel workbook (docs/qt-catalogue-format.md, "As a workbook").

The workbook is turned into the same nodes the YAML file composes into, each carrying its row as its line, so one
set of checks (loader.parse_nodes) serves both; problems are then named by sheet, row and column.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import yaml
from openpyxl import load_workbook

from qualify.testing.loader import CatalogueFileInvalid, CatalogueSpec, FileProblem, parse_nodes

STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
LIST_FIELDS = {"roles", "segments", "routes", "requirements", "minimum_sets", "qad_questions"}
SHEETS = {"batches": ["code", "title", "qad_questions"], "optional_functions": ["code", "title", "roles"]}
CASE_COLUMNS = [
    "id",
    "title",
    "batch",
    "roles",
    "segments",
    "routes",
    "requirements",
    "steps",
    "minimum_sets",
    "optional_function",
]
MAX_ROWS = 10_000
FIELD_RE = re.compile(r"^(?P<sheet>batches|optional_functions|cases)\[\d+\](?:\.(?P<column>\w+))?")


def is_workbook(data: bytes) -> bool:
    """An .xlsx file is a zip archive holding xl/workbook.xml."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _mark(row: int) -> yaml.Mark:
    return yaml.Mark("workbook", 0, row - 1, 0, None, 0)


def _scalar(value: str, row: int) -> yaml.ScalarNode:
    return yaml.ScalarNode(STR, value, _mark(row), _mark(row))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _value(column: str, text: str, row: int) -> yaml.Node:
    """A list column holds values separated by ';' or ','; ALL stays a single value, as in YAML."""
    if column in LIST_FIELDS and text.upper() != "ALL":
        parts = [p.strip() for p in re.split(r"[;,]", text) if p.strip()]
        return yaml.SequenceNode(SEQ, [_scalar(p, row) for p in parts], _mark(row), _mark(row))
    return _scalar(text, row)


def _table(sheet: Any, expected: list[str], problems: list[FileProblem], name: str) -> yaml.SequenceNode:
    rows = sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)
    header = [_cell(v).lower() for v in next(rows, ())]
    unknown = [h for h in header if h and h not in expected]
    for h in unknown:
        problems.append(FileProblem(1, f"{name} sheet, column {h}", f"is not a known column ({', '.join(expected)})"))
    items: list[yaml.Node] = []
    for index, values in enumerate(rows, start=2):
        if index > MAX_ROWS + 1:
            problems.append(FileProblem(index, f"{name} sheet", f"has more than {MAX_ROWS:,} rows"))
            break
        cells = {h: _cell(v) for h, v in zip(header, values, strict=False) if h in expected}
        if not any(cells.values()):
            continue  # a blank row between groups of cases
        pairs = [(_scalar(h, index), _value(h, v, index)) for h, v in cells.items() if v]
        items.append(yaml.MappingNode(MAP, pairs, _mark(index), _mark(index)))
    return yaml.SequenceNode(SEQ, items, _mark(2), _mark(2))


def _rename(problem: FileProblem, catalogue_rows: dict[str, int]) -> FileProblem:
    match = FIELD_RE.match(problem.field)
    if match:
        column = match.group("column") or "(row)"
        return FileProblem(problem.line, f"{match.group('sheet')} sheet, column {column}", problem.message)
    top = problem.field.split("[")[0].split(".")[0]
    if top in SHEETS or top == "cases":
        return FileProblem(
            problem.line, f"{top} sheet", problem.message.replace("is required but missing", "is missing")
        )
    return FileProblem(catalogue_rows.get(top, 1), f"catalogue sheet, {top}", problem.message)


def parse_workbook(data: bytes) -> CatalogueSpec:
    """Check a catalogue workbook and describe it; raise CatalogueFileInvalid naming sheet, row and column."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; all mean the same to the author
        raise CatalogueFileInvalid([FileProblem(1, "(file)", "is not an Excel workbook that can be read")]) from exc
    problems: list[FileProblem] = []
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    catalogue_rows: dict[str, int] = {}
    try:
        if "catalogue" in book.sheetnames:
            for row, values in enumerate(book["catalogue"].iter_rows(values_only=True, max_row=50), start=1):
                key, value = (_cell(values[0]) if values else "", _cell(values[1]) if len(values) > 1 else "")
                if key and key.lower() not in ("field", "version", "title", "document", "status"):
                    problems.append(FileProblem(row, f"catalogue sheet, {key[:40]}", "is not a known field"))
                elif key and key.lower() != "field" and value:
                    catalogue_rows[key.lower()] = row
                    pairs.append((_scalar(key.lower(), row), _scalar(value, row)))
        for name, expected in [*SHEETS.items(), ("cases", CASE_COLUMNS)]:
            if name in book.sheetnames:
                pairs.append((_scalar(name, 1), _table(book[name], expected, problems, name)))
    finally:
        book.close()
    root = yaml.MappingNode(MAP, pairs, _mark(1), _mark(1))
    try:
        spec = parse_nodes(root)
    except CatalogueFileInvalid as invalid:
        problems.extend(_rename(p, catalogue_rows) for p in invalid.problems)
    if problems:
        raise CatalogueFileInvalid(problems)
    return spec
