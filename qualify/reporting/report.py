"""What the regulator's report says, worked out from the records as plain data, and its PDF and Excel files.

The facts come first (``report_facts``); the PDF (with charts) and the workbook are both drawn from them, so the two
files always agree, and the facts are stored with the report to be compared with the next one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q

from qualify.assessment.exports import PackPdf
from qualify.assessment.models import BoardDecision
from qualify.cases.choices import BEFORE_QUALIFIED, CaseState
from qualify.cases.models import CaseTransition, QualificationCase
from qualify.core.actor import Actor
from qualify.oversight.choices import RecordState
from qualify.oversight.models import NonCompletionRecord
from qualify.oversight.selectors import flagged_first
from qualify.participants.choices import MarketRole
from qualify.plan.choices import DeadlineKind, MilestoneMeaning
from qualify.plan.models import Milestone, MilestoneDateChange
from qualify.register.choices import RegisterEventKind
from qualify.register.models import RegisterEvent
from qualify.reporting import charts
from qualify.reporting.selectors import STAGES, stage_of

LISTED = 200  # rows listed per section; the count says how many there were
ROLE_LABELS = dict(MarketRole.choices)
STAGE_LABELS = [(key, label) for key, label, _ in STAGES]


def _progress(rows: Iterable[Mapping[str, Any]], key: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        out[row[key] or ""][stage_of(row["state"])] += row["n"]
    return {k: dict(v) for k, v in out.items()}


def _bounded(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"count": len(rows), "rows": rows[:LISTED]}


def report_facts(
    *, actor: Actor, start: dt.date, end: dt.date, today: dt.date, previous: dict[str, Any] | None
) -> dict[str, Any]:
    """Everything the report says, in a fixed number of queries whatever the size of the market."""
    cases = QualificationCase.objects.all()
    by_role = _progress(
        list(cases.values("participation__role", "state").annotate(n=Count("pk")).order_by()), "participation__role"
    )
    by_wave = _progress((cases.values("wave__code", "state").annotate(n=Count("pk")).order_by()), "wave__code")
    qualified = [
        {
            "date": e.effective_date.isoformat(),
            "kind": e.get_kind_display(),
            "mpid": e.participation.mpid,
            "role": ROLE_LABELS.get(e.participation.role, e.participation.role),
            "organisation": e.participation.organisation.name,
        }
        for e in RegisterEvent.objects.filter(
            kind__in=[RegisterEventKind.QUALIFIED, RegisterEventKind.SERVICE_ACTIVATED],
            effective_date__gte=start,
            effective_date__lte=end,
        )
        .select_related("participation__organisation")
        .order_by("effective_date", "seq")[: LISTED + 1]
    ]
    steps = dict(
        CaseTransition.objects.filter(at__date__gte=start, at__date__lte=end)
        .values("name")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("name", "n")
    )
    m14 = Milestone.objects.filter(meaning=MilestoneMeaning.ALL_SUPPLIERS_QUALIFIED).first()
    late_for_m14 = Q()
    if m14 is not None and m14.date is not None:
        late_for_m14 = Q(
            participation__role=MarketRole.SUPPLIER,
            wave__deadlines__kind=DeadlineKind.TARGET_BOARD,
            wave__deadlines__date__gt=m14.date,
        )
    at_risk_q = Q(state__in=[CaseState.NON_COMPLETION, CaseState.DEFERRED]) | (
        Q(state__in=list(BEFORE_QUALIFIED))
        & Q(wave__deadlines__kind=DeadlineKind.TARGET_BOARD, wave__deadlines__date__lt=today)
    )
    if late_for_m14:
        at_risk_q |= Q(state__in=list(BEFORE_QUALIFIED)) & late_for_m14
    at_risk = [
        {
            "case": c.reference,
            "mpid": c.participation.mpid,
            "role": ROLE_LABELS.get(c.participation.role, c.participation.role),
            "organisation": c.participation.organisation.name,
            "state": c.get_state_display(),
            "wave": c.wave.name if c.wave else "",
        }
        for c in cases.filter(at_risk_q)
        .distinct()
        .select_related("participation__organisation", "wave")
        .order_by("participation__organisation__name", "reference")[: LISTED + 1]
    ]
    decisions = [
        {
            "date": d.decided_on.isoformat(),
            "reference": d.reference,
            "case": d.case.reference,
            "mpid": d.case.participation.mpid,
            "body": d.get_body_display(),
            "outcome": d.get_outcome_display(),
        }
        for d in BoardDecision.objects.filter(decided_on__gte=start, decided_on__lte=end)
        .select_related("case__participation")
        .order_by("decided_on", "reference")[: LISTED + 1]
    ]
    milestone_changes = [
        {
            "milestone": c.milestone.code,
            "from": c.old_date.isoformat() if c.old_date else "",
            "to": c.new_date.isoformat() if c.new_date else "",
            "change_request": c.change_request,
            "approved_on": c.approved_on.isoformat() if c.approved_on else "",
        }
        for c in MilestoneDateChange.objects.filter(
            Q(approved_on__gte=start, approved_on__lte=end)
            | Q(recorded_at__date__gte=start, recorded_at__date__lte=end)
        )
        .select_related("milestone")
        .order_by("recorded_at", "pk")[: LISTED + 1]
    ]
    open_records = [
        {
            "record": r.reference,
            "case": r.case.reference,
            "mpid": r.case.participation.mpid,
            "organisation": r.case.participation.organisation.name,
            "step": r.current_step.label if r.current_step is not None else r.step,
            "step_due": r.step_due.isoformat() if r.step_due else "",
            "opened_on": r.opened_on.isoformat(),
        }
        for r in NonCompletionRecord.objects.filter(state=RecordState.OPEN)
        .select_related("case__participation__organisation", "ladder")
        .order_by("step_due", "reference")[: LISTED + 1]
    ]
    late_count, late_rows = flagged_first(actor=actor, limit=LISTED)
    late = [
        {
            "case": row.case.reference,
            "mpid": row.case.participation.mpid,
            "role": ROLE_LABELS.get(row.case.participation.role, row.case.participation.role),
            "organisation": row.case.participation.organisation.name,
            "wave": row.case.wave.name if row.case.wave else "",
            "needed_by": row.qualified_by.isoformat() if row.qualified_by else "",
            "wave_board": row.board.isoformat() if row.board else "",
        }
        for row in late_rows
    ]
    changes: dict[str, dict[str, int]] = {}
    if previous is not None:
        before = previous.get("progress_by_role", {})
        for role in sorted(set(before) | set(by_role)):
            deltas = {
                stage: by_role.get(role, {}).get(stage, 0) - before.get(role, {}).get(stage, 0)
                for stage, _ in STAGE_LABELS
            }
            changes[role] = {k: v for k, v in deltas.items() if v}
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "as_of": today.isoformat(),
        "progress_by_role": by_role,
        "progress_by_wave": by_wave,
        "steps_in_period": steps,
        "qualified_in_period": _bounded(qualified),
        "changes_since_last": {"previous": previous.get("reference", "") if previous else "", "by_role": changes},
        "at_risk": _bounded(at_risk),
        "non_completion_open": _bounded(open_records),
        "back_scheduling_flags": {"count": late_count, "rows": late},
        "decisions": _bounded(decisions),
        "milestone_changes": _bounded(milestone_changes),
    }


def _stage_table(progress: dict[str, dict[str, int]], labels: dict[str, str]) -> list[list[Any]]:
    rows = []
    for key in sorted(progress, key=lambda k: labels.get(k, k)):
        counts = progress[key]
        rows.append(
            [labels.get(key, key or "No wave yet"), *[counts.get(s, 0) for s, _ in STAGE_LABELS], sum(counts.values())]
        )
    return rows


def _listing(section: dict[str, Any], columns: list[str]) -> tuple[list[str], list[list[Any]]]:
    rows = [[row.get(c, "") for c in columns] for row in section["rows"][:LISTED]]
    return columns, rows


LISTINGS = (
    ("Qualified or activated in the period", "qualified_in_period", ["date", "kind", "mpid", "role", "organisation"]),
    ("Participants at risk", "at_risk", ["case", "mpid", "role", "organisation", "state", "wave"]),
    (
        "Open non-completion (Annex 4)",
        "non_completion_open",
        ["record", "case", "mpid", "organisation", "step", "step_due", "opened_on"],
    ),
    (
        "Waves too late for the role",
        "back_scheduling_flags",
        ["case", "mpid", "role", "organisation", "wave", "needed_by", "wave_board"],
    ),
    ("Decisions made", "decisions", ["date", "reference", "case", "mpid", "body", "outcome"]),
    ("Milestone changes", "milestone_changes", ["milestone", "from", "to", "change_request", "approved_on"]),
)


def report_pdf(facts: dict[str, Any], *, title: str, wave_names: dict[str, str]) -> bytes:
    doc = PackPdf(title)
    period = facts["period"]
    doc.heading(title, 16)
    doc.line(f"Period {period['start']} to {period['end']}; figures as at {facts['as_of']}.")
    role_labels = {k: str(v) for k, v in ROLE_LABELS.items()}
    doc.heading("Progress by role", 12)
    chart = charts.stacked_bars(
        "Cases by role and stage",
        [(k, role_labels.get(k, k)) for k in sorted(facts["progress_by_role"])],
        facts["progress_by_role"],
        STAGE_LABELS,
    )
    _chart_on_page(doc, chart)
    headers = ["", *[label for _, label in STAGE_LABELS], "Total"]
    doc.grid(
        [headers, *[[str(v) for v in r] for r in _stage_table(facts["progress_by_role"], role_labels)]],
        _widths(len(headers)),
        True,
    )
    doc.heading("Progress by wave", 12)
    chart = charts.stacked_bars(
        "Cases by wave and stage",
        [(k, wave_names.get(k, k or "No wave yet")) for k in sorted(facts["progress_by_wave"])],
        facts["progress_by_wave"],
        STAGE_LABELS,
    )
    _chart_on_page(doc, chart)
    changes = facts["changes_since_last"]
    doc.heading("Changes since the last report", 12)
    if not changes["previous"]:
        doc.line("This is the first report.")
    elif not any(changes["by_role"].values()):
        doc.line(f"No case changed stage since {changes['previous']}.")
    else:
        stage_names = dict(STAGE_LABELS)
        for role, deltas in changes["by_role"].items():
            if deltas:
                moved = ", ".join(f"{stage_names.get(s, s)} {n:+d}" for s, n in deltas.items())
                doc.line(f"{role_labels.get(role, role)}: {moved}")
    for heading, key, columns in LISTINGS:
        section = facts[key]
        doc.heading(f"{heading} ({section['count'] if section['count'] <= LISTED else f'over {LISTED}'})", 12)
        if not section["rows"]:
            doc.line("None.")
            continue
        cols, rows = _listing(section, columns)
        doc.grid(
            [[c.replace("_", " ").capitalize() for c in cols], *[[str(v) for v in r] for r in rows]],
            _widths(len(cols)),
            True,
        )
    return doc.output()


def _widths(n: int) -> tuple[int, ...]:
    return tuple([30] + [max(160 // max(n - 1, 1), 10)] * (n - 1)) if n > 1 else (190,)


def _chart_on_page(doc: PackPdf, chart: charts.Chart) -> None:
    pdf = doc.pdf
    width = 180.0
    height = chart.height * width / chart.width
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_font(doc.family, "", 8)
    used = charts.draw_pdf(pdf, chart, x=pdf.l_margin, y=top, width=width, latin=doc.clean)
    pdf.set_y(top + used + 2)
    x = pdf.l_margin
    for colour, label in chart.legend:
        pdf.set_fill_color(*charts.hex_colour(colour))
        pdf.rect(x, pdf.get_y() + 1, 3, 3, style="F")
        pdf.set_xy(x + 4, pdf.get_y())
        pdf.set_font(doc.family, "", 7)
        text = doc.clean(label)
        pdf.cell(pdf.get_string_width(text) + 4, 5, text)
        x += pdf.get_string_width(text) + 10
        if x > pdf.w - pdf.r_margin - 40:
            x = pdf.l_margin
            pdf.ln(5)
    pdf.ln(7)


def report_xlsx(facts: dict[str, Any], *, title: str, wave_names: dict[str, str]) -> bytes:
    from qualify.core.spreadsheet import xlsx_bytes

    role_labels = {k: str(v) for k, v in ROLE_LABELS.items()}
    headers = ["", *[label for _, label in STAGE_LABELS], "Total"]
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        ("By role", headers, _stage_table(facts["progress_by_role"], role_labels)),
        ("By wave", headers, _stage_table(facts["progress_by_wave"], wave_names)),
        ("Steps in period", ["Step", "Count"], sorted([k, v] for k, v in facts["steps_in_period"].items())),
    ]
    for heading, key, columns in LISTINGS:
        cols, rows = _listing(facts[key], columns)
        sheets.append((heading[:31], [c.replace("_", " ").capitalize() for c in cols], rows))
    period = facts["period"]
    return xlsx_bytes(sheets, preamble=[title, f"Period {period['start']} to {period['end']}, as at {facts['as_of']}"])
