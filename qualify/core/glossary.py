"""The words and abbreviations of MHHS Qualification, explained for people new to them (DOMAIN.md, in our words).

Each term has an anchor (``slug``): pages link a word to ``/glossary/#<slug>`` (``{% url 'core:glossary' %}#qad``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    slug: str
    term: str
    stands_for: str
    meaning: str


GLOSSARY: tuple[Term, ...] = (
    Term(
        "mhhs",
        "MHHS",
        "Market-wide Half-Hourly Settlement",
        "The change that moves every electricity metering point in Great Britain to settlement by the half hour. "
        "A company must be qualified before it works under the new arrangements.",
    ),
    Term(
        "mpid",
        "MPID",
        "Market Participant Id",
        "A four-letter code that identifies a company in one market role. A company can hold several; each MPID "
        "and role pair is qualified separately, so each has its own case here.",
    ),
    Term(
        "qap",
        "QA&P",
        "Qualification Approach and Plan",
        "The Programme's document that says how qualification works. Its four annexes cover testing for LDSOs "
        "(Annex 1), for Suppliers and agents (Annex 2), for new-entrant LDSOs (Annex 3) and non-completion (Annex 4).",
    ),
    Term(
        "qad",
        "QAD",
        "Qualification Assessment Document",
        "The questionnaire a participant answers, with evidence, to show its systems and processes are ready. It is "
        "submitted twice: an Initial QAD before testing and a Final QAD after it. Each submission is frozen, so what "
        "the Code Bodies assessed and the director signed cannot change afterwards.",
    ),
    Term(
        "pit",
        "PIT",
        "Pre-Integration Testing",
        "Testing a participant runs on its own systems before it connects to the shared test environment. Its exit "
        "evidence goes with the Initial QAD.",
    ),
    Term(
        "sit",
        "SIT",
        "Systems Integration Testing",
        "The Programme's earlier end-to-end testing. A participant that took part follows the SIT route: its SIT "
        "evidence stands in for Qualification Testing.",
    ),
    Term(
        "qt",
        "QT",
        "Qualification Testing",
        "The set of test cases (ids like QT-093) a participant that was not in SIT runs in the Programme's test "
        "framework. Which cases it must run depends on its role, reliance and exemptions.",
    ),
    Term(
        "rttm",
        "RTTM",
        "Requirements-to-Test Traceability Matrix",
        "A table that links each requirement to the tests that prove it. It is submitted again at four gates: PIT "
        "entry, PIT exit, QT entry and QT exit.",
    ),
    Term(
        "tcr",
        "TCR",
        "Test Completion Report",
        "The report that closes Qualification Testing: what was tested, how it went, the defects still open and the "
        "work-off plan proposed for each.",
    ),
    Term(
        "work-off-plan",
        "Work-off plan",
        "",
        "An agreed plan, with an owner and a date, to fix a defect or finding that did not need to stop qualification.",
    ),
    Term(
        "placing-reliance",
        "Placing Reliance",
        "",
        "Relying on testing someone else has done (a software provider, a group company). Once the Code Bodies accept "
        "a reliance proposal, the participant runs fewer test cases itself.",
    ),
    Term(
        "code-body",
        "Code Body",
        "",
        "An organisation that runs an industry code and assesses participants against it: Elexon for the BSC, the "
        "REC Code Manager for the REC, and the DIP Manager for connection to the DIP.",
    ),
    Term(
        "bsc",
        "BSC",
        "Balancing and Settlement Code",
        "The industry code for balancing and settlement, run by Elexon.",
    ),
    Term("rec", "REC", "Retail Energy Code", "The industry code for retail energy, run by RECCo and its Code Manager."),
    Term(
        "dip",
        "DIP",
        "Data Integration Platform",
        "The messaging hub of MHHS. The DIP Manager assures that each participant connects to it properly.",
    ),
    Term(
        "pab",
        "PAB",
        "Performance Assurance Board",
        "The board that decides on qualification for its code. The BSC PAB decides at its meetings; the REC has a PAB "
        "of its own.",
    ),
    Term(
        "qag",
        "QAG",
        "Qualification Advisory Group",
        "The Programme's advisory group. It approves new versions of the qualification documents first, before the "
        "REC and BSC PABs.",
    ),
    Term(
        "qwg",
        "QWG",
        "Qualification Working Group",
        "The Programme's working group that reviews consultation comments on qualification documents.",
    ),
    Term(
        "ldso",
        "LDSO",
        "Licensed Distribution System Operator",
        "A company that runs a distribution network (a DNO or an IDNO), identified also by its distributor ids.",
    ),
    Term("mem", "MEM", "Metering Equipment Manager", "The agent that installs and looks after meters."),
    Term(
        "wave",
        "Wave",
        "",
        "A group of participants that qualify together, with shared windows and deadlines. A case may be deferred "
        "to a later wave and keeps its progress.",
    ),
    Term(
        "m10",
        "M10",
        "Milestone 10",
        "Central systems are ready for metering points to migrate to the new arrangements.",
    ),
    Term("m11", "M11", "Milestone 11", "Migration opens for unmetered and advanced metering points."),
    Term("m12", "M12", "Milestone 12", "Migration opens for smart and non-smart metering points."),
    Term("m13", "M13", "Milestone 13", "The load shaping service is switched on."),
    Term(
        "m14",
        "M14",
        "Milestone 14",
        "The date by which every Supplier must be qualified. From then on only qualified Suppliers may register a "
        "metering point, and reverse migration ends.",
    ),
    Term("m15", "M15", "Milestone 15", "Full transition: no metering point is left on the old arrangements."),
    Term("m16", "M16", "Milestone 16", "Cut-over to the new settlement timetable."),
    Term(
        "non-completion",
        "Non-completion",
        "",
        "The escalation under QA&P Annex 4 when a participant misses its plan: notice, a remediation plan, review, "
        "and a decision by the BSC PAB. The case keeps its place and resumes once it is resolved.",
    ),
)

SLUGS = frozenset(term.slug for term in GLOSSARY)
