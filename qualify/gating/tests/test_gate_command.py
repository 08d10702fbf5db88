"""``manage.py gate``: the register and plan loaded from the database decide a bulk file (issue 5)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from qualify.gating.loading import load_gating_context
from qualify.gating.tests.world import MPAN_LDSA, MPAN_LDSB, MPAN_NO_LDSO

REGISTER = [
    "organisation,mpid,role,event,date,distributor_ids",
    "Northern Lights Supply,NLSP,SUPPLIER,QUALIFIED,2025-09-01,",
    "Northern Lights Supply,NLSP,SUPPLIER,SERVICE_ACTIVATED,2025-09-15,",
    "Late Energy,LATE,SUPPLIER,QUALIFIED,2026-11-01,",
    "Metering Co,MTRC,MEM,QUALIFIED,2025-01-01,",
    "Metering Co,MTRC,MEM,SERVICE_ACTIVATED,2025-01-01,",
    "Grid North plc,GRDN,LDSO,QUALIFIED,2025-06-01,10",
    "Grid North plc,GRDN,LDSO,SERVICE_ACTIVATED,2025-06-01,",
    "Grid East plc,GRDE,LDSO,,,11",
]
MILESTONES = [
    "code,name,date,meaning,segments",
    "M11,Migration opens: UMS and Advanced,2025-10-06,MIGRATION_START,UMS;ADVANCED",
    "M12,Migration opens: Smart,2025-10-20,MIGRATION_START,SMART",
    "M14,All Suppliers qualified,2026-10-28,ALL_SUPPLIERS_QUALIFIED,",
    "M15,Migration ends,2027-05-31,MIGRATION_END,",
]
EVENTS = [
    "ref,kind,mpan,date,segment,supplier,mem,data_service,settlement",
    f"A1,MIGRATE,{MPAN_LDSA},2025-10-20,SMART,NLSP,MTRC,,LEGACY",
    f"A2,MIGRATE,{MPAN_LDSA},2025-10-19,SMART,NLSP,,,LEGACY",
    f"A3,MIGRATE,{MPAN_LDSB},2026-01-10,SMART,NLSP,,,LEGACY",
    f"A4,MIGRATE,{MPAN_NO_LDSO},2026-01-10,SMART,NLSP,,,LEGACY",
    f"A5,REGISTER,{MPAN_LDSA},2026-10-27,SMART,LATE,,,MHHS",
    f"A6,REGISTER,{MPAN_LDSA},2026-10-28,SMART,LATE,,,LEGACY",
    f"A7,APPOINT,{MPAN_LDSA},2026-01-10,SMART,,NOPE,,MHHS",
    "A8,APPOINT,1234,2026-01-10,SMART,,MTRC,,LEGACY",
]
EXPECTED = [
    ("A1", "ALLOW", "", "_A"),
    ("A2", "BLOCK", "BEFORE_MIGRATION_WINDOW", "_A"),
    ("A3", "BLOCK", "LDSO_NOT_QUALIFIED", "_B"),
    ("A4", "BLOCK", "LDSO_NOT_QUALIFIED", "_C"),
    ("A5", "ALLOW_REVERSE_MIGRATION", "REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED", "_A"),
    ("A6", "BLOCK", "SUPPLIER_NOT_QUALIFIED", "_A"),
    ("A7", "BLOCK", "MEM_NOT_QUALIFIED;UNKNOWN_PARTICIPANT", "_A"),
    ("A8", "BLOCK", "INVALID_MPAN", ""),  # an invalid MPAN has no GSP group
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path):
    (tmp_path / "register.csv").write_text("\n".join(REGISTER) + "\n")
    (tmp_path / "milestones.csv").write_text("\n".join(MILESTONES) + "\n")
    call_command(
        "import_register", str(tmp_path / "register.csv"), reason="initial load for the test", stdout=StringIO()
    )
    call_command("import_milestones", str(tmp_path / "milestones.csv"), stdout=StringIO())
    events = tmp_path / "events.csv"
    events.write_text("\n".join(EVENTS) + "\n")
    return events


def result_rows(path: Path) -> list[tuple[str, str, str, str]]:
    frame = pl.read_csv(path, infer_schema=False) if path.suffix == ".csv" else pl.read_parquet(path)
    assert frame.columns == ["ref", "outcome", "reasons", "gsp_group"]
    return [(r, o, s or "", g or "") for r, o, s, g in frame.select(pl.all().cast(pl.String)).iter_rows()]


@pytest.mark.parametrize("result_name", ["result.csv", "result.parquet"])
def test_gate_decides_every_event_against_the_database(loaded, tmp_path, result_name):
    out = StringIO()
    call_command("gate", str(loaded), out=str(tmp_path / result_name), progress="never", stdout=out)
    assert result_rows(tmp_path / result_name) == EXPECTED
    summary = out.getvalue()
    assert "8 events decided" in summary
    assert "ALLOW_REVERSE_MIGRATION" in summary
    lines = {line.split()[0]: line.split()[-1] for line in summary.splitlines() if line.startswith("  ")}
    assert lines["BLOCK"] == "6"
    assert lines["UNKNOWN_PARTICIPANT"] == "1"
    assert lines["SUPPLIER_NOT_QUALIFIED"] == "2"


def test_gate_treats_absent_and_wrong_role_participants_as_not_qualified(loaded, tmp_path):
    """DOMAIN.md §8: absent from the register, or registered in another role, is simply not qualified."""
    loaded.write_text(
        "\n".join(
            [
                EVENTS[0],
                f"B1,REGISTER,{MPAN_LDSA},2026-10-27,SMART,GONE,,,LEGACY",
                f"B2,REGISTER,{MPAN_LDSA},2026-10-27,SMART,GONE,,,MHHS",
                f"B3,REGISTER,{MPAN_LDSA},2026-10-28,SMART,GONE,,,LEGACY",
                f"B4,MIGRATE,{MPAN_LDSA},2026-01-10,SMART,NLSP,,MTRC,LEGACY",
                f"B5,MIGRATE,{MPAN_LDSA},2026-01-10,SMART,MTRC,,,LEGACY",
                f"B6,APPOINT,{MPAN_LDSA},2026-01-10,SMART,,NLSP,,MHHS",
            ]
        )
        + "\n"
    )
    call_command("gate", str(loaded), out=str(tmp_path / "r.csv"), progress="never", stdout=StringIO())
    assert [row[:3] for row in result_rows(tmp_path / "r.csv")] == [
        ("B1", "ALLOW", ""),
        ("B2", "ALLOW_REVERSE_MIGRATION", "REVERSE_MIGRATION;SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT"),
        ("B3", "BLOCK", "SUPPLIER_NOT_QUALIFIED;UNKNOWN_PARTICIPANT"),
        ("B4", "BLOCK", "DATA_SERVICE_NOT_QUALIFIED"),
        ("B5", "BLOCK", "SUPPLIER_NOT_QUALIFIED"),
        ("B6", "BLOCK", "MEM_NOT_QUALIFIED"),
    ]


def test_gate_draws_a_progress_bar_when_asked(loaded, tmp_path, capsys):
    call_command("gate", str(loaded), out=str(tmp_path / "r.csv"), progress="always", stdout=StringIO())
    assert "100.0%  8 / 8 events" in capsys.readouterr().err


def test_gate_refuses_a_bad_file_and_writes_nothing(loaded, tmp_path):
    loaded.write_text(loaded.read_text().replace("2026-01-10,SMART,,NOPE", "2026-01-10,SMART-ISH,,NOPE"))
    with pytest.raises(CommandError, match=r"row 7 \(line 8 of the file\), column segment"):
        call_command("gate", str(loaded), out=str(tmp_path / "r.csv"), progress="never", stdout=StringIO())
    assert not (tmp_path / "r.csv").exists()


def test_context_from_the_database_knows_participations_without_events(loaded):
    context = load_gating_context()
    assert dict(context.ldso_by_distributor) == {"10": "GRDN", "11": "GRDE"}
    known = set(context.register.select("mpid", "role").unique().iter_rows())
    assert ("GRDE", "LDSO") in known
    assert context.calendar.all_suppliers_qualified == dt.date(2026, 10, 28)
    assert context.calendar.migration_start["SMART"] == dt.date(2025, 10, 20)
