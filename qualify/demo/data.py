"""The demo market as data: milestones, waves, organisations, people and where each case stands.

Every name and company here is invented; MPIDs are four made-up letters. Milestone names and dates follow the
published plan (DOMAIN.md §7); where only a month is published the day is ours and ``date_note`` says so. The first
two waves are history with fixed dates; the later waves are dated relative to the day the demo is loaded, so the demo
always has overdue and upcoming deadlines whenever it is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from qualify.cases.choices import CaseState
from qualify.core.roles import MembershipRole, StaffRole
from qualify.participants.choices import ExemptionKind, MarketRole, Route
from qualify.plan.choices import DeadlineKind, MilestoneMeaning, Segment

S = CaseState
R = MarketRole
D = DeadlineKind

# One address marks the demo as loaded: the programme administrator's login.
DEMO_EMAIL_DOMAIN = "demo.example"
MARKER_EMAIL = f"programme.admin@{DEMO_EMAIL_DOMAIN}"
DEFAULT_PASSWORD = "demo-password-2026"  # noqa: S105  (published on purpose: demo logins on a local machine)
SITE_URL = "http://127.0.0.1:8000/"


# --- Plan -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneMove:
    """A recorded move of a milestone's date by a change request."""

    change_request: str
    approved_on: dt.date
    new_date: dt.date
    reason: str


@dataclass(frozen=True)
class MilestoneSpec:
    code: str
    name: str
    date: dt.date | None  # the date first recorded; ``move`` (if any) then moves it
    meaning: str = MilestoneMeaning.NONE
    segments: tuple[str, ...] = ()
    description: str = ""
    date_note: str = ""
    sequence: int = 0
    move: MilestoneMove | None = None


MILESTONES: tuple[MilestoneSpec, ...] = (
    MilestoneSpec(
        "M8",
        "Code changes live (BSC and REC)",
        dt.date(2025, 9, 22),
        sequence=8,
        description="The BSC and REC changes for MHHS take effect.",
    ),
    MilestoneSpec(
        "M10",
        "Central systems ready to migrate metering points",
        dt.date(2025, 3, 10),
        sequence=10,
        description="Central systems and the DIP are ready for metering points to migrate.",
        date_note="Sep 2025; M10 approved 24 Sep 2025",
        move=MilestoneMove(
            change_request="CR055",
            approved_on=dt.date(2024, 11, 29),
            new_date=dt.date(2025, 9, 24),
            reason="CR055 re-plan moved M10 by six and a half months (the earlier day, 10 Mar 2025, is assumed).",
        ),
    ),
    MilestoneSpec(
        "M11",
        "Migration opens for Unmetered and Advanced metering points",
        dt.date(2025, 10, 6),
        sequence=11,
        meaning=MilestoneMeaning.MIGRATION_START,
        segments=(Segment.ADVANCED, Segment.UMS),
        description="Start of the 18-month migration period for UMS and Advanced metering points.",
        date_note="Oct 2025, day assumed",
    ),
    MilestoneSpec(
        "M12",
        "Migration opens for Smart and non-smart metering points",
        dt.date(2025, 10, 20),
        sequence=12,
        meaning=MilestoneMeaning.MIGRATION_START,
        segments=(Segment.SMART,),
        date_note="Oct 2025, day assumed",
    ),
    MilestoneSpec(
        "M13",
        "Load shaping service switched on",
        dt.date(2025, 9, 29),
        sequence=13,
        date_note="Sep 2025, day assumed",
    ),
    MilestoneSpec(
        "M14",
        "Every Supplier MHHS qualified; reverse migration ends",
        dt.date(2026, 10, 28),
        sequence=14,
        meaning=MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED,
        description="From M14 only qualified Suppliers may register metering points.",
        date_note="as reported",
    ),
    MilestoneSpec(
        "M15",
        "Full transition complete: no metering point left in legacy",
        None,
        sequence=15,
        meaning=MilestoneMeaning.MIGRATION_END,
        date_note="Not published after CR055; migration sprints run to May 2027",
    ),
    MilestoneSpec(
        "M16",
        "Cut-over to the new settlement timetable",
        dt.date(2027, 7, 5),
        sequence=16,
        date_note="Jul 2027, day assumed",
    ),
)


