"""A small layered-graph layout, drawn as SVG on the server (no JavaScript, no CDN): the lifecycle diagrams.

The layout is the classic one for state diagrams, kept small:

1. Edges that close a cycle (an edge back to a state discovered earlier in a depth-first walk from the initial
   state, within one strongly connected part) are reversed for the layout, so what is left has no cycle; they are
   still drawn pointing the way they go.
2. Each node's rank is the longest path to it from the initial state; an edge spanning several ranks passes through
   a placeholder in each rank between, so edges never run through a box.
3. Within a rank, nodes are ordered by the average position of their neighbours, sweeping down and up, keeping the
   order with the fewest crossings.
4. Each node is placed as near the average position of its neighbours as its rank's order allows.
5. Edges are smooth paths through their placeholders, with an arrowhead and a label put where it overlaps no box
   and no other label.

Text widths are estimated (the server does not measure fonts), generously, so labels fit in any common font.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from qualify.core.workflow import ReturnTarget, Workflow

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
NODE_FONT = 13.0
EDGE_FONT = 11.5
NODE_H = 32.0
RANK_GAP = 58.0
NODE_GAP = 28.0
DUMMY_W = 12.0
COMPONENT_GAP = 180.0
MARGIN = 16.0
INK, MUTED, LINE, ACCENT, FILL = "#1d2430", "#5b6573", "#8893a2", "#0b5cad", "#e8eef6"


def text_width(text: str, size: float) -> float:
    """A generous estimate of the drawn width of ``text`` at ``size`` px in a sans-serif font."""
    wide = sum(1 for ch in text if ch.isupper() or ch in "mwMW@%")
    narrow = sum(1 for ch in text if ch in "iljtfr.,:;'()! ")
    return size * (0.56 * len(text) + 0.14 * wide - 0.2 * narrow)


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    kind: str = "state"  # "state", "start" (the initial dot), "group" (several states drawn as one box), "final"


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    key: str  # the transition's name: one transition may draw several edges
    title: str = ""  # said on hover: the full wording


@dataclass
class _Item:
    key: str
    rank: int
    width: float
    node: Node | None  # None for a placeholder on a long edge
    x: float = 0.0  # left edge

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass
class _Route:
    edge: Edge
    reversed: bool
    chain: list[str] = field(default_factory=list)  # item keys from the layout's upper end to its lower end
    show_label: bool = True


@dataclass(frozen=True)
class Diagram:
    svg: SafeString
    width: int
    height: int


def _reversed_edges(nodes: list[Node], edges: list[Edge], initial: str) -> set[int]:
    """Indexes of the edges that close a cycle: reversing them leaves the graph acyclic."""
    out: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        out[e.source].append(e.target)
    order: dict[str, int] = {}
    # Tarjan's strongly connected components, walking from the initial state first, then any node not yet reached.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    component: dict[str, int] = {}

    def visit(root: str) -> None:
        work: list[tuple[str, int]] = [(root, 0)]
        index[root] = low[root] = len(index)
        order[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, i = work[-1]
            targets = out[node]
            if i < len(targets):
                work[-1] = (node, i + 1)
                nxt = targets[i]
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    order[nxt] = len(order)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break

    # Boxes standing for several states are walked before the states reached only from them, so that the steps out
    # of such a box point down and the steps that return to it point back up.
    roots = [initial, *(n.key for n in nodes if n.kind == "group"), *(n.key for n in nodes)]
    for n in roots:
        if n not in index:
            visit(n)
    return {
        i
        for i, e in enumerate(edges)
        if component[e.source] == component[e.target] and order[e.target] <= order[e.source]
    }


def _ranks(nodes: list[Node], pairs: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the sources, over an acyclic set of (upper, lower) pairs."""
    incoming: dict[str, int] = {n.key: 0 for n in nodes}
    out: dict[str, list[str]] = defaultdict(list)
    for upper, lower in pairs:
        incoming[lower] += 1
        out[upper].append(lower)
    rank = dict.fromkeys(incoming, 0)
    ready = [n.key for n in nodes if incoming[n.key] == 0]
    while ready:
        node = ready.pop(0)
        for lower in out[node]:
            rank[lower] = max(rank[lower], rank[node] + 1)
            incoming[lower] -= 1
            if incoming[lower] == 0:
                ready.append(lower)
    return rank


