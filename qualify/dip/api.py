"""DIP message validation over the API: the specifications and validation runs a person may see (read only; runs
are made on the pages, where the files are uploaded)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.requests import actor_of
from qualify.dip import reports, selectors

router = Router(tags=["dip"])


class DipSpecificationOut(Schema):
    uuid: uuid_mod.UUID
    title: str
    version: str
    openapi: str
    original_name: str
    sha256: str
    programme_wide: bool
    schema_names: list[str]
    uploaded_by_name: str
    created_at: dt.datetime

    @staticmethod
    def resolve_programme_wide(obj: Any) -> bool:
        return bool(obj.organisation_id is None)


class DipRunOut(Schema):
    uuid: uuid_mod.UUID
    specification: uuid_mod.UUID
    schema_name: str
    messages: int
    valid: int
    invalid: int
    unreadable: int
    run_by_name: str
    created_at: dt.datetime

    @staticmethod
    def resolve_specification(obj: Any) -> uuid_mod.UUID:
        return obj.specification.uuid  # type: ignore[no-any-return]

    @staticmethod
    def resolve_schema_name(obj: Any) -> str:
        return str(obj.schema)


@router.get("/dip/specifications", response=list[DipSpecificationOut], summary="DIP specifications you may use")
@paginate(BoundedLimitOffsetPagination)
def list_specifications(request: HttpRequest) -> object:
    """Your organisations' specifications and the programme-wide ones the DIP Manager uploaded, newest first."""
    return selectors.specification_list(actor=actor_of(request))


@router.get("/dip/runs", response=list[DipRunOut], summary="DIP validation runs")
@paginate(BoundedLimitOffsetPagination)
def list_runs(request: HttpRequest) -> object:
    return selectors.run_list(actor=actor_of(request))


@router.get("/dip/runs/{key}", response=dict[str, Any], summary="One DIP validation run, with every message's result")
def get_run(request: HttpRequest, key: str) -> dict[str, Any]:
    """The run as its JSON report: the summary and, per message, the schemas matched or the violations with their
    JSON paths."""
    run = selectors.run_get(actor=actor_of(request), key=key)
    return reports.run_payload(run, list(selectors.run_results(run=run)))