@dataclass(frozen=True)
class WaveSpec:
    """A wave. A deadline is a fixed date, or a number of days from the day the demo is loaded."""

    code: str
    name: str
    description: str
    sequence: int
    deadlines: dict[str, dt.date | int]

    def dates(self, today: dt.date) -> dict[str, dt.date]:
        return {
            kind: value if isinstance(value, dt.date) else today + dt.timedelta(days=value)
            for kind, value in self.deadlines.items()
        }


WAVES: tuple[WaveSpec, ...] = (
    WaveSpec(
        "W1",
        "W1 — LDSOs",
        "Every LDSO qualified before migration opens.",
        1,
        {
            D.PRE_QUALIFICATION: dt.date(2024, 6, 28),
            D.PIT_START: dt.date(2024, 7, 15),
            D.PIT_EXIT: dt.date(2024, 10, 31),
            D.INITIAL_QAD: dt.date(2024, 12, 13),
            D.QT_START: dt.date(2025, 1, 13),
            D.QT_END: dt.date(2025, 5, 30),
            D.FINAL_QAD: dt.date(2025, 6, 27),
            D.TARGET_BOARD: dt.date(2025, 7, 24),
        },
    ),
    WaveSpec(
        "W2",
        "W2 — Suppliers and agents (M10 ready)",
        "Suppliers and agents ready when central systems are (M10).",
        2,
        {
            D.PRE_QUALIFICATION: dt.date(2024, 10, 4),
            D.PIT_START: dt.date(2024, 11, 4),
            D.PIT_EXIT: dt.date(2025, 2, 28),
            D.INITIAL_QAD: dt.date(2025, 3, 28),
            D.QT_START: dt.date(2025, 4, 28),
            D.QT_END: dt.date(2025, 7, 11),
            D.FINAL_QAD: dt.date(2025, 8, 1),
            D.TARGET_BOARD: dt.date(2025, 8, 28),
        },
    ),
    WaveSpec(
        "W3",
        "W3 — Suppliers and agents (migration wave A)",
        "Qualifies during migration; demo dates are relative to the day the demo was loaded.",
        3,
        {
            D.PRE_QUALIFICATION: -420,
            D.PIT_START: -390,
            D.PIT_EXIT: -320,
            D.INITIAL_QAD: -280,
            D.QT_START: -240,
            D.QT_END: -150,
            D.FINAL_QAD: -110,
            D.TARGET_BOARD: -60,
        },
    ),
    WaveSpec(
        "W4",
        "W4 — Suppliers and agents (migration wave B)",
        "In testing now; demo dates are relative to the day the demo was loaded.",
        4,
        {
            D.PRE_QUALIFICATION: -240,
            D.PIT_START: -210,
            D.PIT_EXIT: -150,
            D.INITIAL_QAD: -100,
            D.QT_START: -60,
            D.QT_END: 20,
            D.FINAL_QAD: 45,
            D.TARGET_BOARD: 90,
        },
    ),
    WaveSpec(
        "W5",
        "W5 — New entrants and late joiners",
        "Enduring route for new entrants and deferred cases; demo dates are relative to the load day.",
        5,
        {
            D.PRE_QUALIFICATION: -14,
            D.PIT_START: 21,
            D.PIT_EXIT: 80,
            D.INITIAL_QAD: 110,
            D.QT_START: 140,
            D.QT_END: 210,
            D.FINAL_QAD: 240,
            D.TARGET_BOARD: 280,
        },
    ),
)


# --- People -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSpec:
    key: str
    email: str
    full_name: str
    staff_role: str
    is_staff: bool = False


STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("bsc", f"bsc.assessor@{DEMO_EMAIL_DOMAIN}", "Morag Ellison", StaffRole.BSC_ASSESSOR),
    StaffSpec("rec", f"rec.assessor@{DEMO_EMAIL_DOMAIN}", "Tomasz Wilk", StaffRole.REC_ASSESSOR),
    StaffSpec("dip", f"dip.assessor@{DEMO_EMAIL_DOMAIN}", "Aisha Bello", StaffRole.DIP_ASSESSOR),
    StaffSpec("board", f"board.member@{DEMO_EMAIL_DOMAIN}", "Graham Oduya", StaffRole.BOARD_MEMBER),
    StaffSpec("admin", MARKER_EMAIL, "Helen Marsh", StaffRole.PROGRAMME_ADMIN, is_staff=True),
    StaffSpec("auditor", f"auditor@{DEMO_EMAIL_DOMAIN}", "Victor Lindqvist", StaffRole.AUDITOR),
)
MACHINE = StaffSpec(
    "machine", f"market.system@{DEMO_EMAIL_DOMAIN}", "Registration system (demo)", StaffRole.MARKET_SYSTEM
)
MACHINE_TOKEN_NAME = "Demo market system"  # noqa: S105  (a token's label, not its secret)


# --- Organisations, participations and where each case stands ------------------------------------------------------


@dataclass(frozen=True)
class QueryTheme:
    """A query a body raises on one QAD question, and (for a query that runs its course) the answer and the close."""

    body: str
    question_id: str
    text: str
    answer: str = ""
    close: str = ""


@dataclass(frozen=True)
class OpenQuerySpec:
    """A query the demo leaves open: owed by the participant (due ``due_in_days`` from the load day) or, with an
    ``answer``, answered and waiting on the reviewer."""

    theme: QueryTheme
    due_in_days: int = 10
    answered: bool = False


@dataclass(frozen=True)
class ParticipationSpec:
    """One (MPID, role) and the state the demo leaves its case in.

    ``exit_from`` is the state a withdrawn, deferred or non-completion case left from; ``note`` is the reason given.
    ``open_queries`` are the queries a case in clarification is left with; ``decided_by`` the approving bodies that
    have already decided on a case awaiting approval; ``conditional_finding`` makes its finding a condition of the
    BSC's approval.
    """

    mpid: str
    role: str
    route: str
    wave: str | None
    state: str
    distributor_ids: tuple[str, ...] = ()
    exit_from: str | None = None
    note: str = ""
    deferred_to: str | None = None
    open_queries: tuple[OpenQuerySpec, ...] = ()
    decided_by: tuple[str, ...] = ()
    conditional_finding: bool = False


@dataclass(frozen=True)
class ExemptionSpec:
    mpid: str
    role: str
    kind: str
    scope: str
    reference: str


@dataclass(frozen=True)
class OrganisationSpec:
    """A participant company. ``lead`` names its qualification lead; ``team`` gives it demo logins."""

    name: str
    domain: str
    lead: str
    participations: tuple[ParticipationSpec, ...]
    team: dict[str, str] = field(default_factory=dict)  # MembershipRole -> full name, for the demo logins
    exemptions: tuple[ExemptionSpec, ...] = ()

    @property
    def company_number(self) -> str:
        # Visibly not a Companies House number, so nobody mistakes a demo company for a real one.
        return f"DEMO{sum(map(ord, self.domain)) % 10000:04d}"


def P(  # a short name: each call reads as a row of the table below
    mpid: str, role: str, route: str, wave: str | None, state: str, *ids: str, **kw: Any
) -> ParticipationSpec:
    return ParticipationSpec(mpid=mpid, role=role, route=route, wave=wave, state=state, distributor_ids=ids, **kw)


