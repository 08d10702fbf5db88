"""Bulk onboarding from a CSV or Excel file: organisations, their market participations, a case for each, and an
invitation to each organisation's lead (issue 13).

A file is first *planned*: every row is checked (problems named by row and column, all at once) and turned into what
applying it would create or change. Applying plans the file again and carries the plan out in one transaction, all or
nothing; a row that is already in place changes nothing, so applying the same file twice is harmless. Files are
bounded (``MAX_BYTES``, ``MAX_ROWS``); cells holding NUL or starting like a spreadsheet formula are refused.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from openpyxl import Workbook, load_workbook

from qualify.cases.models import QualificationCase
from qualify.cases.services import case_open
from qualify.core.actor import Actor
from qualify.core.csvimport import Problem, import_failed, parse_date, read_csv_rows
from qualify.core.errors import ValidationFailed
from qualify.core.roles import MembershipRole
from qualify.participants.choices import MarketRole, Route
from qualify.participants.models import DistributorId, MarketParticipation, Membership, Organisation
from qualify.participants.services import (
    organisation_create,
    organisation_update,
    participation_create,
    participation_update,
)
from qualify.plan.models import Wave
from qualify.programme.models import Invitation
from qualify.programme.permissions import can_onboard
from qualify.programme.services.invitations import invitation_send
from qualify.programme.text import bounded

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
REQUIRED = ("organisation", "mpid", "role", "route")
OPTIONAL = (
    "company_number",
    "contact_email",
    "new_entrant",
    "distributor_ids",
    "lead_name",
    "lead_email",
    "wave",
    "target_migration_date",
)
COLUMNS = (*REQUIRED[:1], *OPTIONAL[:2], *REQUIRED[1:], *OPTIONAL[2:])
EXAMPLE = {
    "organisation": "Example Energy Ltd",
    "company_number": "01234567",
    "contact_email": "qualification@example.test",
    "mpid": "EXEN",
    "role": "SUPPLIER",
    "route": "QT",
    "new_entrant": "no",
    "distributor_ids": "",
    "lead_name": "Alex Example",
    "lead_email": "alex@example.test",
    "wave": "W1",
    "target_migration_date": "2026-09-01",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


@dataclass
class PlannedRow:
    """One row of the file and what applying it does (``actions`` in words; empty when it is all in place)."""

    row: int
    organisation: str
    mpid: str
    role: str
    actions: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    rows: list[PlannedRow]
    problems: list[Problem]

    @property
    def changes(self) -> int:
        return sum(len(r.actions) for r in self.rows)


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE[c] for c in COLUMNS])
    return out.getvalue()


def template_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Onboarding"
    sheet.append(list(COLUMNS))
    sheet.append([EXAMPLE[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _is_workbook(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return str(value.date().isoformat())
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _workbook_rows(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return [], [Problem(None, None, "not a readable Excel workbook (.xlsx)")]
    sheet = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    width = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)):
        cells = [_cell(v) for v in values]
        if number == 0:
            while cells and not cells[-1]:
                cells.pop()
            width = len(cells)
            writer.writerow(cells)
        elif any(cells):
            # A sheet's rows run as wide as its widest; cells past the header count only if they hold something.
            extra = [c for c in cells[width:] if c]
            writer.writerow(cells[:width] + ([""] * (width - len(cells))) + extra)
    book.close()
    return read_csv_rows(out.getvalue(), REQUIRED, OPTIONAL)


def read_rows(data: bytes, source_name: str = "file") -> list[tuple[int, dict[str, str]]]:
    """The file's rows (CSV in UTF-8, or the first sheet of an .xlsx), or ValidationFailed naming every problem."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            f"{source_name} is larger than {MAX_BYTES // 1024} KB; split it.", details={"file": "too_large"}
        )
    if _is_workbook(data):
        rows, problems = _workbook_rows(data)
    elif b"\x00" in data:
        raise import_failed(source_name, [Problem(None, None, "the file holds NUL characters; it is not a CSV")])
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise import_failed(source_name, [Problem(None, None, "not UTF-8 text; save the CSV as UTF-8")]) from None
        rows, problems = read_csv_rows(text, REQUIRED, OPTIONAL)
    if len(rows) > MAX_ROWS:
        problems.append(Problem(None, None, f"{len(rows)} rows; at most {MAX_ROWS} a file"))
    for number, cells in rows:
        for column, value in cells.items():
            if "\x00" in value:
                problems.append(Problem(number, column, "holds a NUL character"))
            elif value.startswith(FORMULA_START):
                problems.append(Problem(number, column, "starts like a spreadsheet formula (= + - @); not accepted"))
    if problems:
        raise import_failed(source_name, problems)
    return rows


def _codes(text: str) -> list[str]:
    return sorted({c.strip() for c in text.replace(";", ",").split(",") if c.strip()})


