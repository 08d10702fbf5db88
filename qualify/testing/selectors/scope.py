"""A case's scope as the scope page and its endpoint show it (DOMAIN.md §4 "scoped", §10a "Scope").

Once the Code Bodies have confirmed scope, the latest frozen record with every catalogue case in or out and why; the
history of re-scopes with what each added and removed. Before that, the set the case would be scoped to now, marked
as not yet confirmed. The case was fetched within the actor's scope (cases.selectors.case_get).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualify.cases.models import QualificationCase
from qualify.core.errors import ValidationFailed
from qualify.testing.choices import MinimumSet, ScopeReason
from qualify.testing.models import CatalogueCase, ScopeRecord, TestCatalogue
from qualify.testing.services.scoping import scope_compute

MINIMUM_SET_WORDS = {MinimumSet.NO_RELIANCE.value: "No reliance", MinimumSet.PARTIAL_RELIANCE.value: "Partial reliance"}
SHOW = ("in", "out")


@dataclass(frozen=True)
class ScopeOverview:
    confirmed: bool
    record: ScopeRecord | None
    catalogue: TestCatalogue | None
    sha256: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    required: int = 0
    history: list[ScopeRecord] = field(default_factory=list)
    problem: str = ""


def _rows(catalogue: TestCatalogue, verdicts: list[dict[str, Any]], show: str) -> list[dict[str, Any]]:
    titles = dict(CatalogueCase.objects.filter(catalogue=catalogue).values_list("case_id", "title"))
    rows = []
    for v in verdicts:
        included = bool(v["included"])
        if (show == "in" and not included) or (show == "out" and included):
            continue
        sets = list(v.get("minimum_sets") or [])
        reason = str(v["reason"])
        rows.append(
            {
                "case_id": v["case_id"],
                "title": titles.get(v["case_id"], ""),
                "included": included,
                "reason": str(ScopeReason(reason).label) if reason in ScopeReason.values else reason,
                "explanation": v["explanation"],
                "minimum_sets": [MINIMUM_SET_WORDS.get(s, s) for s in sets],
                "runs_first": included and bool(sets),
            }
        )
    return rows


def scope_overview(*, case: QualificationCase, show: str = "") -> ScopeOverview:
    """The frozen scope (or the would-be one), filtered to the cases ``show`` says ("in", "out" or every one)."""
    show = show if show in SHOW else ""
    history = list(ScopeRecord.objects.filter(case=case).select_related("catalogue").order_by("-sequence"))
    if history:
        record = history[0]
        return ScopeOverview(
            confirmed=True,
            record=record,
            catalogue=record.catalogue,
            sha256=record.sha256,
            rows=_rows(record.catalogue, record.verdicts, show),
            required=len(record.required),
            history=history,
        )
    try:
        catalogue, computed = scope_compute(case)
    except ValidationFailed as error:
        return ScopeOverview(confirmed=False, record=None, catalogue=None, sha256="", problem=error.message)
    verdicts = [
        {
            "case_id": v.case_id,
            "included": v.included,
            "reason": v.reason,
            "explanation": v.explanation,
            "minimum_sets": list(v.minimum_sets),
        }
        for v in computed.verdicts
    ]
    return ScopeOverview(
        confirmed=False,
        record=None,
        catalogue=catalogue,
        sha256=computed.sha256,
        rows=_rows(catalogue, verdicts, show),
        required=len(computed.required),
    )
