"""Benchmark of the bulk gating engine (issue 5, "Speed"): 10 million events, Parquet in, Parquet out.

    .venv/bin/python bench/gate_bench.py                 # generate into a temp dir, run both engines, report
    .venv/bin/python bench/gate_bench.py --dir /tmp/gb   # keep the generated files there (reused if present)
    .venv/bin/python bench/gate_bench.py --events 1000000
    .venv/bin/python bench/gate_bench.py --csv           # also time the engine on the same events as CSV

Steps: generate the events (a realistic mix of kinds, segments, settlements, dates across the migration period, a
sprinkling of bad MPANs and unknown MPIDs), a register of a few hundred participations with varied histories and the
milestones; then, each in a fresh subprocess so its peak memory is its own, (1) the engine end to end from the
events Parquet file to the result Parquet file through ``qualify.gating.io.gate_file`` (the same path as
``manage.py gate``), and (2) the same rules as DuckDB SQL over the same files, written here in two formulations
(ASOF JOINs, and a dense per-day status table; see ``duckdb_sql``). Runs alternate between the engines and the best
of ``--runs`` is kept. Reports wall time, CPU time and peak RSS (VmHWM) of each, the ratio to the faster DuckDB
formulation, and checks that every run wrote the same decisions. Targets: engine under 10 s and under 4 GB, and no
slower than DuckDB. The machine's load average is printed too: other work on a 2-CPU machine slows every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from qualify.gating.choices import (  # noqa: E402  (needs ROOT on the path)
    DATA_SERVICE_ROLE,
    GSP_GROUP_BY_DISTRIBUTOR,
    GSP_GROUP_IDNO,
    Segment,
)
from qualify.gating.context import MilestoneFact, build_context  # noqa: E402
from qualify.register.rules import EventFact  # noqa: E402

WEIGHTS = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
PERIOD_START = dt.date(2025, 6, 1)
PERIOD_DAYS = 900  # to late 2027: before, during and after migration, either side of M14
MILESTONES = [
    MilestoneFact("M11", dt.date(2025, 10, 6), "MIGRATION_START", ("ADVANCED", "UMS")),
    MilestoneFact("M12", dt.date(2025, 10, 20), "MIGRATION_START", ("SMART",)),
    MilestoneFact("M14", dt.date(2026, 10, 28), "ALL_SUPPLIERS_QUALIFIED"),
    MilestoneFact("M15", dt.date(2027, 5, 31), "MIGRATION_END"),
]


# --- generation ------------------------------------------------------------------------------------------------


def _participations() -> dict[str, list[str]]:
    """MPIDs by role: 150 Suppliers, 22 LDSOs, 100 MEMs and data services (some MPIDs hold several roles)."""
    return {
        "SUPPLIER": [f"S{i:03d}" for i in range(150)],
        "LDSO": [f"L{i:03d}" for i in range(22)],
        "MEM": [f"M{i:03d}" for i in range(100)],
        "SDS": [f"D{i:03d}" for i in range(60)],
        "ADS": [f"D{i:03d}" for i in range(40, 80)],
        "UMSDS": [f"D{i:03d}" for i in range(70, 90)],
    }


def make_histories(seed: int = 5) -> dict[tuple[str, str], list[EventFact]]:
    """Varied status histories: most qualify and activate during 2025-2027, some are suspended and reinstated,
    some revoked, some never qualify."""
    rng = random.Random(seed)
    histories: dict[tuple[str, str], list[EventFact]] = {}
    for role, mpids in _participations().items():
        for mpid in mpids:
            events: list[EventFact] = []
            roll = rng.random()
            if roll > 0.08 or role == "LDSO":
                qualified = PERIOD_START + dt.timedelta(days=rng.randint(-200, 600 if role != "LDSO" else 100))
                events.append(EventFact("QUALIFIED", qualified))
                if rng.random() < 0.95:
                    events.append(EventFact("SERVICE_ACTIVATED", qualified + dt.timedelta(days=rng.randint(0, 60))))
                if rng.random() < 0.12:
                    suspended = qualified + dt.timedelta(days=rng.randint(30, 300))
                    events.append(EventFact("SUSPENDED", suspended))
                    if rng.random() < 0.7:
                        events.append(EventFact("REINSTATED", suspended + dt.timedelta(days=rng.randint(1, 90))))
                if rng.random() < 0.04:
                    events.append(EventFact("REVOKED", qualified + dt.timedelta(days=rng.randint(100, 500))))
            histories[(mpid, role)] = events
    return histories


def ldso_map() -> dict[str, str]:
    """Distributor ids 10..31 each held by one LDSO (ids 32 and up have none)."""
    ldsos = _participations()["LDSO"]
    return {str(10 + i): ldsos[i] for i in range(22)}


def _pick(values: list[str], hashed: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=pl.String)).gather(hashed % len(values))


def write_events(path: Path, count: int, seed: int = 11) -> None:
    """Ten million rows take a few seconds: every column is a vectorised function of the row number's hash."""
    roles = _participations()

    def h(salt: int) -> pl.Expr:
        return pl.col("i").hash(seed * 1000 + salt)

    p12 = (10 + h(1) % 23) * 10**10 + h(2) % 10**10  # distributor 10..32 (32 has no LDSO)
    total = pl.lit(0, dtype=pl.UInt64)
    for position, weight in enumerate(WEIGHTS):
        total = total + (p12 // 10 ** (11 - position)) % 10 * weight
    check = total % 11 % 10
    bad = h(3) % 10_000
    mpan = (
        pl.when(bad < 8)
        .then((p12 * 10 + (check + 1) % 10).cast(pl.String))  # wrong check digit
        .when(bad < 10)
        .then(p12.cast(pl.String))  # twelve digits
        .when(bad < 11)
        .then(pl.lit("ABCDEFGHIJKLM"))
        .otherwise((p12 * 10 + check).cast(pl.String))
    )
    kind_roll = h(4) % 100
    kind = (
        pl.when(kind_roll < 20)
        .then(pl.lit("MIGRATE"))
        .when(kind_roll < 50)
        .then(pl.lit("APPOINT"))
        .otherwise(pl.lit("REGISTER"))
    )
    segment_roll = h(5) % 100
    segment = (
        pl.when(segment_roll < 85)
        .then(pl.lit("SMART"))
        .when(segment_roll < 95)
        .then(pl.lit("ADVANCED"))
        .otherwise(pl.lit("UMS"))
    )
    supplier = pl.when(h(6) % 1000 == 0).then(pl.lit("ZZZ9")).otherwise(_pick(roles["SUPPLIER"], h(7)))
    mem_named = h(8) % 100
    data_services = {segment: _pick(roles[DATA_SERVICE_ROLE[segment]], h(9)) for segment in Segment}
    frame = (
        pl.LazyFrame()
        .select(i=pl.int_range(0, count, dtype=pl.UInt64))
        .with_columns(kind=kind, segment=segment)
        .select(
            ref=pl.format("E{}", pl.col("i").cast(pl.String).str.zfill(9)),
            kind=pl.col("kind"),
            mpan=mpan.str.zfill(13),
            date=pl.lit(PERIOD_START) + pl.duration(days=(h(10) % PERIOD_DAYS).cast(pl.Int64)),
            segment=pl.col("segment"),
            supplier=pl.when(pl.col("kind") == "APPOINT").then(None).otherwise(supplier),
            mem=pl.when((pl.col("kind") == "APPOINT") & (mem_named < 60))
            .then(_pick(roles["MEM"], h(11)))
            .when((pl.col("kind") == "MIGRATE") & (mem_named < 50))
            .then(_pick(roles["MEM"], h(11))),
            data_service=pl.when(
                ((pl.col("kind") == "APPOINT") & (mem_named >= 60)) | ((pl.col("kind") == "MIGRATE") & (h(12) % 2 == 0))
            ).then(
                pl.when(h(13) % 100 == 0)
                .then(_pick(roles["SDS"], h(9)))  # sometimes the wrong segment's role
                .when(pl.col("segment") == "SMART")
                .then(data_services[Segment.SMART])
                .when(pl.col("segment") == "ADVANCED")
                .then(data_services[Segment.ADVANCED])
                .otherwise(data_services[Segment.UMS])
            ),
            settlement=pl.when(h(14) % 100 < 45).then(pl.lit("MHHS")).otherwise(pl.lit("LEGACY")),
        )
    )
    frame.sink_parquet(path, row_group_size=1_000_000)


def write_register_files(directory: Path) -> None:
    """The inputs DuckDB reads: the register's change points, the LDSO map (the engine gets the same values)."""
    context = build_context(histories=make_histories(), ldso_by_distributor=ldso_map(), milestones=MILESTONES)
    context.register.write_parquet(directory / "register.parquet")
    pl.DataFrame(
        {"distributor": list(context.ldso_by_distributor), "mpid": list(context.ldso_by_distributor.values())}
    ).write_parquet(directory / "ldso.parquet")


def generate(directory: Path, count: int, *, csv: bool = False) -> Path:
    events = directory / f"events-{count}.parquet"
    if not events.exists():
        started = time.perf_counter()
        write_events(events, count)
        print(f"generated {count:,} events in {time.perf_counter() - started:.1f} s -> {events}", file=sys.stderr)
    if csv and not events.with_suffix(".csv").exists():
        pl.scan_parquet(events).sink_csv(events.with_suffix(".csv"))
    write_register_files(directory)
    return events


# --- the runs, each in its own process ---------------------------------------------------------------------------


def peak_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_engine(events: Path, out: Path) -> dict[str, float]:
    from qualify.gating.io import gate_file

    context = build_context(histories=make_histories(), ldso_by_distributor=ldso_map(), milestones=MILESTONES)
    cpu, started = cpu_seconds(), time.perf_counter()
    summary = gate_file(events, out, context)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu, "peak_rss": peak_rss_bytes(), "rows": summary.total}


