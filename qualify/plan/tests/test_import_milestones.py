"""``manage.py import_milestones``: the milestones the market rules read, loaded from a file (issue 5)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qualify.audit.models import AuditEvent
from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed
from qualify.core.roles import StaffRole
from qualify.plan.imports import milestones_import
from qualify.plan.models import Milestone, MilestoneDateChange

HEADER = "code,name,date,meaning,segments"
ROWS = [
    "M10,Central systems ready,2025-09-24,,",
    "M11,Migration opens: UMS and Advanced,2025-10-06,MIGRATION_START,UMS;ADVANCED",
    "M12,Migration opens: Smart,2025-10-20,MIGRATION_START,SMART",
    "M14,All Suppliers qualified,2026-10-28,ALL_SUPPLIERS_QUALIFIED,",
    "M15,Full transition,,MIGRATION_END,",
]

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, lines: list[str], name: str = "milestones.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path) -> str:
    out = StringIO()
    call_command("import_milestones", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_creates_milestones_with_meanings_and_segments(tmp_path):
    assert "5 milestone(s) read: 5 created, 0 updated, 0 unchanged" in run(write(tmp_path, [HEADER, *ROWS]))
    m11 = Milestone.objects.get(code="M11")
    assert (m11.date, m11.meaning, m11.segments) == (dt.date(2025, 10, 6), "MIGRATION_START", ["ADVANCED", "UMS"])
    m15 = Milestone.objects.get(code="M15")
    assert (m15.date, m15.meaning) == (None, "MIGRATION_END")
    assert Milestone.objects.get(code="M10").meaning == ""


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write(tmp_path, [HEADER, *ROWS])
    run(path)
    stamps = dict(Milestone.objects.values_list("code", "updated_at"))
    audit = AuditEvent.objects.count()
    assert "0 created, 0 updated, 5 unchanged" in run(path)
    assert dict(Milestone.objects.values_list("code", "updated_at")) == stamps
    assert AuditEvent.objects.count() == audit


def test_a_moved_date_is_kept_as_a_move(tmp_path):
    run(write(tmp_path, [HEADER, *ROWS]))
    moved = [row.replace("2026-10-28", "2026-12-01") for row in ROWS]
    assert "0 created, 1 updated, 4 unchanged" in run(write(tmp_path, [HEADER, *moved], "replan.csv"))
    change = MilestoneDateChange.objects.get(milestone__code="M14")
    assert (change.old_date, change.new_date) == (dt.date(2026, 10, 28), dt.date(2026, 12, 1))


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("M16,Cut-over,2027-07-01,CUTOVER,", "row 6 (line 7), column meaning: 'CUTOVER' is not one of"),
        ("M16,Cut-over,2027-07-01,MIGRATION_END,SMART", "column segments: only a MIGRATION_START applies to segments"),
        ("M16,Cut-over,2027-07-01,MIGRATION_START,SMART;HALF_HOURLY", "column segments: HALF_HOURLY: segments are"),
        ("M16,Cut-over,July 2027,,", "column date: 'July 2027' is not a date as YYYY-MM-DD"),
        ("M16,,2027-07-01,,", "column name: empty"),
        (",Cut-over,2027-07-01,,", "column code: empty"),
        ("M12,Again,2027-07-01,,", "column code: M12 is already on row 3"),
    ],
)
def test_bad_row_names_row_and_column_and_imports_nothing(tmp_path, row, expected):
    errors = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_milestones", str(write(tmp_path, [HEADER, *ROWS, row])), stdout=StringIO(), stderr=errors)
    assert expected in errors.getvalue()
    assert not Milestone.objects.exists()


def test_unknown_column_is_refused(tmp_path):
    with pytest.raises(CommandError, match="column owner: unknown column"):
        run(write(tmp_path, [HEADER + ",owner", ROWS[0] + ",Programme"]))


def test_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")


def test_only_a_programme_administrator_may_import():
    actor = system_actor()
    outsider = type(actor)(user_id=None, display_name="assessor", staff_role=StaffRole.REC_ASSESSOR)
    with pytest.raises(NotAllowed):
        milestones_import(actor=outsider, text="\n".join([HEADER, *ROWS]), source_name="x.csv")
