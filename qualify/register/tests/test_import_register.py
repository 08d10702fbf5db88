"""``manage.py import_register``: the register's history loaded from a spreadsheet, all or nothing (issue 5)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qualify.audit.models import AuditEvent
from qualify.core.actor import system_actor
from qualify.core.errors import NotAllowed, ValidationFailed
from qualify.core.roles import StaffRole
from qualify.participants.models import DistributorId, MarketParticipation, Organisation
from qualify.participants.services import organisation_create, participation_create
from qualify.register.imports import register_import
from qualify.register.models import RegisterEvent
from qualify.register.selectors import participation_status

HEADER = "organisation,mpid,role,event,date,distributor_ids"
ROWS = [
    "Northern Lights Supply,NLSP,SUPPLIER,QUALIFIED,2025-09-01,",
    "Northern Lights Supply,NLSP,SUPPLIER,SERVICE_ACTIVATED,2025-09-15,",
    "Northern Lights Supply,NLMS,MEM,QUALIFIED,2025-10-01,",
    "Grid North plc,GRDN,LDSO,QUALIFIED,2025-06-01,10;11",
    "Grid North plc,GRDN,LDSO,SERVICE_ACTIVATED,2025-06-01,11;13",
    "Grid North plc,GRDN,LDSO,SUSPENDED,2026-01-05,",
]

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, lines: list[str], name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path) -> str:
    out = StringIO()
    call_command("import_register", str(path), reason="initial load for the test", stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        MarketParticipation.objects.count(),
        DistributorId.objects.count(),
        RegisterEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def test_import_creates_organisations_participations_and_events(tmp_path):
    output = run(write(tmp_path, [HEADER, *ROWS]))
    assert "2 organisation(s), 3 participation(s) and 6 event(s) created" in output
    supplier = MarketParticipation.objects.get(mpid="NLSP", role="SUPPLIER")
    assert supplier.organisation.name == "Northern Lights Supply"
    event = supplier.register_events.get(kind="QUALIFIED")
    assert (event.effective_date, event.source, event.reference) == (dt.date(2025, 9, 1), "IMPORT", "register.csv")
    assert event.recorded_by_name == "register import"


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write(tmp_path, [HEADER, *ROWS])
    run(path)
    before = counts()
    output = run(path)
    assert counts() == before
    assert "0 organisation(s), 0 participation(s) and 0 event(s) created; 6 event(s) were already recorded" in output


def test_ldso_holds_the_union_of_the_distributor_ids_on_its_rows(tmp_path):
    run(write(tmp_path, [HEADER, *ROWS]))
    ldso = MarketParticipation.objects.get(mpid="GRDN", role="LDSO")
    assert sorted(ldso.distributor_ids.values_list("code", flat=True)) == ["10", "11", "13"]


def test_imported_history_decides_the_status(tmp_path):
    run(write(tmp_path, [HEADER, *ROWS]))
    supplier = MarketParticipation.objects.get(mpid="NLSP", role="SUPPLIER")
    assert not participation_status(participation=supplier, on=dt.date(2025, 9, 14)).operational
    assert participation_status(participation=supplier, on=dt.date(2025, 9, 15)).operational
    ldso = MarketParticipation.objects.get(mpid="GRDN", role="LDSO")
    assert not participation_status(participation=ldso, on=dt.date(2026, 1, 5)).operational


def test_a_later_file_adds_only_what_is_new(tmp_path):
    run(write(tmp_path, [HEADER, *ROWS]))
    output = run(write(tmp_path, [HEADER, *ROWS, "Grid North plc,GRDN,LDSO,REINSTATED,2026-02-01,"], "more.csv"))
    assert "0 participation(s) and 1 event(s) created; 6 event(s) were already recorded" in output


def test_participation_without_event_is_registered(tmp_path):
    run(write(tmp_path, [HEADER, "Grid South,GRDS,LDSO,,,20"]))
    ldso = MarketParticipation.objects.get(mpid="GRDS", role="LDSO")
    assert list(ldso.distributor_ids.values_list("code", flat=True)) == ["20"]
    assert not ldso.register_events.exists()


def test_names_and_codes_are_matched_leniently(tmp_path):
    organisation_create(actor=system_actor(), name="Northern Lights Supply")
    run(write(tmp_path, [HEADER, " northern lights supply , nlsp , supplier , qualified , 2025-09-01 , "]))
    assert Organisation.objects.count() == 1
    assert MarketParticipation.objects.get(mpid="NLSP", role="SUPPLIER").register_events.count() == 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("Acme,ACME,RETAILER,QUALIFIED,2025-01-01,", "row 2 (line 3), column role: 'RETAILER' is not one of"),
        ("Acme,ACME,SUPPLIER,APPROVED,2025-01-01,", "row 2 (line 3), column event: 'APPROVED' is not one of"),
        ("Acme,ACME,SUPPLIER,QUALIFIED,01/02/2025,", "column date: '01/02/2025' is not a date as YYYY-MM-DD"),
        ("Acme,ACME,SUPPLIER,QUALIFIED,2025-02-29,", "column date: '2025-02-29' is not a calendar date"),
        ("Acme,ACME,SUPPLIER,QUALIFIED,1999-12-31,", "column date: 1999-12-31 is outside 2000-01-01..2100-12-31"),
        ("Acme,ACME,SUPPLIER,QUALIFIED,,", "column date: an event needs a date"),
        ("Acme,AC,SUPPLIER,QUALIFIED,2025-01-01,", "column mpid: 'AC' is not an MPID"),
        (",ACME,SUPPLIER,QUALIFIED,2025-01-01,", "column organisation: empty"),
        ("Acme,ACME,SUPPLIER,QUALIFIED,2025-01-01,10", "column distributor_ids: only an LDSO holds distributor ids"),
        ("Acme,ACME,LDSO,QUALIFIED,2025-01-01,1x", "column distributor_ids: 1x: a distributor id is two digits"),
        ("Other Org,NLSP,SUPPLIER,REVOKED,2025-12-01,", "column organisation: NLSP SUPPLIER is 'Northern Lights"),
        (
            "Acme,ACME,LDSO,QUALIFIED,2025-01-01,13",
            "row 6 (line 7), column distributor_ids: 13 is given to ACME on row 2",
        ),
        ("Acme,ACME,SUPPLIER,QUALIFIED,2025-01-01,,extra", "row 2 (line 3): 7 fields; the header has 6"),
    ],
)
def test_bad_row_names_row_and_column_and_imports_nothing(tmp_path, row, expected):
    lines = [HEADER, ROWS[0], row, *ROWS[1:]]
    errors = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_register", str(write(tmp_path, lines)), stdout=StringIO(), stderr=errors)
    assert expected in errors.getvalue()
    assert counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([HEADER + ",notes", ROWS[0] + ",x"], "column notes: unknown column"),
        (["organisation,mpid,role,event,date", "Acme,ACME,SUPPLIER,QUALIFIED,2025-01-01"], "distributor_ids: missing"),
        ([HEADER], "no rows; the file has a header only"),
        ([""], "the file is empty"),
    ],
)
def test_bad_file_is_refused(tmp_path, lines, expected):
    with pytest.raises(CommandError) as caught:
        call_command("import_register", str(write(tmp_path, lines)), stdout=StringIO(), stderr=StringIO())
    assert expected in str(caught.value)
    assert counts() == (0, 0, 0, 0, 0)


def test_distributor_id_of_another_ldso_in_the_database_is_refused(tmp_path):
    holder = organisation_create(actor=system_actor(), name="Holder")
    participation_create(actor=system_actor(), organisation=holder, mpid="HOLD", role="LDSO", distributor_ids=["10"])
    before = counts()
    with pytest.raises(CommandError, match="already belong to another LDSO"):
        call_command(
            "import_register",
            str(write(tmp_path, [HEADER, *ROWS])),
            reason="initial load for the test",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert counts() == before


def test_existing_ldso_is_not_given_new_distributor_ids(tmp_path):
    run(write(tmp_path, [HEADER, *ROWS]))
    with pytest.raises(CommandError, match="GRDN does not hold 14"):
        run(write(tmp_path, [HEADER, "Grid North plc,GRDN,LDSO,REVOKED,2026-03-01,14"], "moved.csv"))


def test_participation_registered_to_another_organisation_is_refused(tmp_path):
    run(write(tmp_path, [HEADER, *ROWS]))
    with pytest.raises(CommandError, match="NLSP SUPPLIER is registered to 'Northern Lights Supply'"):
        run(write(tmp_path, [HEADER, "Someone Else,NLSP,SUPPLIER,REVOKED,2026-03-01,"], "other.csv"))
    assert Organisation.objects.filter(name="Someone Else").count() == 0


def test_only_a_programme_administrator_may_import():
    assessor = system_actor("someone")
    outsider = type(assessor)(user_id=None, display_name="assessor", staff_role=StaffRole.BSC_ASSESSOR)
    with pytest.raises(NotAllowed):
        register_import(actor=outsider, text="\n".join([HEADER, *ROWS]), source_name="x.csv")


def test_service_reports_every_problem_with_row_and_column():
    text = "\n".join([HEADER, "Acme,ACME,RETAILER,QUALIFIED,2025-01-01,", "Acme,ACME,SUPPLIER,NOPE,bad,"])
    with pytest.raises(ValidationFailed) as caught:
        register_import(actor=system_actor(), text=text, source_name="x.csv")
    problems = caught.value.details["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(1, "role"), (2, "event"), (2, "date")]


def test_an_import_is_audited_as_one_event_naming_the_file_and_its_hash(tmp_path):
    import hashlib

    from qualify.audit.services import verify_chain

    path = write(tmp_path, [HEADER, *ROWS])
    run(path)
    summary = AuditEvent.objects.get(action="register.import")
    digest = hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
    assert (summary.object_id, summary.object_repr) == (digest, "register.csv")
    assert summary.changes["sha256"] == digest
    assert summary.changes["events_created"] == 6
    assert summary.changes["organisations_created"] == 2
    seqs = sorted(RegisterEvent.objects.values_list("seq", flat=True))
    assert summary.changes["event_seqs"] == [seqs[0], seqs[-1]]
    assert not AuditEvent.objects.filter(action="register.event.record").exists()
    # It is the last event: the organisations and participations the import created are chained before it.
    assert AuditEvent.objects.order_by("-seq").first() == summary
    assert list(verify_chain()) == []
    before = AuditEvent.objects.count()
    run(path)  # changes nothing, so records nothing
    assert AuditEvent.objects.count() == before
