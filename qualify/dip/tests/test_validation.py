"""The specification reader and the message checks, without the database: the small specification written for
these tests (``data/meter-readings.yaml``), good and bad messages, and unsafe uploads."""

from __future__ import annotations

import io
import zipfile

import pytest

from qualify.core.errors import ValidationFailed
from qualify.dip import validation as v
from qualify.dip.tests.helpers import BAD_BATCH, GOOD_BATCH, REGISTRATION, SPEC, as_json, upload, zipped


@pytest.fixture(scope="module")
def schemas() -> v.SchemaSet:
    return v.SchemaSet(v.parse_specification(SPEC.read_bytes()))


def check(schemas: v.SchemaSet, data: object, schema: str = "") -> v.Outcome:
    return v.check_message(schemas, v.Message("m.json", data=data), schema=schema)


def test_the_specification_is_read_with_its_version_and_schemas():
    parsed = v.parse_specification(SPEC.read_bytes())
    assert (parsed.openapi, parsed.version, parsed.title) == ("3.0.3", "1.4.0", "Test meter interface")
    assert parsed.schema_names == ["ReadingBatch", "Reading", "Registration"]
    assert parsed.request_schemas == ["ReadingBatch", "Registration"]


def test_a_valid_message_matches_its_schema_and_no_other(schemas):
    assert check(schemas, GOOD_BATCH).matched == ["ReadingBatch"]
    registration = check(schemas, REGISTRATION)  # nullable: the OpenAPI 3.0 dialect, not plain JSON Schema
    assert (registration.status, registration.matched) == ("valid", ["Registration"])


def test_violations_name_their_json_path_inside_nested_arrays(schemas):
    outcome = check(schemas, BAD_BATCH)
    assert outcome.status == "invalid"
    assert outcome.compared_with == "ReadingBatch"  # closest by outline, not the schema with the fewest errors
    found = {(x.path, x.keyword) for x in outcome.violations}
    assert found == {("$.items[1].quality", "enum"), ("$.items[2].mpid", "pattern")}
    assert outcome.violation_count == 2


def test_formats_and_required_fields_are_checked_against_the_chosen_schema(schemas):
    message = {**GOOD_BATCH, "batchId": "not-a-uuid", "sentAt": "yesterday"}
    del message["items"]
    outcome = check(schemas, message, schema="ReadingBatch")
    assert {(x.path, x.keyword) for x in outcome.violations} == {
        ("$.batchId", "format"),
        ("$.sentAt", "format"),
        ("$", "required"),
    }
    assert check(schemas, REGISTRATION, schema="ReadingBatch").compared_with == "ReadingBatch"