def _crossings(upper: list[str], lower: list[str], links: list[tuple[str, str]]) -> int:
    pos_u = {k: i for i, k in enumerate(upper)}
    pos_l = {k: i for i, k in enumerate(lower)}
    pairs = [(pos_u[a], pos_l[b]) for a, b in links if a in pos_u and b in pos_l]
    return sum(1 for i, (a, b) in enumerate(pairs) for c, d in pairs[i + 1 :] if (a - c) * (b - d) < 0)


def layout(nodes: list[Node], edges: list[Edge], initial: str, *, title: str = "State diagram") -> Diagram:
    """Lay ``nodes`` and ``edges`` out in ranks from ``initial`` and draw them."""
    flipped = _reversed_edges(nodes, edges, initial)
    routes = [_Route(e, i in flipped) for i, e in enumerate(edges) if e.source != e.target]
    ends = [(r.edge.target, r.edge.source) if r.reversed else (r.edge.source, r.edge.target) for r in routes]
    rank = _ranks(nodes, ends)

    items: dict[str, _Item] = {}
    for n in nodes:
        size = NODE_FONT if n.kind != "group" else NODE_FONT - 1
        width = 14.0 if n.kind == "start" else text_width(n.label, size) + 28
        items[n.key] = _Item(n.key, rank[n.key], width, n)
    links: list[tuple[str, str]] = []  # (upper item, lower item), one per segment
    for i, (route, (upper, lower)) in enumerate(zip(routes, ends, strict=True)):
        chain = [upper]
        for r in range(rank[upper] + 1, rank[lower]):
            key = f"_{i}_{r}"
            items[key] = _Item(key, r, DUMMY_W, None)
            chain.append(key)
        chain.append(lower)
        route.chain = chain
        links.extend(pairwise(chain))

    # Labels: one per transition and target (a step from several states says its name once, on its shortest edge).
    shortest: dict[tuple[str, str], _Route] = {}
    for route in routes:
        step = (route.edge.key, route.edge.target)
        if step not in shortest or len(route.chain) < len(shortest[step].chain):
            shortest[step] = route
    for route in routes:
        route.show_label = shortest[(route.edge.key, route.edge.target)] is route and bool(route.edge.label)

    depth = max(item.rank for item in items.values()) + 1
    rows: list[list[str]] = [[] for _ in range(depth)]
    for key in items:  # nodes in the order given, placeholders in the order of their edges
        rows[items[key].rank].append(key)
    ups: dict[str, list[str]] = defaultdict(list)
    downs: dict[str, list[str]] = defaultdict(list)
    for upper, lower in links:
        downs[upper].append(lower)
        ups[lower].append(upper)

    def total_crossings(candidate: list[list[str]]) -> int:
        return sum(_crossings(candidate[r], candidate[r + 1], links) for r in range(depth - 1))

    best, best_score = [list(r) for r in rows], total_crossings(rows)
    for sweep in range(8):
        downward = sweep % 2 == 0
        sequence = range(1, depth) if downward else range(depth - 2, -1, -1)
        for r in sequence:
            ref = {k: i for i, k in enumerate(rows[r - 1 if downward else r + 1])}
            neighbours = ups if downward else downs
            keyed: list[tuple[float, int, str]] = []
            for i, k in enumerate(rows[r]):
                near = [ref[n] for n in neighbours[k] if n in ref]
                keyed.append((sum(near) / len(near) if near else float(i), i, k))
            rows[r] = [k for _, _, k in sorted(keyed)]
        score = total_crossings(rows)
        if score < best_score:
            best, best_score = [list(r) for r in rows], score
    rows = best

    # Horizontal places: each rank packed, then pulled towards its neighbours' centres, keeping the order.
    for row in rows:
        x = 0.0
        for k in row:
            items[k].x = x
            x += items[k].width + NODE_GAP
    for sweep in range(12):
        downward = sweep % 2 == 0
        sequence = range(1, depth) if downward else range(depth - 2, -1, -1)
        for r in sequence:
            neighbours = ups if downward else downs
            wanted: list[float] = []
            for k in rows[r]:
                near_x = [items[n].centre for n in neighbours[k]]
                centre = sum(near_x) / len(near_x) if near_x else items[k].centre
                wanted.append(centre - items[k].width / 2)
            _place(rows[r], items, wanted)
    _compact_components(items, links)
    left = min(item.x for item in items.values())
    for item in items.values():
        item.x += MARGIN - left
    # A gap between two ranks grows with the labels written in it, so that they can stand one above the other.
    in_gap = [0] * depth
    for route in routes:
        if route.show_label:
            in_gap[items[route.chain[_label_segment(route)]].rank] += 1
    ys = [MARGIN]
    for r in range(1, depth):
        ys.append(ys[-1] + NODE_H + max(RANK_GAP, 16.0 * in_gap[r - 1] + 26.0))
    return _draw(items, routes, ys, title)


