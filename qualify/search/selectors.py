"""One search box for the whole site: cases, organisations, MPIDs, queries, findings and documents, by reference or
name, each kind through its own ``visible_to`` (a participant finds only its own organisation's records, and the
library's published documents).

A fixed number of queries whatever the data: one a kind, each bounded to the first ``PER_KIND`` hits (plus one, to
know there are more), so the results page costs the same for one organisation or a thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from qualify.assessment.models import Finding, Query
from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.text import one_line
from qualify.library.models import Artefact
from qualify.participants.models import MarketParticipation, Organisation

PER_KIND = 10
MIN_LENGTH = 2
MAX_LENGTH = 100


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class Group:
    kind: str
    hits: list[Hit]
    more: bool  # there are more than PER_KIND: the list page (``more_url``) has them all
    more_url: str = ""


@dataclass
class Results:
    term: str
    too_short: bool = False
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def clean_term(raw: object) -> str:
    """What a person typed, on one line, at most ``MAX_LENGTH`` characters."""
    return one_line(raw, limit=MAX_LENGTH)


def _group(kind: str, rows: list[Hit], more_url: str = "") -> Group:
    return Group(kind=kind, hits=rows[:PER_KIND], more=len(rows) > PER_KIND, more_url=more_url)


def site_search(*, actor: Actor, raw: object) -> Results:
    """Everything the actor may see whose reference or name matches ``raw``, grouped by kind (empty groups left out)."""
    term = clean_term(raw)
    if len(term) < MIN_LENGTH:
        return Results(term=term, too_short=bool(term))
    limit = PER_KIND + 1
    cases = (
        QualificationCase.objects.visible_to(actor)
        .filter(
            Q(reference__iexact=term)
            | Q(participation__mpid__iexact=term)
            | Q(participation__organisation__name__icontains=term)
        )
        .select_related("participation__organisation")
        .order_by("reference")[:limit]
    )
    organisations = Organisation.objects.visible_to(actor).filter(name__icontains=term).order_by("name")[:limit]
    participations = (
        MarketParticipation.objects.visible_to(actor)
        .filter(mpid__istartswith=term)
        .select_related("organisation")
        .order_by("mpid", "role")[:limit]
    )
    queries = (
        Query.objects.visible_to(actor)
        .filter(reference__istartswith=term)
        .select_related("case")
        .order_by("reference")[:limit]
    )
    findings = (
        Finding.objects.visible_to(actor)
        .filter(Q(reference__istartswith=term) | Q(title__icontains=term))
        .select_related("case")
        .order_by("reference")[:limit]
    )
    documents = (
        Artefact.objects.visible_to(actor)
        .filter(Q(document_number__icontains=term) | Q(short_name__icontains=term) | Q(title__icontains=term))
        .order_by("document_number")[:limit]
    )
    groups = [
        _group(
            "Cases",
            [
                Hit(
                    c.reference,
                    f"{c.participation.mpid} {c.participation.get_role_display()} · "
                    f"{c.participation.organisation.name} · {c.get_state_display()}",
                    reverse("cases:detail", args=[c.reference]),
                )
                for c in cases
            ],
            reverse("cases:list") + "?" + _query("search", term),
        ),
        _group(
            "Organisations",
            [Hit(o.name, o.company_number, reverse("participants:detail", args=[str(o.uuid)])) for o in organisations],
            reverse("participants:list") + "?" + _query("q", term),
        ),
        _group(
            "MPIDs",
            [
                Hit(
                    f"{p.mpid} {p.get_role_display()}",
                    p.organisation.name,
                    reverse("participants:detail", args=[str(p.organisation.uuid)]),
                )
                for p in participations
            ],
        ),
        _group(
            "Queries",
            [
                Hit(
                    q.reference,
                    f"{q.case.reference} · QAD {q.question_number} · {q.get_state_display()}",
                    reverse("assessment:query", args=[str(q.uuid)]),
                )
                for q in queries
            ],
        ),
        _group(
            "Findings",
            [
                Hit(f.reference, f"{f.title} · {f.case.reference}", reverse("assessment:finding", args=[f.reference]))
                for f in findings
            ],
        ),
        _group(
            "Documents",
            [
                Hit(a.document_number, a.title or a.short_name, reverse("library:artefact", args=[a.document_number]))
                for a in documents
            ],
            reverse("library:index") + "?" + _query("search", term),
        ),
    ]
    return Results(term=term, groups=[g for g in groups if g.hits])


def _query(name: str, value: str) -> str:
    from urllib.parse import urlencode

    return urlencode({name: value})
