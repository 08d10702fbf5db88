"""A board meeting's decision pack as Word and PDF: the cases going to the meeting, each with its Final QAD, this
authority's and the other bodies' recommendations, its open findings and a line for the decision (DOMAIN.md §6).

Both formats are drawn from one plain outline (``pack_outline``), so they always say the same thing. The pack is for
Code Body and board staff only (the selector enforces who may build it); it leaves the reviewers' internal notes out
all the same, because a pack is printed and passed around.

The PDF uses a Unicode TrueType font, DejaVu Sans, shipped with the project (``qualify/core/data/fonts``, see
``qualify/core/fonts.py``). Should the files be missing, the PDF's built-in Helvetica only covers Latin-1, so text is
transliterated ("smart quotes" become plain quotes, dashes become hyphens, arrows become "->") rather than failing on
the first curly apostrophe.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from docx import Document
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from qualify.assessment import choices as ch
from qualify.assessment.models import BoardMeeting, BodyRecommendation
from qualify.assessment.selectors import PackItem
from qualify.core import fonts

# fpdf2 subsets the embedded font with fontTools, which logs some thirty INFO lines per PDF; our root logger is at
# INFO in production, so keep fontTools to warnings.
logging.getLogger("fontTools").setLevel(logging.WARNING)

BLANK = "________________________________"

# Where the Unicode font is: the copy shipped with the project. Tests point this elsewhere to prove the fallback.
FONT_DIRS: tuple[Path, ...] = (fonts.FONT_DIR,)
FONT_REGULAR = fonts.SANS_REGULAR.name
FONT_BOLD = fonts.SANS_BOLD.name

# Characters people paste from word processors that Latin-1 lacks, and how to write them in plain text.
LATIN1_SPELLINGS: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2032": "'",
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2022": "*",
    "\u00b7": "-",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2194": "<->",
    "\u21d2": "=>",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u20ac": "EUR",
    "\u0141": "L",
    "\u0142": "l",
    "\u0152": "OE",
    "\u0153": "oe",
    "\u2122": "(TM)",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u200b": "",
}


def to_latin1(text: str) -> str:
    """Text that Latin-1 can encode: known typography spelled out, accents dropped where Latin-1 lacks the letter,
    anything else a question mark (so the reader sees something was there)."""
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        if char in LATIN1_SPELLINGS:
            out.append(LATIN1_SPELLINGS[char])
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if ord(c) < 256 and not unicodedata.combining(c))
        out.append(base or "?")
    return "".join(out)


# --- the outline both formats draw ------------------------------------------------------------------------------------


@dataclass
class PackSection:
    """One agenda item of the pack, as text."""

    heading: str
    facts: list[tuple[str, str]]
    recommendation: list[str]
    other_recommendations: list[str]
    findings: list[tuple[str, str, str, str, str, str]]
    decision: list[tuple[str, str]]
    decided: bool


@dataclass
class PackOutline:
    title: str
    facts: list[tuple[str, str]]
    sections: list[PackSection] = field(default_factory=list)


FINDING_COLUMNS = ("Reference", "Title", "Severity", "Owner", "Due", "Plan state")


def _day(value: dt.date | None) -> str:
    return f"{value:%d %B %Y}" if value is not None else "not set"


def _when(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%d %B %Y %H:%M}"


def _recommendation_lines(rec: BodyRecommendation) -> list[str]:
    lines = [
        f"{ch.APPROVER_NAMES[rec.body]}: {rec.get_recommendation_display()}",
        f"Rationale: {rec.rationale}",
    ]
    if rec.conditions:
        lines.append(f"Conditions: {rec.conditions}")
    lines.append(f"Recorded by {rec.recorded_by_name} on {_when(rec.recorded_at)}")
    return lines


def _section(meeting: BoardMeeting, entry: PackItem) -> PackSection:
    case = entry.case
    p = case.participation
    final = entry.final
    wave = f"{case.wave.code} {case.wave.name}" if case.wave is not None else "not assigned"
    facts = [
        ("Case", case.reference),
        ("Organisation", p.organisation.name),
        ("MPID", p.mpid),
        ("Role", str(p.get_role_display())),
        ("Route", str(p.get_route_display())),
        ("Wave", wave),
        ("State", str(case.get_state_display())),
        ("Final QAD", final.reference if final is not None else "none submitted"),
        ("Final QAD SHA-256", final.sha256 if final is not None else "-"),
    ]
    own = (
        _recommendation_lines(entry.recommendation)
        if entry.recommendation is not None
        else [f"{ch.APPROVER_NAMES[meeting.body]}: no recommendation on the latest Final QAD"]
    )
    others: list[str] = []
    given = {r.body: r for r in entry.other_recommendations}
    for body in ch.approvals_needed(p.role):
        if body == meeting.body:
            continue
        rec = given.get(body)
        if rec is None:
            others.append(f"{ch.APPROVER_NAMES[body]}: no recommendation on the latest Final QAD")
        else:
            others.append(
                f"{ch.APPROVER_NAMES[body]}: {rec.get_recommendation_display()} — {rec.rationale}"
                + (f" Conditions: {rec.conditions}" if rec.conditions else "")
                + f" ({rec.recorded_by_name}, {_when(rec.recorded_at)})"
            )
    findings = [
        (
            f.reference,
            f.title + (" (condition of approval)" if f.condition_of_approval else ""),
            str(f.get_severity_display()),
            f.owner,
            _day(f.due_date),
            str(f.get_state_display()),
        )
        for f in entry.open_findings
    ]
    decision = entry.decision
    if decision is not None:
        lines = [
            ("Decision", f"{decision.get_outcome_display()} ({decision.reference})"),
            ("Effective from", _day(decision.effective_from) if decision.effective_from else "-"),
            ("Conditions", decision.conditions or "none"),
            ("Minutes", decision.minutes),
            ("Recorded", f"{decision.recorded_by_name}, {_when(decision.decided_at)}"),
        ]
    else:
        outcomes = " / ".join(str(label) for label in ch.DecisionOutcome.labels)
        lines = [
            ("Decision", f"{BLANK}  ({outcomes})"),
            ("Effective from", BLANK),
            ("Conditions", BLANK),
        ]
    return PackSection(
        heading=f"{case.reference} — {p.organisation.name} ({p.mpid} {p.get_role_display()})",
        facts=facts,
        recommendation=own,
        other_recommendations=others,
        findings=findings,
        decision=lines,
        decided=decision is not None,
    )


def pack_outline(*, meeting: BoardMeeting, pack: Sequence[PackItem]) -> PackOutline:
    """What the pack says, format-free: its title and facts, then one section per agenda item."""
    authority = ch.APPROVER_NAMES[meeting.body]
    return PackOutline(
        title=f"{authority} decision pack — {meeting.meets_on:%d %B %Y}",
        facts=[
            ("Authority", authority),
            ("Meeting", meeting.title),
            ("Date", _day(meeting.meets_on)),
            ("Reference", meeting.reference),
            ("Papers due", _day(meeting.papers_due_on)),
            ("Cases", str(len(pack))),
        ],
        sections=[_section(meeting, entry) for entry in pack],
    )


# --- Word ------------------------------------------------------------------------------------------------------------


def decision_pack_docx(*, meeting: BoardMeeting, pack: list[PackItem]) -> bytes:
    """The decision pack as a Word document."""
    outline = pack_outline(meeting=meeting, pack=pack)
    document = Document()
    document.add_heading(outline.title, level=0)
    docx_facts(document, outline.facts)
    if not outline.sections:
        document.add_paragraph("No cases are on the agenda.")
    for section in outline.sections:
        document.add_heading(section.heading, level=1)
        docx_facts(document, section.facts)
        document.add_heading("Recommendation to this authority", level=2)
        for line in section.recommendation:
            document.add_paragraph(line)
        if section.other_recommendations:
            document.add_heading("Other bodies' recommendations", level=2)
            for line in section.other_recommendations:
                document.add_paragraph(line, style="List Bullet")
        document.add_heading("Open findings", level=2)
        if section.findings:
            grid = document.add_table(rows=1, cols=len(FINDING_COLUMNS))
            grid.style = "Light Grid Accent 1"
            for cell, title in zip(grid.rows[0].cells, FINDING_COLUMNS, strict=True):
                cell.text = title
            for row in section.findings:
                for cell, value in zip(grid.add_row().cells, row, strict=True):
                    cell.text = value
        else:
            document.add_paragraph("None.")
        document.add_heading("Decision" if section.decided else "Decision (to record at the meeting)", level=2)
        docx_facts(document, section.decision)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_facts(document: Any, facts: Sequence[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Light Grid Accent 1"
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value


# --- PDF -------------------------------------------------------------------------------------------------------------


def unicode_font() -> tuple[Path, Path | None] | None:
    """The regular (and bold, if present) Unicode font files, or None when they are missing."""
    for directory in FONT_DIRS:
        regular = directory / FONT_REGULAR
        if regular.is_file():
            bold = directory / FONT_BOLD
            return regular, bold if bold.is_file() else None
    return None


class PackPdf:
    """fpdf2 with the pack's few text styles, writing every string through the font's character set."""

    def __init__(self, title: str) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_title(title)
        self.clean: Callable[[str], str]
        font = unicode_font()
        if font is not None:
            regular, bold = font
            self.pdf.add_font("PackSans", "", str(regular))
            self.pdf.add_font("PackSans", "B", str(bold or regular))
            self.family = "PackSans"
            self.clean = str
        else:
            self.family = "Helvetica"
            self.clean = to_latin1
        self.pdf.add_page()

    def heading(self, text: str, size: float) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.ln(2)
        self.pdf.multi_cell(0, size * 0.55, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def line(self, text: str, *, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", 10)
        self.pdf.multi_cell(0, 5, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(self, rows: Sequence[Sequence[str]], widths: tuple[int, ...], header: bool) -> None:
        self.pdf.set_font(self.family, "", 9)
        with self.pdf.table(col_widths=widths, first_row_as_headings=header, line_height=5, text_align="LEFT") as table:
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.clean(value))
        self.pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def decision_pack_pdf(*, meeting: BoardMeeting, pack: list[PackItem]) -> bytes:
    """The decision pack as a PDF (A4)."""
    outline = pack_outline(meeting=meeting, pack=pack)
    doc = PackPdf(outline.title)
    doc.heading(outline.title, 16)
    doc.grid(outline.facts, (1, 3), header=False)
    if not outline.sections:
        doc.line("No cases are on the agenda.")
    for section in outline.sections:
        doc.heading(section.heading, 13)
        doc.grid(section.facts, (1, 3), header=False)
        doc.heading("Recommendation to this authority", 11)
        for text in section.recommendation:
            doc.line(text)
        if section.other_recommendations:
            doc.heading("Other bodies' recommendations", 11)
            for text in section.other_recommendations:
                doc.line(f"• {text}")
        doc.heading("Open findings", 11)
        if section.findings:
            doc.grid([FINDING_COLUMNS, *section.findings], (3, 6, 2, 3, 3, 3), header=True)
        else:
            doc.line("None.")
        doc.heading("Decision" if section.decided else "Decision (to record at the meeting)", 11)
        doc.grid(section.decision, (1, 3), header=False)
    return doc.output()