def _compact_components(items: dict[str, _Item], links: list[tuple[str, str]]) -> None:
    """Move each part of the graph that no edge joins to the others (e.g. the side exits drawn from one box) left,
    beside the parts before it, leaving room for the labels between them."""
    parent = {k: k for k in items}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in links:
        parent[find(a)] = find(b)
    parts: dict[str, list[_Item]] = defaultdict(list)
    for k, item in items.items():
        parts[find(k)].append(item)
    ordered = sorted(parts.values(), key=lambda members: min(m.x for m in members))
    done: list[_Item] = []
    for members in ordered:
        ranks = {m.rank for m in members}
        before = [d for d in done if d.rank in ranks]
        own_left = min(m.x for m in members)
        if before and all(d.x < own_left for d in before):
            limit = max(d.x + d.width for d in before) + COMPONENT_GAP
            shift = min(0.0, limit - own_left)
            for m in members:
                m.x += shift
        done.extend(members)


def _label_segment(route: _Route) -> int:
    """The segment of the edge (in layout order, from its upper end) that carries its label: the middle one."""
    return (len(route.chain) - 2) // 2


def _place(row: list[str], items: dict[str, _Item], wanted: list[float]) -> None:
    """Put each item as near its wanted left edge as the order allows: the mean of a push right and a push left."""
    pushed_right: list[float] = []
    for i, want in enumerate(wanted):
        floor = pushed_right[i - 1] + items[row[i - 1]].width + NODE_GAP if i else want
        pushed_right.append(max(want, floor))
    pushed_left: list[float] = [0.0] * len(row)
    for i in range(len(row) - 1, -1, -1):
        ceiling = pushed_left[i + 1] - items[row[i]].width - NODE_GAP if i + 1 < len(row) else wanted[i]
        pushed_left[i] = min(wanted[i], ceiling)
    for i, k in enumerate(row):
        items[k].x = (pushed_right[i] + pushed_left[i]) / 2


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def hits(self, other: _Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


def _draw(items: dict[str, _Item], routes: list[_Route], ys: list[float], title: str) -> Diagram:
    # Ports: where each segment leaves a box's bottom or enters its top, spread in the order of the other end.
    bottom: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    top: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    for ri, route in enumerate(routes):
        for si, (a, b) in enumerate(pairwise(route.chain)):
            bottom[a].append((items[b].centre, ri, si))
            top[b].append((items[a].centre, ri, si))
    port: dict[tuple[str, int, int], float] = {}
    for side in (bottom, top):
        for key, entries in side.items():
            item = items[key]
            entries.sort()
            span = item.width if item.node is not None and item.node.kind != "start" else 0.0
            usable = min(span * 0.8, 16.0 * len(entries))
            for n, (_, ri, si) in enumerate(entries):
                offset = 0.0 if len(entries) == 1 else -usable / 2 + usable * n / (len(entries) - 1)
                port[(key, ri, si)] = item.centre + offset

    boxes = [_Box(i.x, ys[i.rank], i.x + i.width, ys[i.rank] + NODE_H) for i in items.values() if i.node is not None]
    placed: list[_Box] = []
    width = max(i.x + i.width for i in items.values()) + MARGIN
    height = ys[-1] + NODE_H + MARGIN
    parts_edges: list[str] = []
    parts_labels: list[str] = []
    for ri, route in enumerate(routes):
        points: list[tuple[float, float]] = []
        for si, key in enumerate(route.chain):
            item = items[key]
            y = ys[item.rank]
            if item.node is None:
                points.append((item.centre, y + NODE_H / 2))
                continue
            if si > 0:
                points.append((port[(key, ri, si - 1)], y if item.node.kind != "start" else y + 7))
            if si < len(route.chain) - 1:
                points.append((port[(key, ri, si)], y + NODE_H if item.node.kind != "start" else y + 7))
        segment = _label_segment(route)
        label_at = (
            (points[segment][0] + points[segment + 1][0]) / 2,
            (points[segment][1] + points[segment + 1][1]) / 2,
        )
        # A label stands on the outer side of its edge: left of an edge leaning left, right of any other.
        leaning_left = points[segment + 1][0] - points[segment][0] < -12
        if route.reversed:
            points.reverse()
        d = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
        for (x0, y0), (x1, y1) in pairwise(points):
            bend = (y1 - y0) / 2
            d += f" C{x0:.1f},{y0 + bend:.1f} {x1:.1f},{y1 - bend:.1f} {x1:.1f},{y1:.1f}"
        x_end, y_end = points[-1]
        going_down = points[-1][1] > points[-2][1]
        tip = y_end
        back = tip - 8 if going_down else tip + 8
        arrow = f"M{x_end - 4.5:.1f},{back:.1f} L{x_end:.1f},{tip:.1f} L{x_end + 4.5:.1f},{back:.1f} Z"
        title = escape(route.edge.title or route.edge.label)
        dashes = ' stroke-dasharray="5 3"' if route.reversed else ""
        parts_edges.append(
            f'<g class="edge" data-transition="{escape(route.edge.key)}" data-source="{escape(route.edge.source)}"'
            f' data-target="{escape(route.edge.target)}"><title>{title}</title>'
            f'<path d="{d}" fill="none" stroke="{LINE}" stroke-width="1.4"'
            f"{dashes}/>"
            f'<path d="{arrow}" fill="{LINE}" stroke="{LINE}" stroke-width="1"/></g>'
        )
        if route.show_label and route.edge.label:
            parts_labels.append(_label(route.edge.label, label_at, boxes, placed, left_first=leaning_left))
    parts_nodes = [_node(item, ys[item.rank]) for item in items.values() if item.node is not None]
    # A label may stand left of the leftmost box: the picture then starts further left.
    origin = min(0.0, *(box.x0 - 4 for box in placed))
    for box in placed:
        width = max(width, box.x1 + MARGIN)
    width -= origin
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="{width:.0f}" height="{height:.0f}"'
        f' viewBox="{origin:.0f} 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="diagram-title"'
        f' font-family="{FONT}"><title id="diagram-title">{escape(title)}</title>'
        + "".join(parts_edges)
        + "".join(parts_nodes)
        + "".join(parts_labels)
        + "</svg>"
    )
    return Diagram(mark_safe(svg), round(width), round(height))  # noqa: S308  (every text above is escaped)


