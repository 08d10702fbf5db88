"""Charts drawn on the server: each chart is worked out once as plain shapes, then written as SVG for the pages or
drawn on a PDF page for the regulator's report, so the two always show the same picture. No JavaScript, no CDN.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# One colour per dashboard stage, distinguishable in print and by most colour-blind readers (Okabe-Ito order).
PALETTE = ("#999999", "#56B4E9", "#0072B2", "#E69F00", "#CC79A7", "#009E73", "#D55E00", "#444444")
LINE_COLOURS = {"qualified": "#0072B2", "active": "#009E73", "planned": "#999999"}


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    title: str = ""
    href: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 2.0
    dashed: bool = False
    title: str = ""


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 11.0
    anchor: str = "start"  # start, middle, end
    fill: str = "#222222"
    href: str = ""


Shape = Rect | Line | Polyline | Text


@dataclass
class Chart:
    width: float
    height: float
    title: str
    shapes: list[Shape] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)


def short(label: str, limit: int) -> str:
    """A label cut to ``limit`` characters with an ellipsis (the full text stays in the table beside the chart)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def to_svg(chart: Chart) -> SafeString:
    """The chart as inline SVG at its own size, narrower when its container is (no inline style: see the CSP)."""
    # A picture is one image to assistive technology, unless its bars are links: then it is a group of them
    # (links inside an image would be controls nobody can reach).
    role = "group" if any(getattr(shape, "href", "") for shape in chart.shapes) else "img"
    parts = [
        f'<svg class="chart" viewBox="0 0 {_fmt(chart.width)} {_fmt(chart.height)}" role="{role}" '
        f'aria-label="{escape(chart.title)}" preserveAspectRatio="xMinYMin meet" '
        f'width="{_fmt(chart.width)}" height="{_fmt(chart.height)}">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for shape in chart.shapes:
        parts.append(_svg_shape(shape))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text and attribute above is escaped


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Rect):
        tip = f"<title>{escape(shape.title)}</title>" if shape.title else ""
        rect = (
            f'<rect x="{_fmt(shape.x)}" y="{_fmt(shape.y)}" width="{_fmt(shape.w)}" height="{_fmt(shape.h)}" '
            f'fill="{escape(shape.fill)}">{tip}</rect>'
        )
        return f'<a href="{escape(shape.href)}">{rect}</a>' if shape.href else rect
    if isinstance(shape, Line):
        dash = ' stroke-dasharray="4 3"' if shape.dashed else ""
        return (
            f'<line x1="{_fmt(shape.x1)}" y1="{_fmt(shape.y1)}" x2="{_fmt(shape.x2)}" y2="{_fmt(shape.y2)}" '
            f'stroke="{escape(shape.stroke)}" stroke-width="{_fmt(shape.width)}"{dash}/>'
        )
    if isinstance(shape, Polyline):
        dash = ' stroke-dasharray="6 4"' if shape.dashed else ""
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in shape.points)
        tip = f"<title>{escape(shape.title)}</title>" if shape.title else ""
        return (
            f'<polyline points="{points}" fill="none" stroke="{escape(shape.stroke)}" '
            f'stroke-width="{_fmt(shape.width)}"{dash}>{tip}</polyline>'
        )
    text = (
        f'<text x="{_fmt(shape.x)}" y="{_fmt(shape.y)}" font-size="{_fmt(shape.size)}" '
        f'text-anchor="{escape(shape.anchor)}" fill="{escape(shape.fill)}">{escape(shape.text)}</text>'
    )
    return f'<a href="{escape(shape.href)}">{text}</a>' if shape.href else text


