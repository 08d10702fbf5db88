"""The QAD's rules as pure functions: which questions apply, whether an answer is well-formed, what is missing,
and the canonical form of a snapshot (DOMAIN.md §3, §5). No database access here; services and selectors feed them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from qualify.qad.choices import APPROVALS_BY_ROLE, GOVERNING_CODES, AnswerType


class QuestionLike(Protocol):
    qid: str
    number: str
    answer_type: str
    choices: Any
    columns: Any
    mandatory: bool
    evidence_required: bool
    evidence_kinds: Any
    roles: Any
    routes: Any
    excluded_by_exemptions: Any
    only_with_exemptions: Any


# A date answer as people write it in the UK (30/11/2026, 30 Nov 2026, 30 November 2026) or as the browser's date
# picker and the API send it (2026-11-30); stored as the ISO date.
UK_DATE_FORMATS = ("%d/%m/%Y", "%d %b %Y", "%d %B %Y")


def _day(text: str) -> dt.date:
    text = " ".join(text.split())
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in UK_DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007  # a calendar day, no time zone
        except ValueError:
            continue
    raise ValueError("must be a date, e.g. 30/11/2026 or 30 Nov 2026")


def applies(question: QuestionLike, *, role: str, route: str, exemptions: Iterable[str]) -> bool:
    """A question applies to a case when its role and route are in scope, every exemption it is asked only with is
    recorded for the participation, and no recorded exemption removes it (docs/qad-format.md "Which questions a case
    gets"; e.g. section 5.1.1 is asked only of a Supplier with the P476 smart-segment exemption)."""
    if role not in question.roles or route not in question.routes:
        return False
    recorded = set(exemptions)
    if not set(question.only_with_exemptions or []) <= recorded:
        return False
    return not recorded & set(question.excluded_by_exemptions or [])


def assessed_for(owner: str, role: str) -> bool:
    """Whether a question's owner assesses the answer for a role: only a body that approves the role does
    (DOMAIN.md §2, §6). For any other role the question is advisory: answered and shown, but its owner does not
    review, query or count it (docs/qad-format.md "Ownership and advisory questions")."""
    return owner in APPROVALS_BY_ROLE.get(role, ())


def unapproved_roles(owner: str, roles: Iterable[str]) -> list[str]:
    """The roles among ``roles`` that ``owner`` does not approve, in the order given."""
    return [role for role in roles if not assessed_for(owner, role)]


def clean_answer(question: QuestionLike, raw: Any) -> Any:
    """The stored form of an answer, or ValueError saying what is wrong. ``None`` (or empty) clears the answer."""
    kind = question.answer_type
    if raw is None or raw == "" or raw == []:
        return None
    if kind == AnswerType.TEXT:
        if not isinstance(raw, str):
            raise ValueError("must be text")
        text = raw.strip()
        if len(text) > 20_000:
            raise ValueError("must be at most 20,000 characters")
        return text or None
    if kind == AnswerType.YES_NO:
        value = str(raw).strip().lower()
        if value not in ("yes", "no"):
            raise ValueError("must be yes or no")
        return value
    if kind == AnswerType.SINGLE_CHOICE:
        if raw not in question.choices:
            raise ValueError(f"must be one of: {', '.join(question.choices)}")
        return raw
    if kind == AnswerType.MULTIPLE_CHOICE:
        values = [raw] if isinstance(raw, str) else list(raw)
        unknown = [v for v in values if v not in question.choices]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not one of: {', '.join(question.choices)}")
        return [c for c in question.choices if c in values] or None
    if kind == AnswerType.DATE:
        return _day(str(raw)).isoformat()
    if kind == AnswerType.NUMBER:
        try:
            number = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise ValueError("must be a number") from None
        if not number.is_finite():
            raise ValueError("must be a number")
        return format(number.normalize(), "f")
    if kind == AnswerType.TABLE:
        return _clean_table(question, raw)
    raise ValueError(f"has an unknown answer type {kind}")


def _clean_table(question: QuestionLike, raw: Any) -> list[dict[str, str]] | None:
    if not isinstance(raw, list) or not all(isinstance(row, Mapping) for row in raw):
        raise ValueError("must be a list of rows")
    ids = [c["id"] for c in question.columns]
    rows: list[dict[str, str]] = []
    for index, row in enumerate(raw, start=1):
        unknown = set(row) - set(ids)
        if unknown:
            raise ValueError(f"row {index} has unknown column {sorted(unknown)[0]!r}")
        cleaned = {c: str(row.get(c) or "").strip() for c in ids}
        if any(cleaned.values()):
            rows.append(cleaned)
    return rows or None


def display_answer(question: QuestionLike, value: Any) -> str:
    """An answer as one line of text (exports and summaries)."""
    if value is None:
        return ""
    if question.answer_type == AnswerType.MULTIPLE_CHOICE:
        return "; ".join(value)
    if question.answer_type == AnswerType.TABLE:
        return " | ".join("; ".join(f"{k}={v}" for k, v in row.items() if v) for row in value)
    if question.answer_type == AnswerType.DATE:
        return uk_day(str(value))
    return str(value)


def uk_day(iso: str) -> str:
    """An ISO date as the UK writes it in prose (30 Nov 2026); anything else unchanged."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Missing:
    number: str
    qid: str
    what: str

    def __str__(self) -> str:
        return f"{self.number}: {self.what}"


def missing_items(
    questions: Sequence[QuestionLike], answers: Mapping[str, Any], evidence: Mapping[str, int]
) -> list[Missing]:
    """What stops a submission: every applicable mandatory question answered, required evidence attached."""
    missing: list[Missing] = []
    for q in questions:
        if q.mandatory and answers.get(q.qid) is None:
            missing.append(Missing(q.number, q.qid, "needs an answer"))
        if q.evidence_required and not evidence.get(q.qid):
            kinds = ", ".join(k.replace("_", " ").lower() for k in q.evidence_kinds) or "evidence"
            missing.append(Missing(q.number, q.qid, f"needs evidence attached ({kinds})"))
    return missing


def delegate_allowed(roles: Iterable[str]) -> bool:
    """A delegate may declare only where every role in scope is governed by the REC alone (DOMAIN.md §4)."""
    roles = list(roles)
    return bool(roles) and all(GOVERNING_CODES.get(role) == frozenset({"REC"}) for role in roles)


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assessed_question_counts(questions: Iterable[Mapping[str, Any]], *, role: str) -> dict[str, int]:
    """How many of a snapshot's questions each body owns and assesses for the snapshot's role: a body that does not
    approve the role assesses none (its questions are advisory for it), and only bodies with at least one count."""
    return dict(Counter(str(q["owner"]) for q in questions if assessed_for(str(q["owner"]), role)))


@dataclass(frozen=True)
class VersionChange:
    qid: str
    number: str
    change: str  # "new", "changed", "removed"
    detail: str


def compare_versions(old: Sequence[QuestionLike], new: Sequence[QuestionLike]) -> list[VersionChange]:
    """What moving from one version to another means to a participant: new, changed and removed questions."""
    before = {q.qid: q for q in old}
    after = {q.qid: q for q in new}
    changes: list[VersionChange] = []
    for qid, q in after.items():
        if qid not in before:
            changes.append(VersionChange(qid, q.number, "new", "New question."))
            continue
        was = before[qid]
        details = []
        if getattr(was, "text", None) != getattr(q, "text", None):
            details.append("wording changed")
        if was.answer_type != q.answer_type:
            details.append(f"answer type changed from {was.answer_type} to {q.answer_type}")
        elif list(was.choices or []) != list(q.choices or []) or list(was.columns or []) != list(q.columns or []):
            details.append("choices or columns changed")
        if was.number != q.number:
            details.append(f"renumbered from {was.number}")
        if details:
            changes.append(VersionChange(qid, q.number, "changed", "; ".join(details).capitalize() + "."))
    for qid, q in before.items():
        if qid not in after:
            changes.append(VersionChange(qid, q.number, "removed", "No longer asked; the answer is kept but not used."))
    return changes
