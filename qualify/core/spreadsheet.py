"""Tables people download (CSV and Excel): every text cell made safe to open, and both formats from one table.

A cell that starts with ``=``, ``+``, ``-``, ``@`` or a tab/carriage return would be read as a formula by Excel and
LibreOffice (CSV injection); such text gets a leading apostrophe, control characters other than newlines are dropped,
and a cell is cut to Excel's limit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.utils.dateformat import format as format_date
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_CELL = 32_000  # Excel refuses a cell over 32,767 characters


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet may hold it: numbers and dates as they are, text defused and bounded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | dt.date):
        return value
    text = CONTROL.sub("", str(value))[:MAX_CELL]
    if text.startswith(FORMULA_START):
        text = "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append`` in a workbook with a layout of its own: every cell through ``safe_cell``."""
    return [safe_cell(v) for v in values]


def restore_cell(value: Any) -> Any:
    """Text read back from a workbook we wrote: the apostrophe ``safe_cell`` put before a formula start removed."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, lineterminator: str = "\r\n") -> str:
    """CSV text with every cell made safe; dates as ISO dates."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(safe_cell(v)) for v in row])
    return out.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel opens it with the right characters."""
    return ("\ufeff" + csv_text(headers, rows)).encode("utf-8")


def _csv_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], *, preamble: Sequence[str] = ()
) -> bytes:
    """A workbook with one sheet per (title, headers, rows); ``preamble`` lines go above the first sheet's table."""
    book = Workbook()
    first = True
    for title, headers, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
        if first:
            for line in preamble:
                sheet.append([safe_cell(line)])
            if preamble:
                sheet.append([])
        first = False
        sheet.append([safe_cell(h) for h in headers])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        for column, header in zip(sheet.columns, headers, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = min(max(len(str(header)) + 4, 12), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- long lists, in bounded memory ------------------------------------------------------------------------------------

UK_DATE_EXCEL = "d mmm yyyy"  # how Excel shows a date cell: 30 Nov 2026
SPOOL_BYTES = 4 * 1024 * 1024  # a workbook larger than this goes to a temporary file instead of memory


def _uk_day(value: Any) -> Any:
    return format_date(value, "j M Y") if isinstance(value, dt.date) else value


def csv_stream(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 500) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark, given out ``batch`` rows at a time (for a streamed download, so a long list
    is never held whole); every cell made safe, dates in words (``30 Nov 2026``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([safe_cell(h) for h in headers])
    pending = 0
    for row in rows:
        writer.writerow([_uk_day(safe_cell(v)) for v in row])
        pending += 1
        if pending == batch:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
            pending = 0
    yield out.getvalue().encode("utf-8")


def xlsx_file(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> IO[bytes]:
    """A one-sheet workbook written row by row (openpyxl's write-only mode keeps no rows in memory), in a temporary
    file rewound to its start: headers bold, every cell made safe, dates shown as ``30 Nov 2026``."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet")
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(str(header)) + 4, 12), 60)
    head = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_cell(header))
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells: list[Any] = []
        for value in row:
            safe = safe_cell(value)
            if isinstance(safe, dt.date):
                cell = WriteOnlyCell(sheet, value=safe)
                cell.number_format = UK_DATE_EXCEL
                cells.append(cell)
            else:
                cells.append(safe)
        sheet.append(cells)
    # The caller hands the file to the response, which closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out