def hex_colour(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def draw_pdf(pdf: Any, chart: Chart, *, x: float, y: float, width: float, latin: Callable[[str], str]) -> float:
    """Draw the chart on an fpdf2 page at (x, y), ``width`` millimetres wide; returns the height used.

    ``latin`` makes text safe for the page's font (the report passes the PDF module's own converter)."""
    scale = width / chart.width
    for shape in chart.shapes:
        if isinstance(shape, Rect):
            pdf.set_fill_color(*hex_colour(shape.fill))
            pdf.rect(x + shape.x * scale, y + shape.y * scale, shape.w * scale, shape.h * scale, style="F")
        elif isinstance(shape, Line):
            pdf.set_draw_color(*hex_colour(shape.stroke))
            pdf.set_line_width(max(shape.width * scale, 0.1))
            pdf.line(x + shape.x1 * scale, y + shape.y1 * scale, x + shape.x2 * scale, y + shape.y2 * scale)
        elif isinstance(shape, Polyline):
            pdf.set_draw_color(*hex_colour(shape.stroke))
            pdf.set_line_width(max(shape.width * scale, 0.1))
            for (x1, y1), (x2, y2) in zip(shape.points, shape.points[1:], strict=False):
                pdf.line(x + x1 * scale, y + y1 * scale, x + x2 * scale, y + y2 * scale)
        else:
            pdf.set_text_color(*hex_colour(shape.fill))
            pdf.set_font_size(max(shape.size * scale * 2.6, 5))
            text = latin(shape.text)
            w = pdf.get_string_width(text)
            left = {"start": 0.0, "middle": w / 2, "end": w}.get(shape.anchor, 0.0)
            pdf.text(x + shape.x * scale - left, y + shape.y * scale, text)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)
    return chart.height * scale


def stacked_bars(
    title: str,
    categories: Sequence[tuple[str, str]],
    counts: dict[str, dict[str, int]],
    stages: Sequence[tuple[str, str]],
    link: Callable[[str, str], str] | None = None,
    *,
    width: float = 640,
) -> Chart:
    """Horizontal stacked bars, one per category, segments in stage order, each linking to its list."""
    label_w, row_h, gap, top = 200.0, 22.0, 8.0, 8.0
    bar_w = width - label_w - 50
    most = max((sum(counts.get(key, {}).values()) for key, _ in categories), default=0) or 1
    chart = Chart(width=width, height=top + len(categories) * (row_h + gap) + 10, title=title)
    colours = {stage: PALETTE[i % len(PALETTE)] for i, (stage, _) in enumerate(stages)}
    chart.legend = [(colours[stage], label) for stage, label in stages]
    for row, (key, label) in enumerate(categories):
        y = top + row * (row_h + gap)
        chart.shapes.append(
            Text(label_w - 6, y + row_h * 0.7, short(label, 26), anchor="end", href=link(key, "") if link else "")
        )
        x = label_w
        total = 0
        for stage, stage_label in stages:
            n = counts.get(key, {}).get(stage, 0)
            if not n:
                continue
            w = bar_w * n / most
            chart.shapes.append(
                Rect(
                    x,
                    y,
                    w,
                    row_h,
                    colours[stage],
                    title=f"{label}: {n} {stage_label.lower()}",
                    href=link(key, stage) if link else "",
                )
            )
            x += w
            total += n
        chart.shapes.append(Text(x + 4, y + row_h * 0.7, str(total)))
    return chart


