"""Reads of the QT test catalogue that depend on who asks: published versions for everyone signed in, drafts for
staff (permissions.can_see_drafts); anything else is not found, exactly like a version that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.participants.choices import MarketRole
from qualify.testing.models import CatalogueCase, TestCatalogue
from qualify.testing.permissions import can_see_drafts
from qualify.testing.scope import CaseRule


def catalogue_list(*, actor: Actor) -> QuerySet[TestCatalogue]:
    if not actor.is_authenticated:
        return TestCatalogue.objects.none()
    qs = TestCatalogue.objects.all()
    if not can_see_drafts(actor).allowed:
        qs = qs.published()
    return qs.order_by("-published_at", "-created_at")


def catalogue_get(*, actor: Actor, version: str) -> TestCatalogue:
    found = (
        catalogue_list(actor=actor)
        .select_related("artefact_version__artefact")
        .filter(version=str(version)[:8])
        .first()
    )
    if found is None:
        raise NotFound(f"There is no test catalogue version {str(version)[:8]!r}.")
    return found


def latest_published_catalogue() -> TestCatalogue | None:
    """The version new scoping uses (published versions are readable by everyone signed in)."""
    return TestCatalogue.objects.published().order_by("-published_at", "-pk").first()


@dataclass(frozen=True)
class CaseFilters:
    """One filter for the catalogue page and the API: a market role and a batch, each optional."""

    role: str = ""
    batch: str = ""

    @classmethod
    def of(cls, catalogue: TestCatalogue, role: str | None, batch: str | None) -> CaseFilters:
        """Unknown values are ignored (a hand-edited URL shows everything rather than an error page)."""
        role = (role or "").strip().upper()
        batch = (batch or "").strip().upper()
        return cls(
            role=role if role in MarketRole.values else "",
            batch=batch if any(b.get("code") == batch for b in catalogue.batches) else "",
        )


def catalogue_cases(catalogue: TestCatalogue, filters: CaseFilters | None = None) -> QuerySet[CatalogueCase]:
    """A catalogue's cases in batch order, then file order (the catalogue was already fetched within scope)."""
    qs = CatalogueCase.objects.filter(catalogue=catalogue)
    if filters is not None and filters.role:
        qs = qs.for_role(filters.role)
    if filters is not None and filters.batch:
        qs = qs.filter(batch=filters.batch)
    return qs.order_by("batch_position", "position")


def case_rules(catalogue: TestCatalogue) -> list[CaseRule]:
    """The catalogue's cases as the required-set computation takes them (qualify/testing/scope.py)."""
    return [
        CaseRule(
            case_id=c.case_id,
            roles=frozenset(c.roles),
            segments=frozenset(c.segments),
            routes=frozenset(c.routes),
            requirements=frozenset(c.requirements),
            minimum_sets=frozenset(c.minimum_sets),
            optional_function=c.optional_function,
        )
        for c in catalogue_cases(catalogue)
    ]