def test_an_unknown_schema_and_too_much_detection_are_refused(schemas, monkeypatch):
    monkeypatch.setattr(v, "MAX_CHECKS", 20)  # the same rule at a size quick to check
    with pytest.raises(ValidationFailed, match="no schema called"):
        v.check_messages(schemas, [v.Message("a", data={})], schema="Nope")
    many = [v.Message(str(i), data={}, size=2) for i in range(v.MAX_CHECKS // 2 + 1)]
    with pytest.raises(ValidationFailed, match="choose the schema"):
        v.check_messages(schemas, many)
    assert len(v.check_messages(schemas, many, schema="Reading")) == len(many)
    # Three large messages against the two detected schemas are more bytes than a run walks; one schema is not.
    large = [v.Message(str(i), data={}, size=v.MAX_CHECKED_BYTES // 4) for i in range(3)]
    with pytest.raises(ValidationFailed) as refused:
        v.check_messages(schemas, large)
    assert refused.value.code == "too_much_work"
    assert len(v.check_messages(schemas, large, schema="Reading")) == 3


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b"swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "Swagger 2.0"),
        (b"openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\n", "defines no schemas"),
        (b"openapi: 3.0.3\ninfo: {title: x}\npaths: {}\ncomponents: {schemas: {A: {type: objekt}}}\n", "version"),
        (
            b"openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'https://example.com/a.json'}\n",
            "not fetched",
        ),
        (
            b"openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'file:///etc/passwd'}\n",
            "not fetched",
        ),
        (b"a: &x [1]\nb: *x\n", "alias"),
        (b"{{{", "not valid YAML or JSON"),
        (b"\xff\xfe", "UTF-8"),
        (b"- just\n- a list\n", "not a mapping"),
    ],
)
def test_a_document_that_is_not_openapi_3_is_refused_saying_why(text, said):
    with pytest.raises(ValidationFailed, match=said) as refused:
        v.parse_specification(text)
    assert refused.value.details["problems"]


def test_a_bad_json_file_is_reported_not_raised():
    batch = v.read_uploads(
        [upload("broken.json", b'{"a": 1,'), upload("nan.json", b"[NaN]"), upload("deep.json", b"[" * 100 + b"]" * 100)]
    )
    problems = [m.problem for m in batch.messages]
    assert "not valid JSON" in problems[0] and "line 1" in problems[0]
    assert "not valid JSON" in problems[1]
    assert "levels deep" in problems[2]


def test_a_zip_of_mixed_files_reads_the_json_and_lists_what_it_skipped():
    raw = zipped({"a/good.json": as_json(GOOD_BATCH), "bad.json": b"nope", "readme.txt": b"hi", "__MACOSX/._a": b"x"})
    batch = v.read_uploads([upload("messages.zip", raw)])
    assert [m.name for m in batch.messages] == ["a/good.json", "bad.json"]
    assert batch.messages[0].data == GOOD_BATCH and batch.messages[1].problem
    assert batch.skipped == ["readme.txt"]


def _zip_with_name(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), b"{}")
    return out.getvalue()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (_zip_with_name("../escape.json"), "zip_unsafe_path"),
        (_zip_with_name("/etc/cron.json"), "zip_unsafe_path"),
        (_zip_with_name("a\\..\\b.json"), "zip_unsafe_path"),
        (zipped({"inner.zip": zipped({"a.json": b"{}"})}), "zip_nested"),
        (zipped({"inner.json": zipped({"a.json": b"{}"})}), "zip_nested"),
        (zipped({f"{i}.json": b"{}" for i in range(v.ZIP_MAX_MEMBERS + 1)}), "zip_too_many_members"),
        (b"PK\x03\x04 not really a zip", "bad_zip"),
    ],
)
def test_an_unsafe_zip_is_refused_as_a_whole(raw, code):
    with pytest.raises(ValidationFailed) as refused:
        v.read_uploads([upload("messages.zip", raw)])
    assert refused.value.code == code


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(v, "ZIP_MAX_TOTAL_BYTES", 4 * 1024 * 1024)  # the same rule at a size quick to build
    # Zeros compress a thousandfold: a few KB that declare more than the limit unpacked.
    raw = zipped({"bomb.json": b"0" * (v.ZIP_MAX_TOTAL_BYTES + 1)})
    assert len(raw) < 20_000
    with pytest.raises(ValidationFailed) as refused:
        v.read_uploads([upload("bomb.zip", raw)])
    assert refused.value.code == "zip_too_large"


def test_a_member_larger_than_a_message_may_be_is_reported_without_reading_it_all():
    raw = zipped({"big.json": b" " * (v.MESSAGE_MAX_BYTES + 10) + b"{}"})
    batch = v.read_uploads([upload("big.zip", raw)])
    assert "larger than" in batch.messages[0].problem


SPEC_31 = b"""
openapi: 3.1.0
info: {title: Notices, version: "2.0"}
paths: {}
components:
  schemas:
    Notice:
      type: object
      required: [id, lines]
      properties:
        id: {type: string, format: uuid}
        note: {type: [string, "null"]}
        lines:
          type: array
          prefixItems: [{const: HEADER}]
          items: {$ref: "#/components/schemas/Line"}
    Line:
      type: [string, object]
      minLength: 1
"""


def test_an_openapi_31_document_is_checked_with_json_schema_2020_12():
    parsed = v.parse_specification(SPEC_31)
    schemas = v.SchemaSet(parsed)
    assert parsed.is_31 and parsed.request_schemas == [] and schemas.detect_candidates == ["Notice", "Line"]
    good = {"id": "3f1c8a9e-2b4d-4c6e-8f00-1234567890ab", "note": None, "lines": ["HEADER", "a"]}
    assert check(schemas, good, schema="Notice").status == "valid"
    bad = check(schemas, {**good, "lines": ["HEADER", ""]}, schema="Notice")
    assert [(x.path, x.keyword) for x in bad.violations] == [("$.lines[1]", "minLength")]
