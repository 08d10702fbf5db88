"""What every page the browser tests open must be: readable by assistive technology (axe-core finds no serious or
critical violation), and as wide as the window at most (nothing scrolls sideways).

axe-core is vendored (``tests/browser/vendor/axe-core``, from the npm registry) and injected into the page under
test; the platform itself never serves it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# The WCAG 2.1 A and AA rules; "serious" and "critical" are axe's two highest impacts.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def axe_violations(page: Any) -> list[str]:
    """Each serious or critical violation on the page, as one line naming the rule, its help and where it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern (an
        # injected <script> would be refused, as it should be).
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        AXE_TAGS,
    )
    lines = []
    for violation in result:
        if violation.get("impact") in BLOCKING:
            where = "; ".join(", ".join(node.get("target", [])) for node in violation.get("nodes", [])[:5])
            lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} — at {where}")
    return lines


def overflow(page: Any) -> int:
    """How many pixels the page is wider than its window (0 when nothing scrolls sideways)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def screenshot(page: Any, name: str) -> None:
    """Keep a picture of the page for reviewers when the run is asked to (``QUALIFY_SCREENSHOTS``: a folder)."""
    folder = os.environ.get("QUALIFY_SCREENSHOTS", "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


# Each table wider than the card that holds it (its content box), named by its test id or its first heading cell.
_TABLES_WIDER_THAN_THEIR_CARD = """() => [...document.querySelectorAll('main table')].flatMap(table => {
  const card = table.closest('.card') || table.closest('main');
  const style = getComputedStyle(card);
  const edge = parseFloat(style.paddingRight) + parseFloat(style.borderRightWidth);
  const inner = card.getBoundingClientRect().right - edge;
  const extra = Math.round(table.getBoundingClientRect().right - inner);
  if (extra <= 1) return [];
  const name = table.dataset.testid || (table.querySelector('th') || table).textContent.trim().slice(0, 40);
  return [`table “${name}” is ${extra} px wider than its card`];
})"""


def tables_wider_than_their_card(page: Any) -> list[str]:
    """Each table that does not fit its card (a sideways scrollbar inside the card counts: at desktop widths a table
    should fit)."""
    return list(page.evaluate(_TABLES_WIDER_THAN_THEIR_CARD))


def main_width(page: Any) -> float:
    return float(page.evaluate("document.querySelector('main').getBoundingClientRect().width"))