SIT, QT, NEW = Route.SIT, Route.QT, Route.NEW_ENTRANT

ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    # Distribution network operators: the fourteen GSP-group distributor ids 10-23, each held by one LDSO.
    OrganisationSpec(
        "Eastmarch Distribution plc",
        "eastmarch.example",
        "Rhiannon Pryce",
        (
            P("EMRA", R.LDSO, SIT, "W1", S.ACTIVE, "10"),
            P("EMRC", R.LDSO, SIT, "W1", S.ACTIVE, "12"),
            P("EMRJ", R.LDSO, SIT, "W1", S.ACTIVE, "19"),
        ),
        team={MembershipRole.CONTRIBUTOR: "Callum Dunmore", MembershipRole.VIEWER: "Esme Thornbury"},
    ),
    OrganisationSpec(
        "Midshire Networks Ltd",
        "midshire.example",
        "Owen Talbot",
        (P("MSHB", R.LDSO, SIT, "W1", S.ACTIVE, "11"), P("MSHE", R.LDSO, SIT, "W1", S.ACTIVE, "14")),
    ),
    OrganisationSpec(
        "Cambria and Mersey Power Distribution",
        "cambriamersey.example",
        "Siân Howells",
        (P("CMPD", R.LDSO, SIT, "W1", S.ACTIVE, "13"), P("CMPN", R.LDSO, SIT, "W1", S.ACTIVE, "21")),
    ),
    OrganisationSpec(
        "Northumbrian Wires Ltd",
        "northumbrianwires.example",
        "Peter Armstrong",
        (P("NWRF", R.LDSO, QT, "W1", S.ACTIVE, "15"), P("NWRP", R.LDSO, QT, "W1", S.ACTIVE, "23")),
    ),
    OrganisationSpec(
        "Pennine Electricity Networks",
        "pennine-networks.example",
        "Alison Greaves",
        (P("PENG", R.LDSO, SIT, "W1", S.ACTIVE, "16"),),
    ),
    OrganisationSpec(
        "Caledon Power Distribution",
        "caledon.example",
        "Fraser McAllister",
        (P("CALH", R.LDSO, SIT, "W1", S.ACTIVE, "17"), P("CALJ", R.LDSO, SIT, "W1", S.ACTIVE, "18")),
    ),
    OrganisationSpec(
        "Severn Vale Distribution",
        "severnvale.example",
        "Gareth Morgan",
        (P("SVDL", R.LDSO, QT, "W1", S.ACTIVE, "20"), P("SVDN", R.LDSO, QT, "W1", S.ACTIVE, "22")),
    ),
    # Independent network operators: distributor ids 24 and up.
    OrganisationSpec(
        "Brightline Independent Networks",
        "brightline-idno.example",
        "Naomi Kessler",
        (P("BRIN", R.LDSO, QT, "W2", S.QUALIFIED, "24"),),
    ),
    OrganisationSpec(
        "Parkway Utilities Distribution",
        "parkway-utilities.example",
        "Imran Qureshi",
        # A new entrant (Annex 3): it starts after M10, so it may qualify after migration has opened.
        (P("PKWY", R.LDSO, NEW, "W3", S.AWAITING_APPROVAL, "25", decided_by=("DIP",)),),
    ),
    OrganisationSpec(
        "Newfield Connections Ltd",
        "newfield.example",
        "Harriet Lowe",
        (P("NFCL", R.LDSO, NEW, "W5", S.PREQUAL_SUBMITTED, "26"),),
    ),
    # Suppliers.
    OrganisationSpec(
        "Amberleaf Energy Ltd",
        "amberleaf.example",
        "Priya Raman",
        (P("AMBL", R.SUPPLIER, SIT, "W2", S.ACTIVE), P("AMBL", R.MEM, QT, "W4", S.TESTING)),
        team={MembershipRole.CONTRIBUTOR: "Dominic Achebe", MembershipRole.VIEWER: "Lucy Fairbairn"},
    ),
    OrganisationSpec(
        "Blackthorn Home Power",
        "blackthorn.example",
        "Martin Osei",
        (
            P("BKTH", R.SUPPLIER, SIT, "W2", S.ACTIVE),
            P("BKTB", R.SUPPLIER, QT, "W3", S.QUALIFIED, conditional_finding=True),
        ),
    ),
    OrganisationSpec(
        "Corriemoor Energy", "corriemoor.example", "Isla Buchanan", (P("CORR", R.SUPPLIER, QT, "W2", S.ACTIVE),)
    ),
    OrganisationSpec(
        "Dunmere Energy Supply",
        "dunmere.example",
        "Kwame Asante",
        (P("DUNM", R.SUPPLIER, QT, "W3", S.SERVICE_ACTIVATION),),
    ),
    OrganisationSpec(
        "Estuary Lane Energy", "estuarylane.example", "Joanna Pike", (P("ESTL", R.SUPPLIER, QT, "W3", S.ACTIVE),)
    ),
    OrganisationSpec(
        "Fallowfield Power", "fallowfield.example", "Declan Rourke", (P("FALW", R.SUPPLIER, QT, "W2", S.SUSPENDED),)
    ),
    OrganisationSpec(
        "Greywether Energy",
        "greywether.example",
        "Beatrix Hale",
        (
            P(
                "GRYW",
                R.SUPPLIER,
                QT,
                "W4",
                S.FINAL_CLARIFICATION,
                open_queries=(
                    OpenQuerySpec(
                        QueryTheme(
                            "BSC",
                            "Q-3.5",
                            "The work-off plan for the open defect on settlement message retries needs an owner and "
                            "a target date.",
                        ),
                        due_in_days=2,
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        "Hazelbrook Energy", "hazelbrook.example", "Samuel Okafor", (P("HAZB", R.SUPPLIER, QT, "W4", S.TESTING),)
    ),
    OrganisationSpec(
        "Ironmarsh Business Energy",
        "ironmarsh.example",
        "Caroline Voss",
        (P("IRNM", R.SUPPLIER, QT, "W3", S.ACTIVE),),
        exemptions=(
            ExemptionSpec(
                "IRNM",
                R.SUPPLIER,
                ExemptionKind.SMART_SEGMENT,
                "Advanced-only Supplier: smart-segment QAD questions (section 5.1.1) and smart-segment test cases "
                "removed from scope.",
                "BSC P476",
            ),
        ),
    ),
    OrganisationSpec(
        "Juniper Fold Energy",
        "juniperfold.example",
        "Ellen Tiernan",
        (
            P(
                "JUNF",
                R.SUPPLIER,
                QT,
                "W4",
                S.INITIAL_CLARIFICATION,
                open_queries=(
                    # Due on the load day: overdue from the next day on (a query cannot be raised already late).
                    OpenQuerySpec(
                        QueryTheme(
                            "DIP",
                            "Q-4.5.3",
                            "Please describe how DIP signing certificates are renewed before expiry, and by whom.",
                        ),
                        due_in_days=0,
                    ),
                    OpenQuerySpec(
                        QueryTheme(
                            "REC",
                            "Q-5.1.8",
                            "Your answer does not say how a registration of a migrated metering point is blocked "
                            "before you are qualified; please describe the control.",
                        ),
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        "Kittiwake Power", "kittiwake.example", "Rory Flanagan", (P("KITW", R.SUPPLIER, QT, "W4", S.AGREED),)
    ),
    OrganisationSpec(
        "Larkspur Household Energy",
        "larkspur.example",
        "Monica Adeyemi",
        (
            P(
                "LARK",
                R.SUPPLIER,
                QT,
                "W4",
                S.NON_COMPLETION,
                exit_from=S.TESTING,
                note="Not qualified by M14 and QT exit missed twice; Annex 4 notice issued, remediation plan due.",
            ),
        ),
    ),
    OrganisationSpec(
        "Mistlethrush Energy",
        "mistlethrush.example",
        "Trevor Lingard",
        (
            P(
                "MSTL",
                R.SUPPLIER,
                QT,
                "W4",
                S.WITHDRAWN,
                exit_from=S.PIT,
                note="Supply licence being surrendered; customers transfer under a trade sale.",
            ),
        ),
    ),
    OrganisationSpec(
        "Nettlebed Power Supply",
        "nettlebed.example",
        "Zara Whitcombe",
        (
            P(
                "NETB",
                R.SUPPLIER,
                QT,
                "W4",
                S.DEFERRED,
                exit_from=S.INITIAL_QAD_SUBMITTED,
                deferred_to="W5",
                note="Billing platform replacement slipped; QT cannot start in this wave. Deferred to W5.",
            ),
        ),
    ),
    OrganisationSpec(
        "Oxbow Valley Energy", "oxbowvalley.example", "Felix Brannigan", (P("OXBW", R.SUPPLIER, NEW, None, S.DRAFT),)
    ),
    OrganisationSpec(
        "Pebblecombe Energy", "pebblecombe.example", "Anya Petrova", (P("PEBC", R.SUPPLIER, QT, "W4", S.SIGNED),)
    ),
    OrganisationSpec(
        "Quarrybank Energy",
        "quarrybank.example",
        "Howard Ellery",
        (P("QRYB", R.SUPPLIER, QT, "W3", S.AWAITING_APPROVAL, conditional_finding=True),),
    ),
    OrganisationSpec(
        "Rushwick Energy Supply",
        "rushwick.example",
        "Grace Nakamura",
        (P("RUSH", R.SUPPLIER, QT, "W4", S.FINAL_QAD_SUBMITTED),),
    ),
    # Metering Equipment Managers.
    OrganisationSpec(
        "Tallyhouse Metering Services", "tallyhouse.example", "Neil Carver", (P("TLYH", R.MEM, SIT, "W2", S.ACTIVE),)
    ),
    OrganisationSpec(
        "Meterwright Ltd", "meterwright.example", "Paula Densmore", (P("MTRW", R.MEM, QT, "W3", S.ACTIVE),)
    ),
    OrganisationSpec(
        "Gauge and Dial Metering",
        "gaugeanddial.example",
        "Stefan Horvath",
        (P("GDMS", R.MEM, QT, "W4", S.INITIAL_QAD_SUBMITTED),),
    ),
    OrganisationSpec(
        "Quillon Meter Operations", "quillon.example", "Bethany Colquhoun", (P("QUIL", R.MEM, QT, "W5", S.SCOPED),)
    ),
    OrganisationSpec(
        "Fenreach Field Services", "fenreach.example", "Ravi Chandran", (P("FNRC", R.MEM, QT, "W5", S.PIT),)
    ),
    # Data services, several holding more than one role under one MPID.
    OrganisationSpec(
        "Sextant Data Services Ltd",
        "sextantdata.example",
        "Olivia Brennan",
        (
            P("SXTD", R.SDS, SIT, "W2", S.ACTIVE),
            P("SXTD", R.ADS, SIT, "W2", S.ACTIVE),
            P("SXTD", R.UMSDS, QT, "W3", S.QUALIFIED),
        ),
    ),
    OrganisationSpec(
        "Halyard Data Services", "halyard.example", "Marcus Ingleby", (P("HLYD", R.SDS, QT, "W4", S.TESTING),)
    ),
    OrganisationSpec(
        "Kilnworth Advanced Data", "kilnworth.example", "Yasmin Farouk", (P("KLNW", R.ADS, QT, "W3", S.ACTIVE),)
    ),
    OrganisationSpec(
        "Lampwick Unmetered Services", "lampwick.example", "George Pemberton", (P("LMPW", R.UMSDS, QT, "W2", S.ACTIVE),)
    ),
    OrganisationSpec(
        "Wayfarer Smart Data",
        "wayfarer.example",
        "Chloe Arkwright",
        (P("WYFR", R.SDS, QT, "W4", S.FINAL_QAD_SUBMITTED), P("WYFR", R.ADS, QT, "W5", S.SCOPED)),
    ),
    OrganisationSpec(
        "Vantage Metering and Data Ltd",
        "vantage-md.example",
        "Patrick Dolan",
        (
            P("VNTG", R.MEM, QT, "W3", S.ACTIVE),
            P("VNTG", R.SDS, QT, "W4", S.AGREED),
            P(
                "VNTG",
                R.ADS,
                QT,
                "W4",
                S.WITHDRAWN,
                exit_from=S.SCOPED,
                note="Advanced data services will be bought in from a qualified provider instead.",
            ),
        ),
    ),
    OrganisationSpec(
        "Yarrowby Energy Group",
        "yarrowby.example",
        "Hannah Castellano",
        (
            P("YRWB", R.SUPPLIER, SIT, "W2", S.ACTIVE),
            P("YRWN", R.SUPPLIER, QT, "W5", S.DRAFT),
            P(
                "YRWB",
                R.MEM,
                QT,
                "W4",
                S.INITIAL_CLARIFICATION,
                open_queries=(
                    OpenQuerySpec(
                        QueryTheme(
                            "REC",
                            "Q-6.2",
                            "The meter asset procedure referenced is a draft; please supply the approved version.",
                            answer="The approved meter asset procedure (v2.0, signed off by our operations board) is "
                            "uploaded against 6.2.",
                        ),
                        answered=True,
                    ),
                ),
            ),
        ),
    ),
)

# Organisations whose people get demo logins (a lead, a contributor and a viewer each).
LOGIN_ORGANISATIONS = tuple(o for o in ORGANISATIONS if o.team)

# The bodies whose approval a role needs (DOMAIN.md §2), quoted in the demo's approval comments.
APPROVING_BODIES: dict[str, str] = {
    R.SUPPLIER: "DIP Manager, BSC PAB and REC Code Manager",
    R.LDSO: "DIP Manager, BSC PAB and REC Code Manager",
    R.MEM: "DIP Manager and REC Code Manager",
    R.SDS: "DIP Manager and BSC PAB",
    R.ADS: "DIP Manager and BSC PAB",
    R.UMSDS: "DIP Manager and BSC PAB",
}


# The queries that run their course (raised, answered, closed before the QAD is resubmitted), by round and role.
_DATA_SERVICE_INITIAL = QueryTheme(
    "BSC",
    "Q-8.2",
    "QAD 8.2: please describe how estimates are replaced when actual half-hourly reads arrive late.",
    answer="Estimation and replacement procedure uploaded against 8.2, with the replacement timetable.",
    close="Replacement timetable meets the settlement standard. Closed.",
)
_FINAL_DEFECTS = QueryTheme(
    "BSC",
    "Q-3.5",
    "QAD 3.5: the work-off plan for the open defect on message retries needs an owner and a date.",
    answer="Owner (our head of IT operations) and target date added to the work-off plan.",
    close="Work-off plan now complete. Closed.",
)
ROUND_QUERIES: dict[str, dict[str, QueryTheme]] = {
    "INITIAL": {
        R.SUPPLIER: QueryTheme(
            "DIP",
            "Q-4.5.2",
            "QAD 4.5.2: please evidence how DIP connection failures are monitored and escalated out of hours.",
            answer="Monitoring runbook and out-of-hours escalation procedure uploaded against 4.5.2.",
            close="Runbook reviewed: alerting and escalation are clear. Closed.",
        ),
        R.LDSO: QueryTheme(
            "BSC",
            "Q-7.3",
            "QAD 7.3: please explain how line loss factors are validated before they are sent.",
            answer="Validation checks and the sign-off step are described in the procedure now attached to 7.3.",
            close="Validation and sign-off are adequate. Closed.",
        ),
        R.MEM: QueryTheme(
            "REC",
            "Q-6.2",
            "QAD 6.2: the meter asset procedure referenced is a draft; please supply the approved one.",
            answer="Approved meter asset procedure uploaded against 6.2.",
            close="Approved procedure received. Closed.",
        ),
        R.SDS: _DATA_SERVICE_INITIAL,
        R.ADS: _DATA_SERVICE_INITIAL,
        R.UMSDS: _DATA_SERVICE_INITIAL,
    },
    "FINAL": {
        R.SUPPLIER: _FINAL_DEFECTS,
        R.LDSO: _FINAL_DEFECTS,
        R.MEM: QueryTheme(
            "REC",
            "Q-6.5",
            "QAD 6.5: please show how de-appointment messages are acted on within the REC timescales.",
            answer="Extract from the appointment-handling test evidence added against 6.5.",
            close="Timescales are met in the evidence. Closed.",
        ),
        R.SDS: _FINAL_DEFECTS,
        R.ADS: _FINAL_DEFECTS,
        R.UMSDS: _FINAL_DEFECTS,
    },
}


@dataclass(frozen=True)
class FindingTheme:
    body: str
    question_id: str
    title: str
    description: str
    work_off_plan: str
    severity: str = "MEDIUM"


# The finding a body records on a Final QAD (DOMAIN.md §6): a gap that testing left, worked off under a plan.
FINDINGS: tuple[FindingTheme, ...] = (
    FindingTheme(
        "DIP",
        "Q-4.5.6",
        "Rejected DIP messages are re-sent by hand",
        "Messages that fail DIP validation are corrected and re-sent manually; automated retry was not in the tested "
        "release.",
        "Automated retry ships in release 4.2, regression-tested against the QT message set, then evidenced to the "
        "DIP Manager.",
    ),
    FindingTheme(
        "BSC",
        "Q-3.5",
        "Two low-severity QT defects open at exit",
        "Two defects in report formatting remained open at the end of Qualification Testing.",
        "Fixes scheduled in the next maintenance release; the Test Completion Report addendum follows.",
        severity="LOW",
    ),
)