REASON_NAMES = [
    "AFTER_MIGRATION_WINDOW",
    "BEFORE_MIGRATION_WINDOW",
    "DATA_SERVICE_NOT_QUALIFIED",
    "INVALID_MPAN",
    "LDSO_NOT_QUALIFIED",
    "MEM_NOT_QUALIFIED",
    "REVERSE_MIGRATION",
    "SUPPLIER_NOT_QUALIFIED",
    "UNKNOWN_PARTICIPANT",
]  # alphabetical, so concat_ws over them in this order gives the sorted list


def duckdb_sql(events: Path, directory: Path, out: Path, variant: str) -> str:
    """The same rules in SQL, in one of two formulations:

    - ``asof``: each "operational on the date" is an ASOF LEFT JOIN of the events on the register's change points
      (the textbook formulation);
    - ``dense``: the register is first expanded to one status row per participation and day over the events' date
      range (a few hundred thousand rows, itself built with an ASOF join), then looked up with plain hash joins on
      (mpid, role, date) — the same precomputation idea as the engine's epochs, and DuckDB's faster option here.

    Both write ``ref,outcome,reasons,gsp_group``. DuckDB is not asked to keep the input order (the engine does): the two
    results are compared by ``ref``.
    """
    calendar = build_context(histories={}, ldso_by_distributor={}, milestones=MILESTONES).calendar
    start = {segment.value: calendar.migration_start[segment] for segment in Segment}

    def literal(day: dt.date | None) -> str:
        return f"DATE '{day.isoformat()}'" if day else "NULL"

    m14 = literal(calendar.all_suppliers_qualified)
    end = literal(calendar.migration_end)
    weighted = " + ".join(f"((n // {10 ** (11 - i)}) % 10) * {w}" for i, w in enumerate(WEIGHTS))
    reasons = ", ".join(f"CASE WHEN r_{name.lower()} THEN '{name}' END" for name in REASON_NAMES)
    gsp_groups = ", ".join(f"('{code}', '{group}')" for code, group in GSP_GROUP_BY_DISTRIBUTOR.items())
    if variant == "asof":
        lookups = """
            coalesce(rs.operational, false) AS sup_op,
            coalesce(rm.operational, false) AS mem_op,
            coalesce(rd.operational, false) AS ds_op,
            coalesce(rl.operational, false) AS ldso_op
        FROM ev3
        ASOF LEFT JOIN reg rs ON rs.mpid = ev3.supplier AND rs.role = 'SUPPLIER' AND ev3.date >= rs.from_date
        ASOF LEFT JOIN reg rm ON rm.mpid = ev3.mem AND rm.role = 'MEM' AND ev3.date >= rm.from_date
        ASOF LEFT JOIN reg rd ON rd.mpid = ev3.data_service AND rd.role = ev3.ds_role AND ev3.date >= rd.from_date
        ASOF LEFT JOIN reg rl ON rl.mpid = ev3.ldso AND rl.role = 'LDSO' AND ev3.date >= rl.from_date
        """
    else:
        lookups = """
            coalesce(ss.op, false) AS sup_op,
            coalesce(sm.op, false) AS mem_op,
            coalesce(sd.op, false) AS ds_op,
            coalesce(sl.op, false) AS ldso_op
        FROM ev3
        LEFT JOIN status ss ON ss.mpid = ev3.supplier AND ss.role = 'SUPPLIER' AND ss.day = ev3.date
        LEFT JOIN status sm ON sm.mpid = ev3.mem AND sm.role = 'MEM' AND sm.day = ev3.date
        LEFT JOIN status sd ON sd.mpid = ev3.data_service AND sd.role = ev3.ds_role AND sd.day = ev3.date
        LEFT JOIN status sl ON sl.mpid = ev3.ldso AND sl.role = 'LDSO' AND sl.day = ev3.date
        """
    # Every interpolated value is a path or a constant of this script: no outside input reaches the SQL.
    return f"""
    COPY (
    WITH reg AS (SELECT mpid, role, from_date, operational FROM read_parquet('{directory / "register.parquet"}')),
    parts AS (SELECT DISTINCT mpid, role FROM reg),
    mpids AS (SELECT DISTINCT mpid FROM reg),
    gsp AS (SELECT * FROM (VALUES {gsp_groups}) AS t(distributor, gsp_group)),
    span AS (SELECT min(date) AS lo, max(date) AS hi FROM read_parquet('{events}')),
    days AS (SELECT CAST(unnest(generate_series(lo, hi, INTERVAL 1 DAY)) AS DATE) AS day FROM span),
    grid AS (SELECT p.mpid, p.role, d.day FROM parts p CROSS JOIN days d),
    status AS (
        SELECT g.mpid, g.role, g.day, coalesce(r.operational, false) AS op
        FROM grid g ASOF LEFT JOIN reg r ON r.mpid = g.mpid AND r.role = g.role AND g.day >= r.from_date
    ),
    ev AS (
        SELECT *,
            regexp_full_match(coalesce(mpan, ''), '[0-9]{{13}}') AS shaped,
            CASE segment WHEN 'SMART' THEN 'SDS' WHEN 'ADVANCED' THEN 'ADS' ELSE 'UMSDS' END AS ds_role
        FROM read_parquet('{events}')
    ),
    ev1 AS (SELECT *, CASE WHEN shaped THEN CAST(mpan AS BIGINT) // 10 END AS n,
                      CASE WHEN shaped THEN CAST(mpan AS BIGINT) % 10 END AS check_digit FROM ev),
    ev2 AS (SELECT *, coalesce(shaped AND (({weighted}) % 11 % 10 = check_digit), false) AS mpan_valid FROM ev1),
    ev3 AS (
        SELECT ev2.*, CASE WHEN kind = 'MIGRATE' AND mpan_valid THEN l.mpid END AS ldso,
            CASE WHEN mpan_valid THEN coalesce(g.gsp_group, '{GSP_GROUP_IDNO}') END AS gsp_group,
            coalesce(supplier, '') <> '' AS sup_named,
            coalesce(mem, '') <> '' AS mem_named,
            coalesce(data_service, '') <> '' AS ds_named,
            coalesce(supplier IN (SELECT mpid FROM mpids), false) AS sup_registered,
            coalesce(mem IN (SELECT mpid FROM mpids), false) AS mem_registered,
            coalesce(data_service IN (SELECT mpid FROM mpids), false) AS ds_registered,
            coalesce(date < {m14}, true) AS before_m14,
            kind = 'MIGRATE' OR (kind = 'APPOINT' AND settlement = 'MHHS') AS appointees_gated
        FROM ev2 LEFT JOIN read_parquet('{directory / "ldso.parquet"}') l ON l.distributor = substr(ev2.mpan, 1, 2)
        LEFT JOIN gsp g ON g.distributor = substr(ev2.mpan, 1, 2)
    ),
    looked AS (SELECT ev3.*, {lookups}),
    gates AS (
        SELECT *,
            kind = 'MIGRATE' OR (kind = 'REGISTER' AND NOT (before_m14 AND settlement = 'LEGACY' AND sup_named))
                AS supplier_gated,
            appointees_gated AND mem_named AS mem_gated,
            appointees_gated AND ds_named AS ds_gated
        FROM looked
    ),
    flags AS (
        SELECT ref, gsp_group,
            NOT mpan_valid AS r_invalid_mpan,
            (supplier_gated AND sup_named AND NOT sup_registered) OR (mem_gated AND NOT mem_registered)
                OR (ds_gated AND NOT ds_registered) AS r_unknown_participant,
            kind = 'MIGRATE' AND coalesce(date < CASE segment WHEN 'SMART' THEN {literal(start["SMART"])}
                WHEN 'ADVANCED' THEN {literal(start["ADVANCED"])} ELSE {literal(start["UMS"])} END, true)
                AS r_before_migration_window,
            kind = 'MIGRATE' AND coalesce(date > {end}, false) AS r_after_migration_window,
            supplier_gated AND NOT sup_op AS r_supplier_not_qualified,
            kind = 'MIGRATE' AND mpan_valid AND NOT ldso_op AS r_ldso_not_qualified,
            mem_gated AND NOT mem_op AS r_mem_not_qualified,
            ds_gated AND NOT ds_op AS r_data_service_not_qualified,
            kind = 'REGISTER' AND before_m14 AND settlement = 'MHHS' AND sup_named AND NOT sup_op
                AS r_reverse_migration
        FROM gates
    )
    SELECT ref,
        CASE
            WHEN r_invalid_mpan OR r_before_migration_window OR r_after_migration_window
                OR r_ldso_not_qualified OR r_mem_not_qualified OR r_data_service_not_qualified
                OR (r_supplier_not_qualified AND NOT r_reverse_migration) THEN 'BLOCK'
            WHEN r_reverse_migration THEN 'ALLOW_REVERSE_MIGRATION'
            ELSE 'ALLOW'
        END AS outcome,
        concat_ws(';', {reasons}) AS reasons,
        gsp_group
    FROM flags
    ) TO '{out}' (FORMAT parquet)
    """  # noqa: S608