def _label(text: str, at: tuple[float, float], boxes: list[_Box], placed: list[_Box], *, left_first: bool) -> str:
    """An edge's label beside the middle of its path, moved until it overlaps no box and no other label."""
    mx, my = at
    w, h = text_width(text, EDGE_FONT), EDGE_FONT + 3
    shifts = (0, -h, h, -2 * h, 2 * h)
    rights = [(mx + 6, my + dy, "start") for dy in shifts]
    lefts = [(mx - 6, my + dy, "end") for dy in shifts]
    candidates = [*lefts, *rights] if left_first else [*rights, *lefts]
    chosen = candidates[0]
    for x, y, anchor in candidates:
        left = x if anchor == "start" else x - w
        box = _Box(left, y - h / 2, left + w, y + h / 2)
        if not any(box.hits(b) for b in boxes) and not any(box.hits(b) for b in placed):
            chosen = (x, y, anchor)
            break
    x, y, anchor = chosen
    left = x if anchor == "start" else x - w
    placed.append(_Box(left, y - h / 2, left + w, y + h / 2))
    return (
        f'<text class="edge-label" x="{x:.1f}" y="{y + EDGE_FONT / 3:.1f}" text-anchor="{anchor}"'
        f' font-size="{EDGE_FONT}" fill="{MUTED}" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
        f' paint-order="stroke">{escape(text)}</text>'
    )


