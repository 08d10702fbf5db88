"""The demo's document library: the published Qualification set with its real numbers, versions and history.

Each document's history (DOMAIN.md §9) is replayed through the library services on the day it happened
(``core.clock.replaying``): the draft, the consultation with its closing time, participants' comments and "no
comments" confirmations, the Programme's and the Code Bodies' answers, the report to QWG that publishes the
consolidated comments log, then QAG, the REC PAB and the BSC PAB in that order, which baselines the version. Steps
dated after the day the demo is loaded are left for later, so a demo loaded in February 2025 shows the Annex 3
consultation still open. One further consultation is opened on the load day, so there is always one to comment on.

The numbers, names, versions and dates are the Programme's published ones. Where the record gives only a month, the
day chosen here is a working day of that month; comments, answers and minutes references are ours. Every file is a
short placeholder written for this demo and says so: the published documents are on the Programme's website.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone
from docx import Document as WordDocument

from qualify.core import clock
from qualify.core.actor import Actor
from qualify.library.choices import CommentCategory, CommentOutcome, FileKind, GoverningBody
from qualify.library.models import Artefact, ArtefactVersion, Comment, Consultation
from qualify.library.services import (
    approval_record,
    artefact_create,
    comment_answer,
    comment_create,
    consultation_confirm_no_comments,
    consultation_open,
    consultation_report_to_qwg,
    version_create,
)
from qualify.participants.models import Organisation

UK = ZoneInfo("Europe/London")
THEME = "Qualification"


def uk(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A UK wall-clock time on an ISO date, as an aware datetime."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=UK)


@dataclass(frozen=True)
class DocumentSpec:
    number: str
    short_name: str
    title: str
    subtype: str
    version: str
    drafted: str  # ISO date the draft went into the library


@dataclass(frozen=True)
class CommentSpec:
    on: str  # the document number commented on
    organisation: str
    submitted: str
    clause: str
    text: str
    category: str
    answered: str
    answered_by: str  # a demo staff key: "admin" (the Programme) or a Code Body assessor
    response: str
    outcome: str
    resulting_change: str = ""


@dataclass(frozen=True)
class ConsultationSpec:
    title: str
    documents: tuple[str, ...]
    opens: dt.datetime
    closes: dt.datetime
    comments: tuple[CommentSpec, ...]
    no_comments: tuple[tuple[str, str], ...]  # (organisation, ISO date)
    qwg: str  # ISO date the outcome was reported to QWG
    log_number: str
    # (body, ISO date) in the published order: QAG first, then the PABs.
    decisions: tuple[tuple[str, str], ...] = field(default=())


QAP = DocumentSpec(
    "MHHS-DEL1118",
    "QA&P",
    "Qualification Approach and Plan",
    "Approach document",
    "4.0",
    "2024-11-25",
)
ANNEX_1 = DocumentSpec(
    "MHHS-DEL2183",
    "QA&P Annex 1",
    "Annex 1: non-SIT LDSO Qualification Testing approach",
    "Annex",
    "3.0",
    "2024-11-25",
)
ANNEX_2 = DocumentSpec(
    "MHHS-DEL2433",
    "QA&P Annex 2",
    "Annex 2: non-SIT Supplier and Agent Qualification Testing approach",
    "Annex",
    "3.0",
    "2024-11-25",
)
ANNEX_3 = DocumentSpec(
    "MHHS-DEL3397",
    "QA&P Annex 3",
    "Annex 3: new-entrant non-SIT LDSO (post-M10) Qualification Testing approach",
    "Annex",
    "0.2",
    "2025-01-20",
)
ANNEX_4 = DocumentSpec(
    "MHHS-DEL2215",
    "QA&P Annex 4",
    "Annex 4: Non-Completion of Qualification",
    "Annex",
    "2.0",
    "2024-01-29",
)
DOCUMENTS = (ANNEX_4, QAP, ANNEX_1, ANNEX_2, ANNEX_3)

QAG, BSC_PAB, REC_PAB = GoverningBody.QAG, GoverningBody.BSC_PAB, GoverningBody.REC_PAB

CONSULTATIONS: tuple[ConsultationSpec, ...] = (
    ConsultationSpec(
        "Annex 4 Non-Completion of Qualification v2.0",
        (ANNEX_4.number,),
        opens=uk("2024-01-31", 9),
        closes=uk("2024-02-14", 17),
        comments=(
            CommentSpec(
                ANNEX_4.number,
                "Greywether Energy",
                "2024-02-06",
                "3.2",
                "The notice period before a referral to the BSC PAB is not stated. Please give it in working days.",
                CommentCategory.CLARIFICATION,
                "2024-02-20",
                "admin",
                "Agreed: the notice period is now stated as ten working days in section 3.2.",
                CommentOutcome.ACCEPTED,
                "Section 3.2 states the notice period in working days.",
            ),
            CommentSpec(
                ANNEX_4.number,
                "Eastmarch Distribution plc",
                "2024-02-12",
                "4.1",
                "Sanctions for LDSOs should follow the BSC's breach and default provisions rather than a separate "
                "ladder.",
                CommentCategory.SUBSTANTIVE,
                "2024-02-21",
                "bsc",
                "The annex refers to the BSC's existing breach and default provisions for BSC parties; it adds no "
                "separate sanction.",
                CommentOutcome.NOTED,
            ),
        ),
        no_comments=(("Meterwright Ltd", "2024-02-09"),),
        qwg="2024-02-28",
        log_number="MHHS-DEL2207",
        decisions=((QAG, "2024-03-06"), (BSC_PAB, "2024-03-21"), (REC_PAB, "2024-03-26")),
    ),
    ConsultationSpec(
        "QA&P v4.0 with Annexes 1 and 2 v3.0",
        (QAP.number, ANNEX_1.number, ANNEX_2.number),
        opens=uk("2024-11-29", 9),
        closes=uk("2024-12-20", 17),
        comments=(
            CommentSpec(
                QAP.number,
                "Amberleaf Energy Ltd",
                "2024-12-05",
                "5.4",
                "Please confirm whether the Final QAD may be submitted before every work-off plan is agreed.",
                CommentCategory.QUESTION,
                "2025-01-06",
                "admin",
                "It may be submitted; the QAD is agreed only once every work-off plan is agreed.",
                CommentOutcome.NOTED,
            ),
            CommentSpec(
                ANNEX_2.number,
                "Kilnworth Advanced Data",
                "2024-12-12",
                "2.3",
                "The minimum test set under partial reliance should list the DIP publication messages an Advanced "
                "Data Service must receive.",
                CommentCategory.SUBSTANTIVE,
                "2025-01-07",
                "dip",
                "Partly agreed: the DIP batch now lists every publication message per role; the minimum set is "
                "unchanged.",
                CommentOutcome.PARTIALLY_ACCEPTED,
                "DIP batch table extended with the publication messages per role.",
            ),
            CommentSpec(
                ANNEX_1.number,
                "Midshire Networks Ltd",
                "2024-12-18",
                "1.2",
                "Typo: 'smoke tets' in the LDSO entry criteria.",
                CommentCategory.TYPO,
                "2025-01-06",
                "admin",
                "Corrected.",
                CommentOutcome.ACCEPTED,
                "Typo corrected in 1.2.",
            ),
        ),
        no_comments=(("Tallyhouse Metering Services", "2024-12-10"),),
        qwg="2025-01-08",
        log_number="MHHS-DEL3317",
        decisions=((QAG, "2025-01-15"), (BSC_PAB, "2025-01-23"), (REC_PAB, "2025-01-28")),
    ),
    ConsultationSpec(
        "Annex 3 new-entrant LDSO Qualification Testing approach v0.2",
        (ANNEX_3.number,),
        opens=uk("2025-01-23", 9),
        closes=uk("2025-02-06", 17),
        comments=(
            CommentSpec(
                ANNEX_3.number,
                "Newfield Connections Ltd",
                "2025-01-29",
                "2.1",
                "Please state whether a new-entrant LDSO that starts after M14 may still use this route.",
                CommentCategory.QUESTION,
                "2025-02-18",
                "rec",
                "No: the route is for an LDSO that starts after M10 and before M14 (section 2.1 now says so).",
                CommentOutcome.ACCEPTED,
                "Section 2.1 states the M10 to M14 window.",
            ),
        ),
        no_comments=(),
        qwg="2025-03-11",
        # The published library page does not list this log's number; the demo's own stands in for it.
        log_number="DEL-900",
        decisions=((QAG, "2025-03-20"), (REC_PAB, "2025-03-25"), (BSC_PAB, "2025-03-27")),
    ),
)

# The consultation open on the load day: the next draft of Annex 3.
OPEN_TODAY_DOCUMENT = ANNEX_3.number
OPEN_TODAY_VERSION = "0.3"


def placeholder_docx(number: str, title: str, version: str, kind: str) -> bytes:
    """A short Word file standing in for a published document (written for the demo, and marked as such)."""
    document = WordDocument()
    document.add_heading(f"{number} {title} v{version}", level=1)
    document.add_paragraph(
        f"Placeholder ({'red-lined' if kind == FileKind.REDLINE else 'clean'} copy) written for the qualify demo. "
        "It is not the published document: the Programme's website holds that."
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _files(spec: DocumentSpec, version: str) -> dict[str, tuple[io.BytesIO, str]]:
    return {
        kind: (
            io.BytesIO(placeholder_docx(spec.number, spec.title, version, kind)),
            f"{spec.number}-v{version}-{kind.lower()}.docx",
        )
        for kind in (FileKind.CLEAN, FileKind.REDLINE)
    }


def demo_library_load(
    *,
    staff: dict[str, Actor],
    deciders: dict[str, Actor],
    organisations: dict[str, tuple[Organisation, Actor]],
    today: dt.date,
) -> None:
    """Replay the published Qualification set's history up to the load moment, then open the day's consultation.

    ``deciders`` maps each governance body (QAG, BSC_PAB, REC_PAB) to the person who records its decisions;
    ``organisations`` maps a demo organisation's name to it and its lead (who comments for it).
    """
    limit = min(timezone.now(), dt.datetime.combine(today, dt.time(8), tzinfo=UK))
    versions: dict[str, ArtefactVersion] = {}
    consultations: dict[str, Consultation] = {}
    admin = staff["admin"]
    answers: dict[tuple[str, int], Comment] = {}
    steps: list[tuple[dt.datetime, int, Callable[[], object]]] = []

    def step(at: dt.datetime, action: Callable[[], object]) -> None:
        steps.append((at, len(steps), action))

    for spec in DOCUMENTS:

        def draft(spec: DocumentSpec = spec) -> None:
            artefact = artefact_create(
                actor=admin,
                document_number=spec.number,
                short_name=spec.short_name,
                theme=THEME,
                subtype=spec.subtype,
                title=spec.title,
            )
            versions[spec.number] = version_create(
                actor=admin,
                artefact=artefact,
                version=spec.version,
                release_notes="Issued for consultation.",
                files=_files(spec, spec.version),
            )

        step(uk(spec.drafted, 11), draft)

    for c in CONSULTATIONS:

        def open_(c: ConsultationSpec = c) -> None:
            consultations[c.title] = consultation_open(
                actor=admin,
                title=c.title,
                versions=[versions[number] for number in c.documents],
                opens_at=c.opens,
                closes_at=c.closes,
            )

        step(c.opens, open_)
        for n, comment in enumerate(c.comments):

            def submit(c: ConsultationSpec = c, comment: CommentSpec = comment, n: int = n) -> None:
                organisation, lead = organisations[comment.organisation]
                created = comment_create(
                    actor=lead,
                    consultation=consultations[c.title],
                    version=versions[comment.on],
                    organisation=organisation,
                    clause_reference=comment.clause,
                    text=comment.text,
                    category=comment.category,
                    submit=True,
                )
                answers[(c.title, n)] = created

            def answer(c: ConsultationSpec = c, comment: CommentSpec = comment, n: int = n) -> None:
                comment_answer(
                    actor=staff[comment.answered_by],
                    comment=answers[(c.title, n)],
                    response=comment.response,
                    outcome=comment.outcome,
                    resulting_change=comment.resulting_change,
                )

            step(uk(comment.submitted, 14, 30), submit)
            step(uk(comment.answered, 15), answer)
        for name, day in c.no_comments:

            def confirm(c: ConsultationSpec = c, name: str = name) -> None:
                organisation, lead = organisations[name]
                consultation_confirm_no_comments(
                    actor=lead, consultation=consultations[c.title], organisation=organisation
                )

            step(uk(day, 12), confirm)

        def report(c: ConsultationSpec = c) -> None:
            consultation_report_to_qwg(
                actor=admin,
                consultation=consultations[c.title],
                reported_on=dt.date.fromisoformat(c.qwg),
                minutes_reference=f"QWG {dt.date.fromisoformat(c.qwg):%-d %b %Y}, outcome of the consultation",
                log_document_number=c.log_number,
            )

        step(uk(c.qwg, 16), report)
        for body, day in c.decisions:
            for number in c.documents:

                def decide(body: str = body, day: str = day, number: str = number) -> None:
                    decided_on = dt.date.fromisoformat(day)
                    approval_record(
                        actor=deciders[body],
                        version=versions[number],
                        body=body,
                        decision="APPROVE",
                        decided_on=decided_on,
                        minutes_reference=f"{GoverningBody(body).name.replace('_', ' ')} {decided_on:%-d %b %Y}",
                    )

                step(uk(day, 16, 30), decide)

    steps.sort(key=lambda s: (s[0], s[1]))
    for at, _, action in steps:
        if at >= limit:
            break  # everything later in time is still to happen on the load day
        with clock.replaying(at):
            action()

    if not Consultation.objects.filter(opens_at__lte=limit, closes_at__gt=limit).exists():
        _open_todays_consultation(admin=admin, today=today, versions=versions)


def _open_todays_consultation(*, admin: Actor, today: dt.date, versions: dict[str, ArtefactVersion]) -> None:
    """The next draft of Annex 3, out for consultation from a week before the load day until three weeks after."""
    spec = ANNEX_3
    artefact = Artefact.objects.filter(document_number=spec.number).first()
    if artefact is None:
        return  # a demo dated before Annex 3 was drafted has no draft to consult on
    draft = version_create(
        actor=admin,
        artefact=artefact,
        version=OPEN_TODAY_VERSION,
        release_notes="Issued for consultation: the smoke test's entry criteria restated.",
        files=_files(spec, OPEN_TODAY_VERSION),
    )
    opens = dt.datetime.combine(today - dt.timedelta(days=7), dt.time(9), tzinfo=UK)
    closes = dt.datetime.combine(today + dt.timedelta(days=21), dt.time(17), tzinfo=UK)
    with clock.replaying(min(opens, timezone.now())):
        consultation_open(
            actor=admin,
            title=f"Annex 3 new-entrant LDSO Qualification Testing approach v{OPEN_TODAY_VERSION}",
            versions=[draft],
            opens_at=opens,
            closes_at=closes,
        )