def _details_differ(org: Organisation, company: str, contact: str) -> bool:
    """Whether a row gives a company number or contact that the organisation does not have (empty cells keep)."""
    return bool((company and company != org.company_number) or (contact and contact != org.contact_email))


def plan_rows(rows: Iterable[tuple[int, dict[str, str]]]) -> Plan:
    """What applying these rows would do, checked against the file itself and the database (read only)."""
    rows = list(rows)
    problems: list[Problem] = []
    planned: list[PlannedRow] = []
    names = {bounded(c["organisation"], 200).lower() for _, c in rows}
    orgs = {o.name.lower(): o for o in Organisation.objects.all() if o.name.lower() in names}
    mpids = {c["mpid"].strip().upper() for _, c in rows}
    parts = {
        (p.mpid, p.role): p
        for p in MarketParticipation.objects.filter(mpid__in=mpids)
        .select_related("organisation")
        .prefetch_related("distributor_ids")
    }
    cases = set(
        QualificationCase.objects.filter(participation__in=parts.values()).values_list("participation_id", flat=True)
    )
    waves = {w.code: w for w in Wave.objects.all()}
    owners = dict(DistributorId.objects.values_list("code", "participation__mpid"))
    members = set(
        Membership.objects.filter(organisation__in=orgs.values()).values_list("organisation_id", "user__email")
    )
    pending = set(
        Invitation.objects.filter(
            organisation__in=orgs.values(), accepted_at__isnull=True, withdrawn_at__isnull=True
        ).values_list("organisation_id", "email")
    )
    seen_parts: dict[tuple[str, str], int] = {}
    seen_codes: dict[str, int] = {}
    org_details: dict[str, tuple[int, str, str]] = {}
    invited: set[tuple[str, str]] = set()
    for number, cells in rows:
        here: list[Problem] = []
        name = bounded(cells["organisation"], 200)
        mpid = cells["mpid"].strip().upper()
        role = cells["role"].strip().upper()
        route = cells["route"].strip().upper()
        if not name:
            here.append(Problem(number, "organisation", "required"))
        if len(mpid) != 4 or not mpid.isalnum() or not mpid.isascii():
            here.append(Problem(number, "mpid", f"{cells['mpid']!r} is not an MPID (four capital letters)"))
        if role not in MarketRole.values:
            here.append(Problem(number, "role", f"{cells['role']!r} is not one of {', '.join(MarketRole.values)}"))
        if route not in Route.values:
            here.append(Problem(number, "route", f"{cells['route']!r} is not one of {', '.join(Route.values)}"))
        entrant_text = cells["new_entrant"].strip().lower()
        if entrant_text not in YES | NO:
            here.append(Problem(number, "new_entrant", "yes or no"))
        new_entrant = entrant_text in YES
        codes = _codes(cells["distributor_ids"])
        if any(len(c) != 2 or not c.isdigit() for c in codes):
            here.append(Problem(number, "distributor_ids", "two digits each, separated by ';'"))
        elif codes and role != MarketRole.LDSO:
            here.append(Problem(number, "distributor_ids", "only an LDSO holds distributor ids"))
        for code in codes:
            if code in seen_codes:
                here.append(Problem(number, "distributor_ids", f"{code} is also on row {seen_codes[code]}"))
            elif owners.get(code) not in (None, mpid):
                here.append(Problem(number, "distributor_ids", f"{code} belongs to {owners[code]}"))
            seen_codes.setdefault(code, number)
        lead_email = cells["lead_email"].strip().lower()
        lead_name = bounded(cells["lead_name"], 200)
        if lead_email:
            try:
                validate_email(lead_email)
            except DjangoValidationError:
                here.append(Problem(number, "lead_email", f"{lead_email!r} is not an e-mail address"))
            if not lead_name:
                here.append(Problem(number, "lead_name", "required with lead_email"))
        contact = cells["contact_email"].strip().lower()
        if contact:
            try:
                validate_email(contact)
            except DjangoValidationError:
                here.append(Problem(number, "contact_email", f"{contact!r} is not an e-mail address"))
        wave_code = cells["wave"].strip().upper()
        if wave_code and wave_code not in waves:
            here.append(Problem(number, "wave", f"no wave {wave_code}"))
        target = parse_date(cells["target_migration_date"]) if cells["target_migration_date"] else None
        if isinstance(target, str):
            here.append(Problem(number, "target_migration_date", target))
        key = (mpid, role)
        if key in seen_parts:
            here.append(Problem(number, "mpid", f"{mpid} {role} is also on row {seen_parts[key]}"))
        seen_parts.setdefault(key, number)
        existing = parts.get(key)
        if existing is not None and existing.organisation.name.lower() != name.lower():
            here.append(Problem(number, "mpid", f"{mpid} {role} belongs to {existing.organisation.name}"))
        details = (number, bounded(cells["company_number"], 20), contact)
        earlier = org_details.get(name.lower())
        if earlier and any(e and d and e != d for e, d in zip(earlier[1:], details[1:], strict=True)):
            here.append(Problem(number, "organisation", f"details differ from row {earlier[0]} for {name}"))
        org_details.setdefault(name.lower(), details)
        if here:
            problems += here
            continue
        item = PlannedRow(number, name, mpid, role, cells=dict(cells))
        org = orgs.get(name.lower())
        first_for_org = earlier is None
        if first_for_org and org is None:
            item.actions.append(f"create organisation {name}")
        elif first_for_org and org is not None and _details_differ(org, details[1], contact):
            item.actions.append(f"update {name}'s company number or contact")
        if existing is None:
            item.actions.append(f"register {mpid} {MarketRole(role).label} ({Route(route).label})")
            item.actions.append(f"open a case{' in ' + wave_code if wave_code else ''}")
        else:
            before_codes = sorted(d.code for d in existing.distributor_ids.all())
            if existing.route != route or existing.is_new_entrant != new_entrant or before_codes != codes:
                item.actions.append(f"update {mpid} {MarketRole(role).label}: route, new entrant or distributor ids")
            if existing.pk not in cases:
                item.actions.append(f"open a case{' in ' + wave_code if wave_code else ''}")
        org_id = org.pk if org else None
        invite_key = (name.lower(), lead_email)
        already = (org_id, lead_email) in members or (org_id, lead_email) in pending or invite_key in invited
        if lead_email and not already:
            item.actions.append(f"invite {lead_email} as qualification lead")
            invited.add(invite_key)
        planned.append(item)
    return Plan(rows=planned, problems=problems)


