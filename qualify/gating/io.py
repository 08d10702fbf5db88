"""Reading an events file and writing the decisions (issue 5: "Events file", ``manage.py gate``, "Bad input").

Reading is strict and lazy. The file is scanned, never loaded whole: the decisions are computed and written batch by
batch, so a 2 GB file needs memory for a batch, not for the file. Checks:

- the header has exactly the columns ``ref,kind,mpan,date,segment,supplier,mem,data_service,settlement`` (in any
  order): unknown and missing columns are named;
- ``ref`` is not empty; ``kind``, ``segment`` and ``settlement`` hold one of their values; ``date`` is an ISO date
  (``YYYY-MM-DD``, or a Parquet date) between 2000-01-01 and 2100-12-31. ``mpan`` is not checked here: a malformed
  MPAN is a decision (``INVALID_MPAN``), not a bad file. MPID columns may be empty;
- Parquet columns must be text (dates: text or date);
- a file with no events (empty, or a header only) is an error.

Every error names the row and the column. Rows are counted as events: row 1 is the first event, the header is not
counted (so in a spreadsheet, row N is on sheet row N + 1; for a CSV we also say the line, assuming no quoted field
spans lines).

Writing is all or nothing: the result goes to a hidden temporary file beside the target and is renamed over it only
when every row has been decided; on any error the temporary file is removed and an existing target is left as it was.

``decide_records`` runs the same checks and rules over a batch given as records (an API request); its errors name
the event (first = 1) and the field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import polars as pl
import pyarrow.parquet as pq

from qualify.core.text import one_line
from qualify.gating.choices import EVENT_COLUMNS, RESULT_COLUMNS, EventKind, Segment, Settlement
from qualify.gating.engine import GatingContext, decide
from qualify.gating.reasons import REASON_SEPARATOR, Outcome, Reason

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
BATCH_ROWS = 1_000_000
MESSAGE_LIMIT = 2000
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TEXT_DTYPES = (pl.String, pl.Categorical, pl.Enum, pl.Null)

Progress = Callable[[int, int | None], None]  # (rows done, total rows or None when unknown)


class EventsFileError(ValueError):
    """A bad events file. ``row`` (first event = 1) and ``column`` say where, when the problem has a place.

    The message quotes what it found in the file, so it is made safe to store and show (one line, no control
    characters such as NUL, bounded) here, once, for the command, the jobs and the API alike.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        message = one_line(message, limit=MESSAGE_LIMIT, mark_cut=True)
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


@dataclass
class GateSummary:
    """Counts of a run, for the end-of-run report: by outcome and by reason (an event counts once per reason)."""

    total: int = 0
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)

    def add(self, decisions: pl.DataFrame) -> None:
        self.total += decisions.height
        counts = decisions.group_by("outcome", "reasons").len()
        for outcome, reasons, count in counts.iter_rows():
            self.by_outcome[str(outcome)] += count
            for reason in str(reasons).split(REASON_SEPARATOR) if reasons else ():
                self.by_reason[reason] += count

    def lines(self) -> list[str]:
        width = max(len(code) for code in [*Outcome, *Reason])
        lines = [f"{self.total:,} events decided"]
        lines += [f"  {o.value:<{width}}  {self.by_outcome.get(o, 0):>12,}" for o in Outcome]
        lines.append("by reason:")
        lines += [f"  {r.value:<{width}}  {self.by_reason.get(r, 0):>12,}" for r in Reason]
        return lines


# --- reading -----------------------------------------------------------------------------------------------------


def _output_format(path: Path) -> str:
    if not path.parent.is_dir():
        raise EventsFileError(f"{path.parent}: no such directory for the result.")
    return _file_format(path)


def _file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise EventsFileError(f"{path.name}: unknown file type {suffix or '(none)'!r}; use .csv or .parquet.")


def _where(row: int, fmt: str) -> str:
    if fmt == "csv":
        return f"row {row} (line {row + 1} of the file)"
    return f"event {row}" if fmt == "records" else f"row {row}"


