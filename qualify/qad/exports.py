"""The QAD in the documents people already use: Word and JSON for a QAD, Excel for a version's question set.

Excel import reads the same layout back (the "Question id" and "Answer" columns), so a participant can export,
fill in offline and import; ``read_answer_rows`` only parses, the service decides and saves all or nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from docx import Document
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from qualify.core.errors import ValidationFailed
from qualify.core.spreadsheet import restore_cell, safe_row
from qualify.participants.choices import ExemptionKind, MarketRole, Route
from qualify.qad import rules
from qualify.qad.choices import AnswerType
from qualify.qad.models import QadQuestion

SHEET = "Questions"
HEADERS = [
    "Question id",
    "Number",
    "Section",
    "Question",
    "Guidance",
    "Answer type",
    "Choices or columns",
    "Mandatory",
    "Evidence required",
    "Evidence kinds",
    "Owner",
    "Roles",
    "Routes",
    "Excluded by exemptions",
    "Only with exemptions",
    "Advisory",
    "Answer",
]
ANSWER_HELP = {
    AnswerType.MULTIPLE_CHOICE: "choices separated by ';'",
    AnswerType.TABLE: 'JSON rows, e.g. [{"column": "value"}]',
    AnswerType.DATE: "a date, e.g. 30/11/2026 or 30 Nov 2026",
    AnswerType.YES_NO: "yes or no",
}


def _cell_answer(question: QadQuestion, value: Any) -> str:
    if value is None:
        return ""
    if question.answer_type == AnswerType.MULTIPLE_CHOICE:
        return "; ".join(value)
    if question.answer_type == AnswerType.TABLE:
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def version_workbook(
    *, title: str, questions: Sequence[QadQuestion], answers: Mapping[str, Any] | None = None
) -> bytes:
    """A version's question set (or a case's applicable questions with its answers) as an .xlsx file."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(safe_row(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for q in questions:
        shape = (
            "; ".join(q.choices)
            if q.choices
            else "; ".join(f"{c['id']} ({c['title']})" for c in q.columns)
            if q.columns
            else ANSWER_HELP.get(AnswerType(q.answer_type), "")
        )
        # Answers are participants' text: every cell goes through safe_cell, so "=..." stays text, not a formula.
        sheet.append(
            safe_row(
                [
                    q.qid,
                    q.number,
                    f"{q.section.number} {q.section.title}",
                    q.text,
                    q.guidance,
                    q.answer_type,
                    shape,
                    "yes" if q.mandatory else "no",
                    "yes" if q.evidence_required else "no",
                    "; ".join(q.evidence_kinds),
                    q.owner,
                    "; ".join(q.roles),
                    "; ".join(q.routes),
                    "; ".join(q.excluded_by_exemptions),
                    "; ".join(q.only_with_exemptions),
                    "yes" if q.advisory else "no",
                    _cell_answer(q, (answers or {}).get(q.qid)),
                ]
            )
        )
    for column, width in zip(
        "ABCDEFGHIJKLMNOPQ", (12, 8, 28, 60, 40, 14, 30, 10, 10, 20, 8, 24, 18, 18, 18, 10, 50), strict=True
    ):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    _table_answers_sheet(book, questions, answers or {})
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_answer_rows(data: bytes, questions: Mapping[str, QadQuestion]) -> list[tuple[int, str, Any]]:
    """(row number, question id, raw answer) for every row with an answer, from a workbook in the exported layout."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed(
            "The file is not an Excel workbook (.xlsx).", details={"file": "not_xlsx"}, code="import_not_xlsx"
        ) from exc
    if SHEET not in book.sheetnames:
        raise ValidationFailed(f"The workbook has no '{SHEET}' sheet; start from an exported question set.")
    rows = book[SHEET].iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    if "Question id" not in header or "Answer" not in header:
        raise ValidationFailed("The sheet needs the 'Question id' and 'Answer' columns of the exported layout.")
    id_col, answer_col = header.index("Question id"), header.index("Answer")
    found: list[tuple[int, str, Any]] = []
    for number, row in enumerate(rows, start=2):
        qid = str(row[id_col] or "").strip() if id_col < len(row) else ""
        raw = restore_cell(row[answer_col]) if answer_col < len(row) else None
        if not qid or raw is None or str(raw).strip() == "":
            continue
        found.append((number, qid, _parse_cell(questions.get(qid), raw)))
    book.close()
    return found


def _parse_cell(question: QadQuestion | None, raw: Any) -> Any:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, int | float):
        return str(raw)
    text = str(raw).strip()
    if question is None:
        return text
    if question.answer_type == AnswerType.MULTIPLE_CHOICE:
        return [part.strip() for part in text.split(";") if part.strip()]
    if question.answer_type == AnswerType.TABLE:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # the service reports "must be a list of rows" for this row
    return text


def qad_docx(
    *,
    heading: str,
    facts: Iterable[tuple[str, str]],
    sections: Iterable[tuple[str, Sequence[tuple[QadQuestion, Any, Sequence[Mapping[str, Any]]]]]],
) -> bytes:
    """A QAD as a Word document: facts table, then each section's questions with answer and evidence hashes."""
    document = Document()
    document.add_heading(heading, level=0)
    table = document.add_table(rows=0, cols=2)
    table.style = "Light Grid Accent 1"
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    for section_title, items in sections:
        document.add_heading(section_title, level=1)
        for question, value, evidence in items:
            document.add_heading(f"{question.number}  {question.text}", level=3)
            if question.answer_type == AnswerType.TABLE and value:
                columns = question.columns
                grid = document.add_table(rows=1, cols=len(columns))
                grid.style = "Light Grid Accent 1"
                for cell, column in zip(grid.rows[0].cells, columns, strict=True):
                    cell.text = column["title"]
                for row in value:
                    cells = grid.add_row().cells
                    for cell, column in zip(cells, columns, strict=True):
                        cell.text = str(row.get(column["id"], ""))
            else:
                document.add_paragraph(rules.display_answer(question, value) or "(no answer)")
            for item in evidence:
                document.add_paragraph(
                    f"Evidence: {item['name']} — as of {rules.uk_day(str(item['evidence_as_of']))} — "
                    f"SHA-256 {item['sha256']}",
                    style="List Bullet",
                )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def snapshot_sections(
    content: Mapping[str, Any], questions: Sequence[QadQuestion]
) -> list[tuple[str, list[tuple[QadQuestion, Any, Sequence[Mapping[str, Any]]]]]]:
    """Group a snapshot's (or draft's) answers under their sections, in the version's order."""
    by_id = {q.qid: q for q in questions}
    grouped: dict[str, list[tuple[QadQuestion, Any, Sequence[Mapping[str, Any]]]]] = {}
    for item in content["questions"]:
        question = by_id.get(item["id"])
        if question is None:
            continue
        title = f"{question.section.number} {question.section.title} ({question.section.owner})"
        grouped.setdefault(title, []).append((question, item["answer"], item["evidence"]))
    return list(grouped.items())


