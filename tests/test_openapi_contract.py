"""The OpenAPI document is exact: one schema per name, each operation's errors documented in the shared shape.

Ninja names a component after its pydantic class and keeps the last one written, so two classes with one name
(three ``AnswerIn`` once) silently document an operation with another's body. These tests walk every operation's
request and response models and fail on any name shared by two classes, and check that what the document says under
each name is what each operation's own models say.
"""

from __future__ import annotations

import json
import typing
from collections import defaultdict
from typing import Any

from ninja.constants import NOT_SET
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

from config.api import api
from qualify.core.api import ErrorOut, bound_operations, error_statuses


def _models_in(annotation: Any, found: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, found)


def _operation_models() -> dict[str, list[tuple[str, type[BaseModel]]]]:
    """Every pydantic class an operation reads or answers (nested ones too), by operation."""
    out: dict[str, list[tuple[str, type[BaseModel]]]] = {}
    for path, operation in bound_operations(api):
        found: set[type[BaseModel]] = set()
        for model in operation.models:
            _models_in(model, found)
        for model in operation.response_models.values():
            if model not in (None, NOT_SET):
                _models_in(model, found)
        out[f"{'/'.join(operation.methods)} {path}"] = [(m.__name__, m) for m in found]
    return out


def test_no_two_schema_classes_share_a_name():
    owners: dict[str, set[str]] = defaultdict(set)
    for models in _operation_models().values():
        for name, model in models:
            owners[name].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(classes) for name, classes in owners.items() if len(classes) > 1}
    assert not shared, f"schema names used by more than one class: {shared}"


def test_each_component_is_what_every_operation_using_it_declares():
    """Generate each operation's models on their own and compare their definitions with the document's components:
    a name reused for another shape (another class, or one class read and answered differently) shows up here."""
    components = api.get_openapi_schema()["components"]["schemas"]
    mismatched = []
    for path, operation in bound_operations(api):
        pairs = [(m, "validation") for m in operation.models]
        pairs += [(m, "serialization") for m in operation.response_models.values() if m not in (None, NOT_SET)]
        for model, mode in pairs:
            schema = model.model_json_schema(
                ref_template=REF_TEMPLATE,
                schema_generator=NinjaGenerateJsonSchema,
                mode=mode,  # type: ignore[arg-type]
            )
            for name, definition in schema.get("$defs", {}).items():
                if components.get(name) != definition:
                    mismatched.append(f"{path}: {name} ({mode})")
    assert not mismatched, mismatched


def test_the_error_shape_is_one_component():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert components["ErrorOut"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetailOut"}
    assert set(components["ErrorDetailOut"]["required"]) == {"code", "message", "details"}


def test_every_operation_documents_its_errors_in_the_shared_shape():
    document = api.get_openapi_schema()
    missing = []
    for path, operation in bound_operations(api):
        expected = error_statuses(path, operation)
        for method in operation.methods:
            documented = document["paths"]["/api/v1" + path][method.lower()]["responses"]
            for status in expected:
                content = documented.get(status, {}).get("content", {}).get("application/json", {})
                if content.get("schema") != {"$ref": "#/components/schemas/ErrorOut"}:
                    missing.append(f"{method} {path} {status}")
    assert not missing, missing
    # The rules give what the operations can answer: every authenticated operation 401, a read by key 404, ...
    get_case = document["paths"]["/api/v1/cases/{key}"]["get"]["responses"]
    assert {401, 403, 404, 422} <= set(get_case)
    transition = document["paths"]["/api/v1/cases/{key}/transitions"]["post"]["responses"]
    assert {400, 401, 403, 404, 409, 413, 422} <= set(transition)
    assert 429 in document["paths"]["/api/v1/gating/decisions"]["post"]["responses"]
    assert 429 not in get_case


def test_error_answers_match_the_error_component(client, db):
    """The shape the handlers write is the one documented (an unauthenticated read: 401)."""
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    ErrorOut.model_validate(response.json())


def test_a_body_over_the_size_limit_is_413_in_the_error_shape(client, token_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"events": [], "padding": "x" * 5000})
    response = client.post("/api/v1/gating/decisions", body, content_type="application/json", **token_for("machine"))
    assert response.status_code == 413
    assert ErrorOut.model_validate(response.json()).error.code == "body_too_large"
