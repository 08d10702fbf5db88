"""The QT test catalogue over the API: versions, one version's cases, and loading and publishing for the Programme.

Same services and selectors as the pages, so the same rules: a draft is not found for a participant, loading or
publishing is 403 for anyone but a programme administrator, and a bad file is 422 listing every problem by line.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.requests import actor_of
from qualify.testing.models import CatalogueCase, TestCatalogue
from qualify.testing.selectors import CaseFilters, catalogue_cases, catalogue_get, catalogue_list
from qualify.testing.services import MAX_FILE_CHARS, catalogue_load, catalogue_publish

router = Router()


class BatchOut(Schema):
    code: str
    title: str
    qad_questions: list[str] = []


class OptionalFunctionOut(Schema):
    code: str
    title: str
    roles: list[str]


class CatalogueOut(Schema):
    uuid: uuid_mod.UUID
    version: str
    title: str
    document_number: str
    document_status: str
    case_count: int
    published_at: dt.datetime | None
    source_sha256: str


class CatalogueCaseOut(Schema):
    id: str
    title: str
    batch: str
    roles: list[str]
    segments: list[str]
    routes: list[str]
    requirements: list[str]
    steps: str
    minimum_sets: list[str]
    optional_function: str


class CatalogueDetailOut(CatalogueOut):
    artefact_version: str | None
    batches: list[BatchOut]
    optional_functions: list[OptionalFunctionOut]
    cases: list[CatalogueCaseOut]


class CatalogueIn(Schema):
    content: str = Field(..., max_length=MAX_FILE_CHARS, description="The catalogue file's text (YAML or JSON).")
    source_name: str = Field("", max_length=200)
    publish: bool = False


class CaseQuery(Schema):
    role: str | None = None
    batch: str | None = None


def _case_out(c: CatalogueCase) -> dict[str, Any]:
    return {
        "id": c.case_id,
        "title": c.title,
        "batch": c.batch,
        "roles": c.roles,
        "segments": c.segments,
        "routes": c.routes,
        "requirements": c.requirements,
        "steps": c.steps,
        "minimum_sets": c.minimum_sets,
        "optional_function": c.optional_function,
    }


def _detail(catalogue: TestCatalogue, filters: CaseFilters | None = None) -> dict[str, Any]:
    linked = catalogue.artefact_version
    return {
        "uuid": catalogue.uuid,
        "version": catalogue.version,
        "title": catalogue.title,
        "document_number": catalogue.document_number,
        "document_status": catalogue.document_status,
        "case_count": catalogue.case_count,
        "published_at": catalogue.published_at,
        "source_sha256": catalogue.source_sha256,
        "artefact_version": f"{catalogue.document_number} v{linked.version}" if linked is not None else None,
        "batches": catalogue.batches,
        "optional_functions": catalogue.optional_functions,
        "cases": [_case_out(c) for c in catalogue_cases(catalogue, filters)],
    }


@router.get(
    "/testing/catalogues", response=list[CatalogueOut], summary="QT test catalogue versions (drafts too, for staff)"
)
@paginate(BoundedLimitOffsetPagination)
def list_catalogues(request: HttpRequest) -> Any:
    return catalogue_list(actor=actor_of(request))


@router.get(
    "/testing/catalogues/{key}",
    response=CatalogueDetailOut,
    summary="One catalogue version with its test cases (optionally only a role's or a batch's)",
)
def get_catalogue(request: HttpRequest, key: str, query: Query[CaseQuery]) -> dict[str, Any]:
    catalogue = catalogue_get(actor=actor_of(request), version=key)
    return _detail(catalogue, CaseFilters.of(catalogue, query.role, query.batch))


@router.post(
    "/testing/catalogues",
    response={201: CatalogueDetailOut},
    summary="Validate and load a catalogue file as a draft (programme administrators); 422 lists every problem",
)
def post_catalogue(request: HttpRequest, payload: CatalogueIn) -> Status[dict[str, Any]]:
    catalogue = catalogue_load(
        actor=actor_of(request), text=payload.content, source_name=payload.source_name, publish=payload.publish
    )
    return Status(201, _detail(catalogue))


@router.post(
    "/testing/catalogues/{key}/publish",
    response=CatalogueDetailOut,
    summary="Publish a loaded catalogue version once the library has baselined it (programme administrators)",
)
def post_publish(request: HttpRequest, key: str) -> dict[str, Any]:
    actor = actor_of(request)
    catalogue = catalogue_publish(actor=actor, catalogue=catalogue_get(actor=actor, version=key))
    return _detail(catalogue)