def _scan(path: Path) -> tuple[pl.LazyFrame, str]:
    fmt = _file_format(path)
    if not path.is_file():
        raise EventsFileError(f"{path}: no such file.")
    if path.stat().st_size == 0:
        raise EventsFileError(f"{path.name}: the file is empty; expected a header and at least one event.")
    frame = pl.scan_csv(path, infer_schema=False, raise_if_empty=True) if fmt == "csv" else pl.scan_parquet(path)
    try:
        schema = frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise EventsFileError(f"{path.name}: cannot be read as {fmt.upper()}: {exc}") from exc
    names = list(schema.names())
    unknown = [n for n in names if n not in EVENT_COLUMNS]
    missing = [c for c in EVENT_COLUMNS if c not in names]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown column(s): {', '.join(unknown)}")
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        raise EventsFileError(
            f"{path.name}: {'; '.join(parts)}. Expected exactly: {','.join(EVENT_COLUMNS)}.",
            column=(unknown or missing)[0],
        )
    for name, dtype in schema.items():
        text = dtype.base_type() in _TEXT_DTYPES
        if name == "date" and (text or dtype == pl.Date):
            continue
        if not text:
            expected = "a date or ISO date text" if name == "date" else "text"
            raise EventsFileError(f"{path.name}: column {name} has type {dtype}; expected {expected}.", column=name)
    return frame, fmt


def _typed(frame: pl.LazyFrame, date_is_text: bool) -> pl.LazyFrame:
    """Cast to what the engine expects and flag, per row, the columns holding a bad value (bit i = column i)."""
    text = {name: pl.col(name).cast(pl.String) for name in EVENT_COLUMNS if name != "date"}
    if date_is_text:
        raw_date = pl.col("date").cast(pl.String)
        date: pl.Expr = pl.when(raw_date.str.contains(_ISO_DATE_PATTERN)).then(
            raw_date.str.to_date("%Y-%m-%d", strict=False)
        )
    else:
        date = pl.col("date")

    def one_of(column: str, values: type[StrEnum]) -> pl.Expr:
        # A chain of equalities: much cheaper than hashing every value for is_in or an Enum cast.
        return pl.any_horizontal([pl.col(column) == value.value for value in values]).fill_null(False)

    bad: dict[str, pl.Expr] = {
        "ref": pl.col("ref").str.len_bytes().fill_null(0) == 0,
        "kind": ~one_of("kind", EventKind),
        "date": pl.col("date").is_null() | (pl.col("date") < EARLIEST_DATE) | (pl.col("date") > LATEST_DATE),
        "segment": ~one_of("segment", Segment),
        "settlement": ~one_of("settlement", Settlement),
    }
    problem = pl.sum_horizontal(
        [bad[name].fill_null(True).cast(pl.Int64) * (1 << EVENT_COLUMNS.index(name)) for name in bad]
    )
    return (
        frame.with_row_index("_row", offset=1)
        .select("_row", *(expr.alias(name) for name, expr in text.items()), date.cast(pl.Date).alias("date"))
        .with_columns(_problem=problem)
    )


def _explain(column: str, value: Any) -> str:
    """Why one raw value is bad (called for the single offending cell only)."""
    shown = "empty" if value is None or value == "" else repr(value)
    choices = {
        "kind": [str(k) for k in EventKind],
        "segment": [str(s) for s in Segment],
        "settlement": [str(s) for s in Settlement],
    }
    if column in choices:
        return f"{shown} is not one of {', '.join(choices[column])}"
    if column == "ref":
        return "empty; every event needs a reference"
    if column == "date":
        if value is None or value == "":
            return "empty; expected a date as YYYY-MM-DD"
        if isinstance(value, str):
            if not ISO_DATE.fullmatch(value):
                return f"{shown} is not a date as YYYY-MM-DD"
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                return f"{shown} is not a calendar date"
        return f"{value} is outside {EARLIEST_DATE}..{LATEST_DATE}"
    return f"{shown} is not valid"


def _problem_error(source: str, fmt: str, frame: pl.LazyFrame, row: int, mask: int) -> EventsFileError:
    """The error for the first bad row: re-reads that one raw row to say exactly what is wrong in each column."""
    raw = frame.slice(row - 1, 1).collect().row(0, named=True)
    columns = [name for i, name in enumerate(EVENT_COLUMNS) if mask & (1 << i)]
    details = "; ".join(f"column {name}: {_explain(name, raw[name])}" for name in columns)
    return EventsFileError(f"{source}, {_where(row, fmt)}, {details}.", row=row, column=columns[0])


def count_rows(path: Path) -> int:
    """Number of events in the file (Parquet: from its metadata; CSV: one fast pass)."""
    frame, _ = _scan(path)
    try:
        return int(frame.select(pl.len()).collect().item())
    except pl.exceptions.PolarsError as exc:
        raise EventsFileError(f"{path.name}: cannot be read: {exc}") from exc


def read_events(path: Path) -> pl.DataFrame:
    """The whole file, checked and typed, in memory: for small files only. Bulk work uses ``gate_file``."""
    path = Path(path)
    frame, fmt = _scan(path)
    frames = list(_checked_batches(frame, fmt, path.name))
    if not frames:
        raise EventsFileError(f"{path.name}: no events; the file has a header only.")
    return pl.concat(frames).drop("_row", "_problem")


