"""The consolidated comments log as an Excel workbook (openpyxl): one row per comment, in a clean layout.

The published log (the file of the consultation's log artefact, published when the outcome is reported to QWG)
names a respondent only if it agreed to be named; the others appear as
"Respondent N", the same N on every row of theirs. Respondents are numbered in the order of their first submitted
comment. An organisation that asked for anonymity on any of its comments is anonymous on all of them, so a named row
cannot give its anonymous ones away.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qualify.core.spreadsheet import safe_row
from qualify.library.models import Comment

HEADERS = [
    "No.",
    "Respondent",
    "Artefact",
    "Version",
    "Clause reference",
    "Category",
    "Comment",
    "Proposed change",
    "Response",
    "Status",
    "Resulting change",
    "Answered by",
]
INTERNAL_HEADERS = [*HEADERS, "Content to be named"]
WIDTHS = [6, 28, 30, 9, 16, 18, 60, 50, 60, 18, 50, 20, 12]


def respondent_labels(comments: Sequence[Comment], *, anonymise: bool) -> dict[int, str]:
    """Organisation id → what the log calls it."""
    order: list[int] = []
    names: dict[int, str] = {}
    anonymous: set[int] = set()
    for comment in sorted(comments, key=lambda c: (c.submitted_at is None, c.submitted_at, c.pk)):
        org = comment.organisation_id
        if org not in names:
            order.append(org)
            names[org] = comment.organisation.name
        if not comment.publish_with_name:
            anonymous.add(org)
    return {org: f"Respondent {n}" if anonymise and org in anonymous else names[org] for n, org in enumerate(order, 1)}


def log_rows(comments: Sequence[Comment], *, anonymise: bool) -> list[list[object]]:
    labels = respondent_labels(comments, anonymise=anonymise)
    rows: list[list[object]] = []
    ordered = sorted(comments, key=lambda c: (c.submitted_at is None, c.submitted_at, c.pk))
    for number, c in enumerate(ordered, 1):
        row: list[object] = [
            number,
            labels[c.organisation_id],
            f"{c.version.artefact.document_number} {c.version.artefact.short_name}",
            c.version.version,
            c.clause_reference,
            c.get_category_display(),
            c.text,
            c.proposed_change,
            c.response,
            c.get_outcome_display() if c.outcome else "",
            c.resulting_change,
            c.get_answered_for_display() if c.answered_for else "",
        ]
        if not anonymise:
            row.append("Yes" if c.publish_with_name else "No")
        rows.append(row)
    return rows


def comments_log_workbook(comments: Sequence[Comment], *, title: str, anonymise: bool) -> bytes:
    """The log as .xlsx bytes: a header row, then one row per comment, wrapped text, frozen header, filters."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Comments log"
    headers = HEADERS if anonymise else INTERNAL_HEADERS
    sheet.append(safe_row(headers))
    for row in log_rows(comments, anonymise=anonymise):
        sheet.append(safe_row(row))  # respondents' text: a comment starting "=" stays text (CSV/formula injection)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="0B5CAD")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for index, width in enumerate(WIDTHS[: len(headers)], 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
    book.properties.title = title[:200]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
