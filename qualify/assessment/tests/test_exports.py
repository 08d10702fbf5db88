"""The decision pack in Word and PDF: what a board reads before it decides (DOMAIN.md §6)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

import qualify
from qualify.assessment import choices as ch
from qualify.assessment import exports, selectors, services
from qualify.assessment.tests import journey
from qualify.core import fonts
from qualify.qad.choices import Body

TRICKY = "“Smart” quotes — arrows → and £250k"


def _awaiting_approval_with_a_finding(cast, case, title="Settlement run-book gaps"):
    """A case awaiting approval with one finding whose work-off plan is agreed (so it is still open)."""
    case = journey.to_initial_submitted(cast, case)
    case = journey.to_testing(cast, case)
    case = journey.to_final_submitted(cast, case)
    finding = services.finding_record(
        actor=cast.actor("bsc"),
        case=case,
        body=Body.BSC,
        title=title,
        description="The run-book misses the D+1 exception path.",
        owner="Ops manager",
        due_date=dt.date(2027, 1, 31),
        severity=ch.Severity.HIGH,
    )
    lead = cast.actor(journey.lead_key(case))
    finding = services.finding_transition(
        actor=lead, finding=finding, name="propose_plan", work_off_plan="Rewrite section 4 by January."
    )
    services.finding_transition(actor=cast.actor("bsc"), finding=finding, name="agree_plan")
    return journey.to_awaiting_approval(cast, journey.fresh(case)), finding


def _pack(cast, body=Body.BSC):
    meeting = journey.meeting(cast, body)
    return meeting, selectors.decision_pack(actor=cast.actor("board"), meeting=meeting)


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def tabled(cast):
    """Two Supplier cases tabled at the BSC PAB, one with an open finding with “smart quotes” in its title."""
    case_a, finding = _awaiting_approval_with_a_finding(cast, cast.case_a, title=TRICKY)
    case_b, _ = _awaiting_approval_with_a_finding(cast, cast.case_b)
    journey.table(cast, case_a, Body.BSC)
    journey.table(cast, case_b, Body.BSC)
    return case_a, case_b, finding


def test_word_pack_lists_each_tabled_case_with_recommendations_and_findings(cast, tabled):
    case_a, case_b, finding = tabled
    meeting, pack = _pack(cast)
    text = _docx_text(exports.decision_pack_docx(meeting=meeting, pack=pack))
    assert "BSC PAB decision pack" in text and meeting.reference in text
    assert case_a.reference in text and case_b.reference in text
    assert "Northwind Energy Ltd" in text and "NWEN" in text and "Southbank Power plc" in text
    final = journey.latest_submission(case_a)
    assert final.reference in text and final.sha256 in text
    # This authority's recommendation and the others' (the journey recommends approval from every body).
    assert "BSC PAB: Approve" in text and "BSC sections satisfactory." in text
    assert "DIP Manager: Approve" in text and "REC Code Manager: Approve" in text
    assert finding.reference in text and TRICKY in text and "Ops manager" in text and "31 January 2027" in text
    assert "Work-off plan agreed" in text
    # Nothing decided yet: the decision lines are left blank to fill in at the meeting.
    assert "Decision (to record at the meeting)" in text and exports.BLANK in text


def test_word_pack_shows_a_recorded_decision_instead_of_blank_lines(cast, tabled):
    case_a, _, _ = tabled
    decision = journey.decide(cast, case_a, Body.BSC, minutes="Approved after discussion of the run-book.")
    meeting, pack = _pack(cast)
    text = _docx_text(exports.decision_pack_docx(meeting=meeting, pack=pack))
    assert decision.reference in text and "Approved after discussion of the run-book." in text
    assert "01 December 2026" in text


def test_word_pack_leaves_out_reviewers_internal_notes(cast):
    case, _ = _awaiting_approval_with_a_finding(cast, cast.case_a)
    services.finding_record(
        actor=cast.actor("bsc"),
        case=case,
        body=Body.BSC,
        title="Alerting thresholds",
        description="Thresholds undocumented.",
        owner="Ops",
        due_date=dt.date(2027, 2, 1),
        internal_note="Between us: their last audit was poor.",
    )
    journey.table(cast, case, Body.BSC)
    meeting, pack = _pack(cast)
    text = _docx_text(exports.decision_pack_docx(meeting=meeting, pack=pack))
    assert "Alerting thresholds" in text and "their last audit was poor" not in text


def test_word_pack_of_an_empty_meeting_says_so(cast):
    meeting, pack = _pack(cast, Body.REC)
    assert "No cases are on the agenda." in _docx_text(exports.decision_pack_docx(meeting=meeting, pack=pack))


def test_the_pdf_font_is_the_copy_shipped_with_the_project():
    package = Path(qualify.__file__).resolve().parent
    assert exports.unicode_font() == (fonts.SANS_REGULAR, fonts.SANS_BOLD)
    for path in (fonts.SANS_REGULAR, fonts.SANS_BOLD, fonts.FONT_DIR / "LICENSE"):
        assert path.is_file() and path.is_relative_to(package), path
    # Nothing is read from the system's font folders.
    assert not any(str(d).startswith("/usr/share/fonts") for d in exports.FONT_DIRS)


def test_pdf_pack_keeps_unicode_text_with_a_unicode_font(cast, tabled):
    case_a, case_b, finding = tabled
    meeting, pack = _pack(cast)
    data = exports.decision_pack_pdf(meeting=meeting, pack=pack)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert case_a.reference in text and case_b.reference in text and finding.reference in text
    assert "→" in text and "£250k" in text
    assert b"DejaVuSans" in data  # the shipped font is embedded


def test_pdf_pack_falls_back_to_latin1_when_no_unicode_font_is_installed(cast, tabled, monkeypatch, tmp_path):
    monkeypatch.setattr(exports, "FONT_DIRS", (tmp_path,))
    assert exports.unicode_font() is None
    case_a, _, finding = tabled
    meeting, pack = _pack(cast)
    data = exports.decision_pack_pdf(meeting=meeting, pack=pack)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert case_a.reference in text and finding.reference in text
    assert '"Smart" quotes - arrows -> and £250k' in " ".join(text.split())


def test_transliteration_spells_out_typography_and_keeps_latin1():
    assert exports.to_latin1("“Café” — 5 → 6 … £3 €4 Łódź 日") == '"Café" - 5 -> 6 ... £3 EUR4 Lódz ?'