def run_duckdb(events: Path, directory: Path, out: Path, variant: str) -> dict[str, float]:
    import duckdb

    sql = duckdb_sql(events, directory, out, variant)
    connection = duckdb.connect()
    cpu, started = cpu_seconds(), time.perf_counter()
    connection.execute(sql)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu, "peak_rss": peak_rss_bytes()}


def _in_subprocess(*arguments: str) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, *arguments], check=False, capture_output=True, text=True, cwd=ROOT
    )
    if completed.returncode != 0:
        sys.exit(f"{' '.join(arguments[:2])} failed:\n{completed.stderr}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def compare(engine_out: Path, duckdb_out: Path) -> int:
    """Number of events on which the two results differ, matched by ``ref`` (expected: 0)."""
    ours = pl.scan_parquet(engine_out).select(pl.all().cast(pl.String))
    theirs = pl.scan_parquet(duckdb_out).select(pl.all().cast(pl.String))
    joined = ours.join(theirs, on="ref", how="full", suffix="_duckdb", coalesce=False)
    different = (
        pl.col("ref").is_null()
        | pl.col("ref_duckdb").is_null()
        | (pl.col("outcome") != pl.col("outcome_duckdb"))
        | (pl.col("reasons").fill_null("") != pl.col("reasons_duckdb").fill_null(""))
        | (pl.col("gsp_group").fill_null("") != pl.col("gsp_group_duckdb").fill_null(""))
    )
    return int(joined.select(different.sum()).collect().item())


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, help="where to write the files (default: a temporary directory)")
    parser.add_argument("--events", type=int, default=10_000_000, help="number of events (default 10 million)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each; the best time is reported (default 3)")
    parser.add_argument("--skip-asof", action="store_true", help="skip the slow DuckDB ASOF formulation")
    parser.add_argument("--csv", action="store_true", help="also time the engine reading the same events as CSV")
    parser.add_argument(
        "--only", choices=["engine", "engine-csv", "duckdb-asof", "duckdb-dense"], help=argparse.SUPPRESS
    )
    parser.add_argument("--events-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.only == "engine":
        print(json.dumps(run_engine(args.events_file, args.out)))
        return
    if args.only == "engine-csv":
        print(json.dumps(run_engine(args.events_file.with_suffix(".csv"), args.out)))
        return
    if args.only:
        print(json.dumps(run_duckdb(args.events_file, args.dir, args.out, args.only.removeprefix("duckdb-"))))
        return

    with tempfile.TemporaryDirectory(prefix="gate-bench-") as scratch:
        directory = args.dir or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        events = generate(directory, args.events, csv=args.csv)
        names = ["engine", "duckdb-dense"] + ([] if args.skip_asof else ["duckdb-asof"])
        names += ["engine-csv"] if args.csv else []
        outputs = {name: directory / f"result-{name}.parquet" for name in names}
        # Runs alternate between the engines so that a busy moment on the machine does not favour one of them.
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
        for round_number in range(args.runs):
            for name in names:
                if name in ("duckdb-asof", "engine-csv") and round_number > 0:
                    continue  # one run of the slow formulation, and of the CSV reading, is enough
                runs[name].append(
                    _in_subprocess(
                        "--only",
                        name,
                        "--events-file",
                        str(events),
                        "--dir",
                        str(directory),
                        "--out",
                        str(outputs[name]),
                    )
                )
                print(f"  {name}: {runs[name][-1]['seconds']:.2f} s", file=sys.stderr)
        results = {name: _best(name_runs) for name, name_runs in runs.items()}
        gib = 1024**3
        engine = results["engine"]
        fastest_duckdb = min((n for n in results if n.startswith("duckdb")), key=lambda n: results[n]["seconds"])
        duck = results[fastest_duckdb]
        print(f"events: {args.events:,} rows, {events.stat().st_size / 1024**2:.0f} MiB Parquet; {_cpus()} CPUs")
        print(f"best of {args.runs} runs, each in a fresh process")
        for name, result in results.items():
            label = f"engine (Polars {pl.__version__})" if name == "engine" else name
            print(
                f"{label:>24}: {result['seconds']:6.2f} s wall, {result['cpu']:6.2f} s CPU, "
                f"peak RSS {result['peak_rss'] / gib:5.2f} GiB"
            )
        print(f"engine / {fastest_duckdb} time: {engine['seconds'] / duck['seconds']:.2f}")
        mismatches = {name: compare(outputs["engine"], outputs[name]) for name in results if name != "engine"}
        load = os.getloadavg()[0]
        print(f"load average (1 min) at the end: {load:.1f} on {_cpus()} CPUs; a busy machine slows every run")
        for name, count in mismatches.items():
            print(f"events where engine and {name} differ: {count}")
        verdicts = {
            "under 10 s": engine["seconds"] < 10,
            "under 4 GB peak": engine["peak_rss"] < 4 * 10**9,
            "no slower than DuckDB": engine["seconds"] <= duck["seconds"],
            "same decisions in every run": not any(mismatches.values()),
        }
        for name, ok in verdicts.items():
            print(f"  {'PASS' if ok else 'FAIL'}  {name}")


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