def decide_records(records: Sequence[Mapping[str, Any]], context: GatingContext) -> pl.DataFrame:
    """Decide a batch given as records (e.g. a JSON request's events): ``ref, outcome, reasons, gsp_group``, in order.

    The same checks as for a file. Each record has the events-file fields as strings (``supplier``, ``mem`` and
    ``data_service`` may be left out or null); an error names the event (first = 1) and the field.
    """
    optional = {"supplier", "mem", "data_service"}
    for number, record in enumerate(records, start=1):
        unknown = sorted(set(record) - set(EVENT_COLUMNS))
        missing = [name for name in EVENT_COLUMNS if name not in record and name not in optional]
        if unknown or missing:
            field_name = (unknown or missing)[0]
            problem = f"unknown field {field_name}" if unknown else f"missing field {field_name}"
            raise EventsFileError(f"request, event {number}: {problem}.", row=number, column=field_name)
        for name, value in record.items():
            if value is not None and not isinstance(value, str):
                raise EventsFileError(
                    f"request, event {number}, field {name}: {value!r} is not text.", row=number, column=name
                )
    if not records:
        return pl.DataFrame(schema=dict.fromkeys(RESULT_COLUMNS, pl.String))
    columns = {name: [record.get(name) for record in records] for name in EVENT_COLUMNS}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(EVENT_COLUMNS, pl.String)).lazy()
    decided = pl.concat(list(_checked_batches(frame, "records", "request", context)))
    return decided.select(pl.col(*RESULT_COLUMNS).cast(pl.String))


def _checked_batches(
    frame: pl.LazyFrame, fmt: str, source: str, context: GatingContext | None = None
) -> Iterator[pl.DataFrame]:
    """Batches of checked rows (decided, when ``context`` is given), raising at the first bad row."""
    date_is_text = frame.collect_schema()["date"] != pl.Date
    typed = _typed(frame, date_is_text)
    pipeline = typed if context is None else decide(typed, context, carry=("_row", "_problem"))
    batches = pipeline.collect_batches(chunk_size=BATCH_ROWS, maintain_order=True)
    try:
        for batch in batches:
            bad = batch.filter(pl.col("_problem") != 0)
            if bad.height:
                first = bad.row(0, named=True)
                raise _problem_error(source, fmt, frame, int(first["_row"]), int(first["_problem"]))
            yield batch
    except pl.exceptions.PolarsError as exc:
        raise EventsFileError(f"{source}: cannot be read as {fmt.upper()}: {exc}") from exc


# --- writing -----------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A fresh hidden path beside ``path`` to write to; renamed onto ``path`` if the block succeeds, removed if not.

    The temporary file is created by the writer itself (not by ``mkstemp``), so the result gets the usual
    permissions; its random name keeps concurrent runs apart.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class _ResultWriter:
    """Appends decision batches to a CSV or Parquet file."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self._parquet: pq.ParquetWriter | None = None
        self._csv: IO[bytes] | None = None

    def write(self, batch: pl.DataFrame) -> None:
        if self.fmt == "parquet":
            table = batch.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema, compression="snappy")
            self._parquet.write_table(table)
        else:
            first = self._csv is None
            if self._csv is None:
                self._csv = open(self.path, "wb")  # noqa: SIM115  (closed in close(), across many batches)
            batch.write_csv(self._csv, include_header=first)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._csv is not None:
            self._csv.close()


def gate_file(
    events_path: Path, out_path: Path, context: GatingContext, *, progress: Progress | None = None
) -> GateSummary:
    """Decide every event of ``events_path`` and write ``ref,outcome,reasons,gsp_group`` to ``out_path``, all or
    nothing.

    Raises ``EventsFileError`` (nothing written) at the first bad row. ``progress`` is called after each batch.
    """
    events_path, out_path = Path(events_path), Path(out_path)
    out_fmt = _output_format(out_path)
    total = count_rows(events_path) if progress is not None else None
    summary = GateSummary()
    with atomic_output(out_path) as temporary:
        writer = _ResultWriter(temporary, out_fmt)
        try:
            frame, fmt = _scan(events_path)
            for batch in _checked_batches(frame, fmt, events_path.name, context):
                decisions = batch.select(RESULT_COLUMNS)
                writer.write(decisions)
                summary.add(decisions)
                if progress is not None:
                    progress(summary.total, total)
            if summary.total == 0:
                raise EventsFileError(f"{events_path.name}: no events; the file has a header only.")
        finally:
            writer.close()
    return summary
