"""Bulk files: strict reading with row-and-column errors, and all-or-nothing results (issue 5, "Bad input")."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest

from qualify.gating import io
from qualify.gating.io import EventsFileError, decide_records, gate_file, read_events
from qualify.gating.tests.world import MPAN_LDSA, MPAN_LDSB, context, with_wrong_check_digit

HEADER = "ref,kind,mpan,date,segment,supplier,mem,data_service,settlement"
GOOD_ROWS = [
    f"E1,MIGRATE,{MPAN_LDSA},2026-03-02,SMART,SUPA,,,LEGACY",
    f"E2,MIGRATE,{MPAN_LDSB},2026-03-02,SMART,SUPA,,,LEGACY",
    f"E3,REGISTER,{MPAN_LDSA},2026-03-02,SMART,SUPX,,,MHHS",
    f"E4,APPOINT,{with_wrong_check_digit(MPAN_LDSA)},2026-03-02,SMART,,MEMA,,MHHS",
]
EXPECTED = [
    ("E1", "ALLOW", "", "_A"),
    ("E2", "BLOCK", "LDSO_NOT_QUALIFIED", "_B"),
    ("E3", "ALLOW_REVERSE_MIGRATION", "REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED", "_A"),
    ("E4", "BLOCK", "INVALID_MPAN", None),
]


@pytest.fixture(scope="module")
def market():
    return context()


def write_csv(tmp_path: Path, lines: list[str], name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def rows_of(path: Path) -> list[tuple[str, str, str, str | None]]:
    frame = pl.read_csv(path, infer_schema=False) if path.suffix == ".csv" else pl.read_parquet(path)
    return [(r, o, s or "", g) for r, o, s, g in frame.select(pl.all().cast(pl.String)).iter_rows()]


@pytest.mark.parametrize("out_name", ["result.csv", "result.parquet"])
def test_gate_file_writes_one_decision_per_event_in_order(tmp_path, market, out_name):
    events = write_csv(tmp_path, [HEADER, *GOOD_ROWS])
    summary = gate_file(events, tmp_path / out_name, market)
    assert rows_of(tmp_path / out_name) == EXPECTED
    assert summary.total == 4
    assert summary.by_outcome == {"ALLOW": 1, "BLOCK": 2, "ALLOW_REVERSE_MIGRATION": 1}
    assert summary.by_reason["INVALID_MPAN"] == 1
    assert summary.by_reason["SUPPLIER_NOT_QUALIFIED"] == 1
    assert leftovers(tmp_path) == []


def test_result_gets_the_usual_file_permissions(tmp_path, market):
    umask = os.umask(0o022)
    os.umask(umask)
    gate_file(write_csv(tmp_path, [HEADER, *GOOD_ROWS]), tmp_path / "out.parquet", market)
    assert (tmp_path / "out.parquet").stat().st_mode & 0o777 == 0o666 & ~umask


def test_result_csv_has_the_published_header(tmp_path, market):
    gate_file(write_csv(tmp_path, [HEADER, *GOOD_ROWS]), tmp_path / "out.csv", market)
    assert (tmp_path / "out.csv").read_text().splitlines()[0] == "ref,outcome,reasons,gsp_group"


def test_parquet_events_with_a_date_column_are_accepted(tmp_path, market):
    frame = pl.read_csv(write_csv(tmp_path, [HEADER, *GOOD_ROWS]), infer_schema=False).with_columns(
        pl.col("date").str.to_date()
    )
    frame.write_parquet(tmp_path / "events.parquet")
    gate_file(tmp_path / "events.parquet", tmp_path / "out.parquet", market)
    assert rows_of(tmp_path / "out.parquet") == EXPECTED


def test_columns_may_come_in_any_order(tmp_path, market):
    lines = [HEADER, *GOOD_ROWS]
    frame = pl.read_csv(write_csv(tmp_path, lines), infer_schema=False)
    frame.select(reversed(frame.columns)).write_csv(tmp_path / "reordered.csv")
    gate_file(tmp_path / "reordered.csv", tmp_path / "out.csv", market)
    assert rows_of(tmp_path / "out.csv") == EXPECTED


def test_progress_is_reported_with_the_total(tmp_path, market, monkeypatch) -> None:
    monkeypatch.setattr(io, "BATCH_ROWS", 2)
    seen: list[tuple[int, int | None]] = []
    events = write_csv(tmp_path, [HEADER, *GOOD_ROWS])
    gate_file(events, tmp_path / "out.csv", market, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4, 4)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


# --- bad input: a clear error naming row and column, and nothing written ------------------------------------------


def assert_rejected(tmp_path: Path, events: Path, market, *, message: list[str], row=None, column=None) -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(EventsFileError) as caught:
        gate_file(events, out, market)
    for fragment in message:
        assert fragment in str(caught.value)
    assert caught.value.row == row
    assert caught.value.column == column
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_unknown_column_is_named(tmp_path, market):
    events = write_csv(tmp_path, [HEADER + ",colour", *(r + ",red" for r in GOOD_ROWS)])
    assert_rejected(tmp_path, events, market, message=["unknown column(s): colour"], column="colour")


def test_missing_column_is_named(tmp_path, market):
    header = HEADER.replace(",settlement", "")
    rows = [r.rsplit(",", 1)[0] for r in GOOD_ROWS]
    assert_rejected(
        tmp_path,
        write_csv(tmp_path, [header, *rows]),
        market,
        message=["missing column(s): settlement"],
        column="settlement",
    )


def test_unknown_kind_names_row_and_column(tmp_path, market):
    rows = [*GOOD_ROWS[:2], GOOD_ROWS[2].replace("REGISTER", "SWITCH"), GOOD_ROWS[3]]
    assert_rejected(
        tmp_path,
        write_csv(tmp_path, [HEADER, *rows]),
        market,
        message=["row 3 (line 4 of the file)", "column kind", "'SWITCH' is not one of MIGRATE, APPOINT, REGISTER"],
        row=3,
        column="kind",
    )


@pytest.mark.parametrize(
    ("bad_date", "explanation"),
    [
        ("02/03/2026", "'02/03/2026' is not a date as YYYY-MM-DD"),
        ("2026-02-30", "'2026-02-30' is not a calendar date"),
        ("yesterday", "'yesterday' is not a date as YYYY-MM-DD"),
        ("", "empty; expected a date"),
        ("1999-12-31", "1999-12-31 is outside 2000-01-01..2100-12-31"),
        ("2101-01-01", "2101-01-01 is outside 2000-01-01..2100-12-31"),
    ],
)
def test_bad_date_names_row_and_column(tmp_path, market, bad_date, explanation):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1].replace("2026-03-02", bad_date)]
    assert_rejected(
        tmp_path,
        write_csv(tmp_path, [HEADER, *rows]),
        market,
        message=["row 2", "column date", explanation],
        row=2,
        column="date",
    )


@pytest.mark.parametrize("edge", ["2000-01-01", "2100-12-31"])
def test_dates_at_the_ends_of_the_range_are_accepted(tmp_path, market, edge):
    gate_file(write_csv(tmp_path, [HEADER, GOOD_ROWS[0].replace("2026-03-02", edge)]), tmp_path / "o.csv", market)
    assert (tmp_path / "o.csv").exists()


def test_missing_segment_and_settlement_are_both_named(tmp_path, market):
    row = f"E9,MIGRATE,{MPAN_LDSA},2026-03-02,,SUPA,,,"
    assert_rejected(
        tmp_path,
        write_csv(tmp_path, [HEADER, row]),
        market,
        message=["row 1", "column segment: empty is not one of SMART, ADVANCED, UMS", "column settlement"],
        row=1,
        column="segment",
    )


def test_missing_ref_is_named(tmp_path, market):
    row = f",MIGRATE,{MPAN_LDSA},2026-03-02,SMART,SUPA,,,LEGACY"
    assert_rejected(tmp_path, write_csv(tmp_path, [HEADER, row]), market, message=["column ref"], row=1, column="ref")


def test_malformed_mpan_is_a_decision_not_an_error(tmp_path, market):
    rows = [f"E1,APPOINT,{bad},2026-03-02,SMART,,,,LEGACY" for bad in ("12345", "ABCDEFGHIJKLM", "")]
    rows = [r.replace("E1", f"E{i}") for i, r in enumerate(rows)]
    gate_file(write_csv(tmp_path, [HEADER, *rows]), tmp_path / "o.csv", market)
    assert rows_of(tmp_path / "o.csv") == [(f"E{i}", "BLOCK", "INVALID_MPAN", None) for i in range(3)]


def test_empty_file_is_an_error(tmp_path, market):
    events = tmp_path / "events.csv"
    events.write_text("")
    assert_rejected(tmp_path, events, market, message=["the file is empty"])


def test_header_only_is_an_error(tmp_path, market):
    assert_rejected(tmp_path, write_csv(tmp_path, [HEADER]), market, message=["no events"])


def test_empty_parquet_is_an_error(tmp_path, market):
    pl.read_csv(write_csv(tmp_path, [HEADER, *GOOD_ROWS]), infer_schema=False).head(0).write_parquet(
        tmp_path / "events.parquet"
    )
    assert_rejected(tmp_path, tmp_path / "events.parquet", market, message=["no events"])


def test_parquet_column_of_the_wrong_type_is_named(tmp_path, market):
    frame = pl.read_csv(write_csv(tmp_path, [HEADER, *GOOD_ROWS]), infer_schema=False)
    frame.with_columns(pl.col("mpan").cast(pl.Int64)).write_parquet(tmp_path / "events.parquet")
    assert_rejected(
        tmp_path,
        tmp_path / "events.parquet",
        market,
        message=["column mpan has type Int64; expected text"],
        column="mpan",
    )


def test_parquet_date_of_the_wrong_type_is_named(tmp_path, market):
    frame = pl.read_csv(write_csv(tmp_path, [HEADER, *GOOD_ROWS]), infer_schema=False)
    frame.with_columns(pl.lit(20260302).alias("date")).write_parquet(tmp_path / "events.parquet")
    assert_rejected(
        tmp_path,
        tmp_path / "events.parquet",
        market,
        message=["column date has type Int32", "a date"],
        column="date",
    )


def test_parquet_bad_row_is_counted_from_one(tmp_path, market):
    frame = pl.read_csv(write_csv(tmp_path, [HEADER, *GOOD_ROWS]), infer_schema=False)
    frame.with_columns(
        pl.when(pl.col("ref") == "E4").then(pl.lit("ELSEWHERE")).otherwise(pl.col("segment")).alias("segment")
    ).write_parquet(tmp_path / "events.parquet")
    assert_rejected(
        tmp_path,
        tmp_path / "events.parquet",
        market,
        message=["events.parquet, row 4, column segment: 'ELSEWHERE'"],
        row=4,
        column="segment",
    )


def test_ragged_csv_row_is_an_error(tmp_path, market):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1] + ",extra,fields"]
    assert_rejected(tmp_path, write_csv(tmp_path, [HEADER, *rows]), market, message=["cannot be read as CSV"])


def test_error_in_a_late_batch_leaves_nothing_behind(tmp_path, market, monkeypatch):
    """Earlier batches were already decided and written to the temporary file: it must go too."""
    monkeypatch.setattr(io, "BATCH_ROWS", 2)
    rows = [*GOOD_ROWS, *("F" + r[1:] for r in GOOD_ROWS)]
    rows[6] = rows[6].replace("2026-03-02", "2026-13-01")
    assert_rejected(
        tmp_path,
        write_csv(tmp_path, [HEADER, *rows]),
        market,
        message=["row 7 (line 8 of the file)", "column date"],
        row=7,
        column="date",
    )


def test_failed_run_keeps_the_previous_result(tmp_path, market):
    out = tmp_path / "out.csv"
    out.write_text("ref,outcome,reasons\nOLD,ALLOW,\n")
    rows = [GOOD_ROWS[0], GOOD_ROWS[1].replace("SMART", "smart")]
    with pytest.raises(EventsFileError):
        gate_file(write_csv(tmp_path, [HEADER, *rows]), out, market)
    assert out.read_text() == "ref,outcome,reasons\nOLD,ALLOW,\n"
    assert leftovers(tmp_path) == []


def test_unknown_file_types_are_refused(tmp_path, market):
    events = write_csv(tmp_path, [HEADER, *GOOD_ROWS])
    with pytest.raises(EventsFileError, match=r"unknown file type '\.xlsx'"):
        gate_file(events, tmp_path / "out.xlsx", market)
    with pytest.raises(EventsFileError, match=r"unknown file type '\.txt'"):
        gate_file(write_csv(tmp_path, [HEADER], name="events.txt"), tmp_path / "out.csv", market)


def test_missing_events_file_is_an_error(tmp_path, market):
    with pytest.raises(EventsFileError, match="no such file"):
        gate_file(tmp_path / "nope.csv", tmp_path / "out.csv", market)


def test_read_events_types_the_columns(tmp_path):
    frame = read_events(write_csv(tmp_path, [HEADER, *GOOD_ROWS]))
    assert frame.schema["date"] == pl.Date
    assert frame["date"][0] == dt.date(2026, 3, 2)
    assert frame["mem"].to_list() == [None, None, None, "MEMA"]


# --- a batch given as records (the API's JSON) ---------------------------------------------------------------------


def records(rows: list[str]) -> list[dict[str, str | None]]:
    names = HEADER.split(",")
    return [{n: (v or None) for n, v in zip(names, row.split(","), strict=True)} for row in rows]


def test_decide_records_answers_in_order(market):
    decided = decide_records(records(GOOD_ROWS), market)
    assert [tuple(r) for r in decided.iter_rows()] == EXPECTED


def test_decide_records_allows_mpid_fields_to_be_left_out(market):
    batch = records(GOOD_ROWS[:1])
    del batch[0]["mem"], batch[0]["data_service"]
    assert decide_records(batch, market).row(0) == EXPECTED[0]


@pytest.mark.parametrize(
    ("change", "message", "column"),
    [
        ({"colour": "red"}, "request, event 2: unknown field colour", "colour"),
        ({"date": 20260302}, "request, event 2, field date: 20260302 is not text", "date"),
        ({"kind": "SWITCH"}, "request, event 2, column kind: 'SWITCH' is not one of", "kind"),
        ({"date": "2026-02-30"}, "request, event 2, column date: '2026-02-30' is not a calendar date", "date"),
    ],
)
def test_decide_records_names_the_event_and_field(market, change, message, column):
    batch = records(GOOD_ROWS)
    batch[1].update(change)
    with pytest.raises(EventsFileError) as caught:
        decide_records(batch, market)
    assert message in str(caught.value)
    assert (caught.value.row, caught.value.column) == (2, column)


def test_decide_records_requires_the_other_fields(market):
    batch = records(GOOD_ROWS)
    del batch[0]["settlement"]
    with pytest.raises(EventsFileError, match="event 1: missing field settlement"):
        decide_records(batch, market)


def test_decide_records_of_nothing_is_nothing(market):
    assert decide_records([], market).height == 0
