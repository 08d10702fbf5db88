"""Set-up for library tests, done through the services as the Programme would."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import time_machine
from docx import Document
from openpyxl import Workbook

from qualify.core.actor import system_actor
from qualify.library.choices import CommentCategory, CommentOutcome, FileKind
from qualify.library.models import Artefact, ArtefactVersion, Comment, Consultation, QwgReport
from qualify.library.services import (
    artefact_create,
    comment_answer,
    comment_create,
    consultation_open,
    consultation_report_to_qwg,
    version_create,
    version_file_attach,
)
from qualify.library.timeutil import uk_datetime

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx_bytes(text: str = "Qualification Approach and Plan") -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["QT-093", "Switch in"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def admin():
    return system_actor("library test")


# Each governance body's own member in the test cast: QAG, the REC PAB (a REC decision-maker), the BSC PAB.
MEMBER_OF = {"QAG": "qag", "REC_PAB": "rec_decider", "BSC_PAB": "board"}


def member(body: str):
    """A member of the governance body, as an actor (found by role, so helpers need no cast)."""
    from qualify.accounts.models import User
    from qualify.core.actor import actor_for_user
    from qualify.library.permissions import MEMBERS_OF

    return actor_for_user(User.objects.filter(staff_role=MEMBERS_OF[body], is_active=True).order_by("pk").first())


def make_artefact(
    number: str = "MHHS-DEL1234", short_name: str = "QA&P", theme: str = "Qualification", **kw
) -> Artefact:
    return artefact_create(
        actor=admin(),
        document_number=number,
        short_name=short_name,
        theme=theme,
        subtype=kw.pop("subtype", "Approach document"),
        **kw,
    )


def make_version(artefact: Artefact, version: str = "1.0", *, with_files: bool = True) -> ArtefactVersion:
    created = version_create(actor=admin(), artefact=artefact, version=version, release_notes=f"Version {version}")
    if with_files:
        version_file_attach(actor=admin(), version=created, kind=FileKind.CLEAN, handle=io.BytesIO(PDF), name="qap.pdf")
        version_file_attach(
            actor=admin(), version=created, kind=FileKind.REDLINE, handle=io.BytesIO(docx_bytes()), name="qap-rl.docx"
        )
    return ArtefactVersion.objects.get(pk=created.pk)


@dataclass
class Setup:
    artefact: Artefact
    version: ArtefactVersion
    consultation: Consultation


# A consultation that opens in summer time and closes at 17:00 UK time on Friday 30 October 2026, the Friday after
# the clocks go back (Sunday 25 October): 17:00 GMT is 17:00 UTC, where in summer it would be 16:00 UTC.
OPENS_ON = dt.date(2026, 10, 1)
CLOSES_ON = dt.date(2026, 10, 30)
BEFORE_OPENING = dt.datetime(2026, 9, 30, 12, tzinfo=dt.UTC)
DURING = dt.datetime(2026, 10, 15, 12, tzinfo=dt.UTC)
AFTER_CLOSE = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)
QWG_DAY = dt.date(2026, 11, 2)


def open_consultation(
    version: ArtefactVersion, *, title: str = "QA&P v1.0", also: tuple[ArtefactVersion, ...] = ()
) -> Consultation:
    return consultation_open(
        actor=admin(),
        title=title,
        versions=[version, *also],
        opens_at=uk_datetime(OPENS_ON, dt.time(9, 0)),
        closes_at=uk_datetime(CLOSES_ON),
    )


def setup_consultation() -> Setup:
    artefact = make_artefact()
    version = make_version(artefact)
    consultation = open_consultation(version)
    return Setup(artefact=artefact, version=ArtefactVersion.objects.get(pk=version.pk), consultation=consultation)


def comment(
    cast,
    setup: Setup,
    who: str = "lead_a",
    *,
    clause: str = "3.1",
    named: bool = False,
    submit: bool = True,
    organisation=None,
    text: str = "Clarify the PIT exit criteria.",
) -> Comment:
    return comment_create(
        actor=cast.actor(who),
        consultation=setup.consultation,
        version=setup.version,
        organisation=organisation or (cast.org_a if who.endswith("_a") else cast.org_b),
        clause_reference=clause,
        text=text,
        proposed_change="Add a table of exit criteria.",
        category=CommentCategory.CLARIFICATION,
        publish_with_name=named,
        submit=submit,
    )


def report_to_qwg(
    consultation: Consultation, *, number: str = "MHHS-DEL3317", on: dt.date = QWG_DAY, minutes: str = "QWG-42"
) -> QwgReport:
    """The Programme reports the consultation's outcome to QWG (call it after the close, every comment answered)."""
    return consultation_report_to_qwg(
        actor=admin(), consultation=consultation, reported_on=on, minutes_reference=minutes, log_document_number=number
    )


def closed_consultation(cast) -> Setup:
    """A consultation on MHHS-DEL1234 v1.0 that closed with one comment from Northwind, answered by the Programme."""
    with time_machine.travel(BEFORE_OPENING, tick=False):
        setup = setup_consultation()
    with time_machine.travel(DURING, tick=False):
        sent = comment(cast, setup, "lead_a")
    with time_machine.travel(AFTER_CLOSE, tick=False):
        comment_answer(actor=admin(), comment=sent, response="Agreed.", outcome=CommentOutcome.ACCEPTED)
    return setup
