"""Test tools push results over the API: a file (multipart) or a JSON list becomes a preview, then is applied.

The same services as the pages, so the same rules: the case's lead or contributors (a test tool's machine account is
a contributor of its organisation, with a bearer token) may import; another organisation's case is 404; a case not in
testing is 409; a file refused whole, or a bad JSON list, is 422 with every problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid as uuid_mod
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ValidationError

from qualify.core.api import BoundedLimitOffsetPagination
from qualify.core.errors import ValidationFailed
from qualify.core.requests import actor_of
from qualify.core.uploads import install_upload_handlers
from qualify.testing.choices import ExecutionSource, ImportKind
from qualify.testing.models import ResultImport
from qualify.testing.permissions import can_import_results
from qualify.testing.results import MAX_BYTES, read_bounded, too_large_error
from qualify.testing.selectors.results import import_case_get, result_import_get, result_import_list
from qualify.testing.services.results import results_apply, results_preview

router = Router()
MAX_JSON_RESULTS = 20_000
JSON_COLUMNS = ["test_case_id", "outcome", "run_date", "tester", "comment"]


class ResultIn(Schema):
    test_case_id: str = Field(..., max_length=80, description="QT-nnn (or any text containing it)")
    outcome: str = Field(..., max_length=40, description="Passed, Failed, Blocked, Not applicable, Not executed…")
    run_date: str = Field("", max_length=40, description="YYYY-MM-DD (a time after it is ignored)")
    tester: str = Field("", max_length=400)
    comment: str = Field("", max_length=4000, description="Why it failed, or why it is not applicable")


class ResultsIn(Schema):
    source_name: str = Field("API push", max_length=160)
    results: list[ResultIn] = Field(..., min_length=1, max_length=MAX_JSON_RESULTS)


class ResultProblemOut(Schema):
    row: int | None
    line: int | None
    column: str | None
    message: str


class ImportSummaryOut(Schema):
    uuid: uuid_mod.UUID
    case: str
    kind: str
    source_name: str
    sha256: str
    size: int
    state: str
    rows_total: int
    rows_refused: int
    rows_applied: int
    uploaded_by: str
    created_at: dt.datetime
    applied_at: dt.datetime | None


class ImportListOut(ImportSummaryOut):
    """A list row, read straight from the record (the list is paged in the database)."""

    @staticmethod
    def resolve_case(obj: ResultImport) -> str:
        return str(obj.case.reference)

    @staticmethod
    def resolve_uploaded_by(obj: ResultImport) -> str:
        return str(obj.uploaded_by_name)


class ImportOut(ImportSummaryOut):
    counts: dict[str, Any]
    problems: list[ResultProblemOut]
    problems_total: int


def _json_body_schema() -> dict[str, Any]:
    """The JSON body's schema for the OpenAPI document, with the result's schema written in place (no $defs)."""
    schema = ResultsIn.model_json_schema()
    definitions = schema.pop("$defs", {})
    schema["properties"]["results"]["items"] = definitions.get("ResultIn", {})
    return schema


def _summary(found: ResultImport, case_reference: str) -> dict[str, Any]:
    return {
        "uuid": found.uuid,
        "case": case_reference,
        "kind": found.kind,
        "source_name": found.source_name,
        "sha256": found.sha256,
        "size": found.size,
        "state": found.state,
        "rows_total": found.rows_total,
        "rows_refused": found.rows_refused,
        "rows_applied": found.rows_applied,
        "uploaded_by": found.uploaded_by_name,
        "created_at": found.created_at,
        "applied_at": found.applied_at,
    }


def _detail(found: ResultImport, case_reference: str) -> dict[str, Any]:
    preview = found.preview
    return {
        **_summary(found, case_reference),
        "counts": preview.get("applied") or preview.get("counts", {}),
        "problems": preview.get("problems", []),
        "problems_total": preview.get("problems_total", 0),
    }


def _json_as_csv(request: HttpRequest) -> tuple[str, bytes]:
    """A JSON list of results as the CSV the Azure DevOps reader takes (its columns named after the JSON fields, so
    a refused row names the field)."""
    try:
        payload = ResultsIn.model_validate(json.loads(request.body))
    except RequestDataTooBig:
        raise ValidationFailed(
            "The JSON body is too large; send the results as a file (multipart field 'file') instead.",
            details={"body": "too_large"},
            code="body_too_large",
        ) from None
    except (ValueError, ValidationError) as exc:
        errors = exc.errors(include_url=False, include_input=False) if isinstance(exc, ValidationError) else []
        raise ValidationFailed(
            "Send a JSON object {source_name, results: [{test_case_id, outcome, run_date, tester, comment}]}, or "
            "the results file as the multipart field 'file'.",
            details={"errors": [{"loc": list(e["loc"]), "msg": e["msg"]} for e in errors[:50]]},
        ) from None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(JSON_COLUMNS)
    for r in payload.results:
        writer.writerow([r.test_case_id, r.outcome, r.run_date, r.tester, r.comment])
    return payload.source_name, out.getvalue().encode("utf-8")


@router.post(
    "/testing/cases/{ref}/results/imports",
    response={201: ImportOut},
    summary="Push test results (a JUnit XML or Azure DevOps CSV file, or a JSON list) and get their preview",
    description=(
        "Send the file as the multipart field 'file' (optional field 'kind': JUNIT or AZURE_DEVOPS, told from the "
        f"content otherwise; at most {MAX_BYTES // 1024**2} MB), or a JSON object "
        "`{source_name, results: [{test_case_id, outcome, run_date, tester, comment}]}` (at most "
        f"{MAX_JSON_RESULTS:,} results and 2.5 MB; send a file for more). The answer is the preview: runs to add, "
        "rows unchanged, rows refused with row, line and column. Nothing is recorded until you apply it."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "kind": {"type": "string", "enum": list(ImportKind.values)},
                        },
                        "required": ["file"],
                    }
                },
                "application/json": {"schema": _json_body_schema()},
            }
        }
    },
)
def post_import(request: HttpRequest, ref: str) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    case = import_case_get(actor=actor, key=ref)
    # Refused before the body is read, so nobody who may not import can make the server spool a large file.
    can_import_results(actor, case).enforce()
    if request.content_type == "application/json":
        source_name, data = _json_as_csv(request)
        found = results_preview(
            actor=actor,
            case=case,
            kind=ImportKind.AZURE_DEVOPS,
            source_name=source_name,
            data=data,
            source=ExecutionSource.API,
        )
        return Status(201, _detail(found, case.reference))
    limit = install_upload_handlers(request, limit=MAX_BYTES)
    files = request.FILES
    if limit is not None and limit.exceeded:
        raise too_large_error()
    upload = files.get("file")
    if upload is None:
        raise ValidationFailed(
            "Send the results file as the multipart field 'file', or a JSON list of results.",
            details={"file": "required"},
        )
    kind = str(request.POST.get("kind", "")).strip().upper()
    found = results_preview(
        actor=actor,
        case=case,
        kind=kind,
        source_name=upload.name or "",
        data=read_bounded(upload.file, upload.size),  # type: ignore[arg-type]  # an upload has its file
    )
    return Status(201, _detail(found, case.reference))


@router.post(
    "/testing/cases/{ref}/results/imports/{key}/apply",
    response=ImportOut,
    summary="Apply a previewed import: its runs are recorded all at once (applying it again changes nothing)",
)
def post_apply(request: HttpRequest, ref: str, key: str) -> dict[str, Any]:
    actor = actor_of(request)
    case = import_case_get(actor=actor, key=ref)
    found = results_apply(actor=actor, result_import=result_import_get(actor=actor, case=case, key=key))
    return _detail(found, case.reference)


@router.get(
    "/testing/cases/{ref}/results/imports",
    response=list[ImportListOut],
    summary="A case's results imports, newest first",
)
@paginate(BoundedLimitOffsetPagination)
def list_imports(request: HttpRequest, ref: str) -> Any:
    actor = actor_of(request)
    case = import_case_get(actor=actor, key=ref)
    return result_import_list(actor=actor, case=case).select_related("case")


@router.get(
    "/testing/cases/{ref}/results/imports/{key}",
    response=ImportOut,
    summary="One results import: its counts and the rows refused, with row, line and column",
)
def get_import(request: HttpRequest, ref: str, key: str) -> dict[str, Any]:
    actor = actor_of(request)
    case = import_case_get(actor=actor, key=ref)
    return _detail(result_import_get(actor=actor, case=case, key=key), case.reference)