def snapshot_facts(content: Mapping[str, Any], extra: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    return [
        ("Organisation", str(content["organisation"])),
        ("MPID and role", f"{content['mpid']} {_label(MarketRole, content['role'])}"),
        ("Route", _label(Route, content["route"])),
        ("Exemptions", ", ".join(_label(ExemptionKind, e) for e in content["exemptions"]) or "none"),
        ("Case", str(content["case"])),
        ("QAD version", str(content["qad_version"])),
        *extra,
    ]


def _label(choices: type[Any], value: Any) -> str:
    """A stored choice as its label (a snapshot keeps the code; a document shows the word)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


TABLE_SHEET = "Table answers"


def _table_answers_sheet(book: Workbook, questions: Sequence[QadQuestion], answers: Mapping[str, Any]) -> None:
    """Each table answer laid out as a table: the question, a header row of its columns in the question's order, then
    its rows. For reading; the import reads the Questions sheet only (where a table answer is JSON rows)."""
    tables: list[tuple[QadQuestion, list[dict[str, Any]]]] = [
        (q, answers[q.qid]) for q in questions if q.answer_type == AnswerType.TABLE and answers.get(q.qid)
    ]
    if not tables:
        return
    sheet = book.create_sheet(TABLE_SHEET)
    for question, rows in tables:
        sheet.append(safe_row([f"{question.number} {question.text}"]))
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(safe_row([column["title"] for column in question.columns]))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(safe_row([str(row.get(column["id"], "")) for column in question.columns]))
        sheet.append([])
    for index in range(1, max(len(q.columns) for q, _ in tables) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 30