def burn_up(
    title: str,
    months: Sequence[dt.date],
    series: dict[str, Sequence[int]],
    *,
    deadline: dt.date | None = None,
    deadline_label: str = "",
    today: dt.date | None = None,
    width: float = 640,
    height: float = 260,
) -> Chart:
    """Cumulative lines by month; the plan dashed; a vertical line at the deadline and at today."""
    left, right, top, bottom = 40.0, 12.0, 12.0, 34.0
    chart = Chart(width=width, height=height, title=title)
    if not months:
        chart.shapes.append(Text(width / 2, height / 2, "Nothing to show yet", anchor="middle"))
        return chart
    most = max((max(values, default=0) for values in series.values()), default=0) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(months) - 1, 1)

    def xy(i: int, value: float) -> tuple[float, float]:
        return left + i * step, top + plot_h - plot_h * value / most

    chart.shapes.append(Line(left, top + plot_h, left + plot_w, top + plot_h, "#666666"))
    chart.shapes.append(Line(left, top, left, top + plot_h, "#666666"))
    for tick in sorted({0, most // 2, most}):
        _, y = xy(0, tick)
        chart.shapes.append(Text(left - 4, y + 4, str(tick), size=10, anchor="end"))
    every = max(len(months) // 6, 1)
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            chart.shapes.append(Text(left + i * step, top + plot_h + 16, f"{month:%b %y}", size=10, anchor="middle"))

    def at(day: dt.date) -> float:
        first = months[0]
        index = (day.year - first.year) * 12 + day.month - first.month + (day.day - 1) / 31
        return left + index * step

    for name, values in series.items():
        colour = LINE_COLOURS.get(name, "#333333")
        chart.shapes.append(
            Polyline(tuple(xy(i, v) for i, v in enumerate(values)), colour, dashed=name == "planned", title=name)
        )
        chart.legend.append((colour, name.capitalize()))
    # The deadline's label at the top, today's lower down, so the two never print over each other.
    marks = ((deadline, deadline_label, "#D55E00", top + 10), (today, "Today", "#444444", top + 26))
    for day, label, colour, label_y in marks:
        if day is not None and months[0] <= day <= months[-1].replace(day=28) + dt.timedelta(days=4):
            x = at(day)
            chart.shapes.append(Line(x, top, x, top + plot_h, colour, dashed=True))
            chart.shapes.append(Text(x + 3, label_y, label, size=10, fill=colour))
    return chart


def gantt(
    title: str,
    rows: Sequence[tuple[str, dt.date | None, dt.date | None, Sequence[tuple[dt.date, str]]]],
    *,
    today: dt.date,
    width: float = 640,
) -> Chart:
    """One bar per wave from its first deadline to its last, a tick at each deadline, and today's date."""
    label_w, row_h, gap, top = 190.0, 16.0, 10.0, 24.0
    dated = [(label, start, end, marks) for label, start, end, marks in rows if start and end]
    chart = Chart(width=width, height=top + max(len(rows), 1) * (row_h + gap) + 10, title=title)
    if not dated:
        chart.shapes.append(Text(width / 2, top + 10, "No wave has dates yet", anchor="middle"))
        return chart
    first = min([start for _, start, _, _ in dated if start] + [today])
    last = max([end for _, _, end, _ in dated if end] + [today])
    span = max((last - first).days, 1)
    plot_w = width - label_w - 10

    def x_of(day: dt.date) -> float:
        return label_w + plot_w * (day - first).days / span

    for row, (label, start, end, marks) in enumerate(rows):
        y = top + row * (row_h + gap)
        chart.shapes.append(Text(label_w - 6, y + row_h * 0.75, short(label, 26), anchor="end"))
        if start is None or end is None:
            chart.shapes.append(Text(label_w, y + row_h * 0.75, "no dates yet", size=10, fill="#666666"))
            continue
        chart.shapes.append(
            Rect(
                x_of(start),
                y,
                max(x_of(end) - x_of(start), 2),
                row_h,
                "#56B4E9",
                title=f"{label}: {start:%d %b %Y} to {end:%d %b %Y}",
            )
        )
        for day, mark in marks:
            chart.shapes.append(Line(x_of(day), y - 2, x_of(day), y + row_h + 2, "#0072B2"))
            chart.shapes.append(Rect(x_of(day) - 1, y, 2, row_h, "#0072B2", title=f"{mark}: {day:%d %b %Y}"))
    x = x_of(today)
    chart.shapes.append(Line(x, 4, x, chart.height - 4, "#D55E00", width=1.5, dashed=True))
    chart.shapes.append(Text(x + 3, 14, f"Today {today:%d %b %Y}", size=10, fill="#D55E00"))
    chart.shapes.append(Text(label_w, 14, f"{first:%b %Y}", size=10))
    chart.shapes.append(Text(width - 10, chart.height - 2, f"{last:%b %Y}", size=10, anchor="end"))
    return chart
