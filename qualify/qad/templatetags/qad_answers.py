"""How a QAD answer reads on a page: a table answer as a table, its columns in the question's order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()

# Evidence a browser shows itself (the content was checked against the extension when it was uploaded).
VIEWABLE = (".pdf", ".png", ".jpg", ".jpeg")


@register.filter
def answer_table(value: Any, question: Any) -> dict[str, list[Any]] | None:
    """A table answer as ``{"headers": [...], "rows": [[...], ...]}`` in the question's column order, or None for
    an answer that is not a table. A value under a column the question no longer has is kept, at the end."""
    if getattr(question, "answer_type", "") != "table" or not isinstance(value, list):
        return None
    columns = [(str(c.get("id", "")), str(c.get("title") or c.get("id", ""))) for c in question.columns or []]
    known = {cid for cid, _ in columns}
    extra = sorted({k for row in value if isinstance(row, Mapping) for k in row if k not in known})
    columns += [(k, k) for k in extra]
    rows = [[str(row.get(cid, "") or "") for cid, _ in columns] for row in value if isinstance(row, Mapping)]
    return {"headers": [title for _, title in columns], "rows": rows}


@register.filter
def viewable(name: object) -> bool:
    """Whether an evidence file opens in the page's viewer (PDF and images) rather than downloading."""
    return str(name).lower().endswith(VIEWABLE)