def onboarding_preview(*, actor: Actor, data: bytes, source_name: str = "file") -> Plan:
    """Check a file and say what applying it would do; changes nothing."""
    can_onboard(actor).enforce()
    return plan_rows(read_rows(data, source_name))


@dataclass(frozen=True)
class Applied:
    rows: int
    changes: int
    actions: list[str]


@transaction.atomic
def onboarding_apply(*, actor: Actor, data: bytes, source_name: str = "file") -> Applied:
    """Apply a file, all or nothing: refused whole (naming every problem) if any row is wrong."""
    can_onboard(actor).enforce()
    plan = plan_rows(read_rows(data, source_name))
    if plan.problems:
        raise import_failed(source_name, plan.problems)
    waves = {w.code: w for w in Wave.objects.all()}
    done: list[str] = []
    for item in plan.rows:
        if not item.actions:
            continue
        cells = item.cells
        org = Organisation.objects.filter(name__iexact=item.organisation).first()
        company, contact = bounded(cells["company_number"], 20), cells["contact_email"].strip().lower()
        if org is None:
            org = organisation_create(
                actor=actor, name=item.organisation, company_number=company, contact_email=contact
            )
        elif _details_differ(org, company, contact):
            org = organisation_update(
                actor=actor,
                organisation=org,
                name=org.name,
                company_number=company or org.company_number,
                contact_email=contact or org.contact_email,
            )
        route = cells["route"].strip().upper()
        new_entrant = cells["new_entrant"].strip().lower() in YES
        codes = _codes(cells["distributor_ids"])
        participation = MarketParticipation.objects.filter(mpid=item.mpid, role=item.role).first()
        if participation is None:
            participation = participation_create(
                actor=actor,
                organisation=org,
                mpid=item.mpid,
                role=item.role,
                route=route,
                is_new_entrant=new_entrant,
                distributor_ids=codes,
            )
        else:
            participation = participation_update(
                actor=actor, participation=participation, route=route, is_new_entrant=new_entrant, distributor_ids=codes
            )
        if not QualificationCase.objects.filter(participation=participation).exists():
            target = parse_date(cells["target_migration_date"]) if cells["target_migration_date"] else None
            case_open(
                actor=actor,
                participation=participation,
                wave=waves.get(cells["wave"].strip().upper()),
                target_migration_date=target if not isinstance(target, str) else None,
            )
        lead_email = cells["lead_email"].strip().lower()
        if lead_email:
            is_member = Membership.objects.filter(organisation=org, user__email=lead_email).exists()
            is_pending = Invitation.objects.filter(
                organisation=org, email=lead_email, accepted_at__isnull=True, withdrawn_at__isnull=True
            ).exists()
            if not is_member and not is_pending:
                invitation_send(
                    actor=actor,
                    organisation=org,
                    email=lead_email,
                    full_name=cells["lead_name"],
                    role=MembershipRole.LEAD,
                )
        done += [f"row {item.row}: {a}" for a in item.actions]
    return Applied(rows=len(plan.rows), changes=len(done), actions=done)


def rows_as_csv(plan: Plan) -> str:
    """The planned rows as a CSV in the template's columns: what the preview page hands back to be applied."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in plan.rows:
        writer.writerow([item.cells.get(c, "") for c in COLUMNS])
    return out.getvalue()