def _node(item: _Item, y: float) -> str:
    node = item.node
    assert node is not None
    if node.kind == "start":
        return (
            f'<g class="node" data-state="{escape(node.key)}"><title>{escape(node.label)}</title>'
            f'<circle cx="{item.centre:.1f}" cy="{y + 7:.1f}" r="7" fill="{INK}"/></g>'
        )
    dashed = ' stroke-dasharray="4 3"' if node.kind == "group" else ""
    fill = "#fff" if node.kind == "group" else FILL
    stroke = MUTED if node.kind == "group" else ACCENT
    size = NODE_FONT - 1 if node.kind == "group" else NODE_FONT
    weight = ' font-style="italic"' if node.kind == "group" else ""
    double = (
        f'<rect x="{item.x + 3:.1f}" y="{y + 3:.1f}" width="{item.width - 6:.1f}" height="{NODE_H - 6:.1f}" rx="5"'
        f' fill="none" stroke="{stroke}" stroke-width="1"/>'
        if node.kind == "final"
        else ""
    )
    return (
        f'<g class="node" data-state="{escape(node.key)}">'
        f'<rect x="{item.x:.1f}" y="{y:.1f}" width="{item.width:.1f}" height="{NODE_H}" rx="8" fill="{fill}"'
        f' stroke="{stroke}" stroke-width="1.4"{dashed}/>{double}'
        f'<text x="{item.centre:.1f}" y="{y + NODE_H / 2 + size / 3:.1f}" text-anchor="middle" font-size="{size}"'
        f' fill="{INK}"{weight}>{escape(node.label)}</text></g>'
    )


def workflow_diagram(
    workflow: Workflow[Any],
    initial: str,
    *,
    state_label: Callable[[str], str],
    groups: dict[str, frozenset[str]] | None = None,
    states: Iterable[str] | None = None,
    title: str = "State diagram",
) -> Diagram:
    """A workflow's transition table as a diagram: one box per state, one edge per step and source.

    ``groups`` names sets of states (e.g. every state before qualification): a step that leaves from exactly such a
    set, or returns to one of them, is drawn once, from or to one box standing for the set, instead of once per state.
    ``states`` gives the order of the states (the table's order of appearance when omitted).
    """
    groups = groups or {}
    order: list[str] = list(states or [])
    for t in workflow.transitions:
        reach = sorted(t.target.states) if isinstance(t.target, ReturnTarget) else [t.target]
        for s in [*sorted(t.sources), *reach]:
            if s not in order:
                order.append(s)
    outgoing = {s for t in workflow.transitions for s in t.sources}
    nodes = [Node("[*]", "Start", "start")]
    nodes += [Node(s, state_label(s), "state" if s in outgoing else "final") for s in order]
    edges = [Edge("[*]", initial, "", "start")]
    used_groups: dict[str, str] = {}

    def group_of(states_: frozenset[str]) -> str | None:
        for name, members in groups.items():
            if len(members) > 1 and states_ == members:
                used_groups[name] = f"[group:{name}]"
                return used_groups[name]
        return None

    for t in workflow.transitions:
        sources = frozenset(t.sources)
        returning = isinstance(t.target, ReturnTarget)
        targets = sorted(t.target.states) if isinstance(t.target, ReturnTarget) else [t.target]
        target_group = group_of(frozenset(targets)) if returning else None
        source_group = group_of(sources)
        to = [target_group] if target_group else targets
        title = t.label + (f" ({t.target.describe})" if isinstance(t.target, ReturnTarget) else "")
        for source in [source_group] if source_group else sorted(sources, key=order.index):
            for target in to:
                edges.append(Edge(source, target, t.label, t.name, title))
    nodes += [Node(key, name, "group") for name, key in used_groups.items()]
    return layout(nodes, edges, "[*]", title=title)
