"""What the generator's modules share: names for the enumerations, UK time, a stand-in PDF, and who is who."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from qualify.assessment.models import (
    Finding,
    Query,
)
from qualify.cases.choices import CaseState
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.roles import MembershipRole
from qualify.participants.choices import MarketRole
from qualify.qad.models import (
    QadResponse,
)

S = CaseState
R = MarketRole
UK = ZoneInfo("Europe/London")
RESPONSE_TYPE = QadResponse._meta.label_lower
CASE_ACTION = QualificationCase._meta.label_lower  # "cases.qualificationcase", as the engine names case steps
QUERY_ACTION = Query._meta.label_lower
FINDING_ACTION = Finding._meta.label_lower
CHECKLIST = "service activation checklist"  # the actor name the checklist moves cases under (activation service)


def uk_at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UK).astimezone(dt.UTC)


def small_pdf(title: str) -> bytes:
    """A minimal, well-formed one-page PDF standing in for a real evidence document."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n"
        + f"4 0 obj << /Length {len(stream)} >> stream\n".encode()
        + stream
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


EXIT_NOTES: dict[str, str] = {
    S.WITHDRAWN: "Withdrawn: the company is leaving this market role and will not migrate metering points.",
    S.DEFERRED: "Deferred to a later wave at the participant's request: its PIT environment is not ready.",
    S.NON_COMPLETION: "Annex 4: qualification not completed in line with the plan; the sanction process is opened.",
}


# --- who is there ----------------------------------------------------------------------------------------------------


@dataclass
class Cast:
    """The staff the frame created through the services (bench/scale.py), as actors."""

    system: Actor
    admins: list[Actor]
    assessors: dict[str, list[Actor]]  # body -> that body's assessors
    board: dict[str, list[Actor]]  # approving body -> its own decision-makers (DIP Manager, BSC PAB, REC)


@dataclass(frozen=True)
class Meeting:
    id: int
    reference: str
    body: str
    meets_on: dt.date


@dataclass
class Person:
    id: int
    email: str
    full_name: str
    role: str
    actor: Actor


@dataclass
class Org:
    id: int
    uuid: uuid_mod.UUID
    name: str
    domain: str
    people: list[Person] = field(default_factory=list)

    @property
    def lead(self) -> Person:
        return next(p for p in self.people if p.role == MembershipRole.LEAD)

    @property
    def editor_ids(self) -> list[int]:
        """``assessment.rules.participant_editors``: its leads and contributors."""
        return sorted(p.id for p in self.people if p.role in (MembershipRole.LEAD, MembershipRole.CONTRIBUTOR))


@dataclass
class Participation:
    id: int
    uuid: uuid_mod.UUID
    org: Org
    mpid: str
    role: str
    route: str
    wave: str
    state: str
    exit_from: str | None
    with_queries: bool
    conditional_finding: bool
    smart_exemption: bool
