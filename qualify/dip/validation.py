"""Reading a DIP interface specification (OpenAPI 3.0 or 3.1) and checking sample messages against its schemas.

Nothing here is a hand-written check of a message: the specification is checked by ``openapi-spec-validator``, and
each message by ``jsonschema`` through ``openapi-schema-validator``'s OpenAPI dialects (``OAS30Validator`` for 3.0,
with ``nullable`` and the OpenAPI formats; ``OAS31Validator`` for 3.1, JSON Schema 2020-12). ``$ref``s are resolved
by the ``referencing`` library inside the uploaded document only: a reference to anything outside it (another file,
a URL) is refused when the specification is uploaded, and the resolvers are given no way to fetch one, so reading a
specification never touches the network or the disk.

Everything is bounded: the specification's size, depth and number of values (the safe reader of
``qualify/core/yamlfile.py``), a message's size and depth, a zip's members and total unpacked size, the violations
kept per message, and the number of (message, schema) checks one run may make.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

import yaml
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas30_format_checker, oas31_format_checker
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from qualify.core.errors import ValidationFailed
from qualify.core.text import error_text, one_line
from qualify.core.yamlfile import FileInvalid, compose

# --- bounds ----------------------------------------------------------------------------------------------------------

SPEC_MAX_BYTES = 5 * 1024 * 1024  # the largest interface specification accepted
SPEC_MAX_DEPTH = 64  # OpenAPI documents nest deeper than a QAD file (paths → operation → body → schema → …)
SPEC_MAX_NODES = 500_000
SPEC_PROBLEMS_SHOWN = 30
MAX_SCHEMAS = 1000  # component schemas one specification may define
MESSAGE_MAX_BYTES = 1024 * 1024  # one sample message
MESSAGE_MAX_DEPTH = 64
UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # everything one run uploads (JSON files and zips), as it arrives
ZIP_MAX_MEMBERS = 500
ZIP_MAX_TOTAL_BYTES = 50 * 1024 * 1024  # unpacked, across a zip's members
MAX_MESSAGES = 500  # messages in one run
# What one run may check, inline in the request: (message, schema) pairs, and the messages' bytes times the schemas
# each is checked against. Measured on a 2-core machine, jsonschema walks about 0.4 MB of message a second per schema,
# and a small message costs about 1 ms per schema: so a run stays within about five seconds.
MAX_CHECKS = 5_000
MAX_CHECKED_BYTES = 2 * 1024 * 1024
VIOLATIONS_KEPT = 50  # violations kept (and shown) per message; the count says how many there were
TEXT_CHARS = 300  # a violation's message is cut to this many characters
NAME_CHARS = 200  # a file name as shown
SKIPPED_SHOWN = 50

LOCAL_URI = "urn:qualify:dip:specification"


class SpecificationInvalid(FileInvalid):
    """The uploaded document is not an OpenAPI 3.x document we can read."""


# --- the specification -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecProblem:
    where: str
    message: str


@dataclass(frozen=True)
class ParsedSpecification:
    document: dict[str, Any]
    openapi: str  # "3.0.3", "3.1.0"
    title: str
    version: str
    schema_names: list[str]
    request_schemas: list[str]  # component schemas a request body names directly, in the order they appear

    @property
    def is_31(self) -> bool:
        return self.openapi.startswith("3.1")


def _refused(problems: list[SpecProblem], *, what: str = "The specification") -> ValidationFailed:
    shown = [
        {"where": one_line(p.where, limit=NAME_CHARS), "message": one_line(p.message, limit=TEXT_CHARS)}
        for p in problems[:SPEC_PROBLEMS_SHOWN]
    ]
    first = problems[0]
    more = f" (and {len(problems) - 1:,} more)" if len(problems) > 1 else ""
    return ValidationFailed(
        one_line(f"{what} is refused: {first.where}: {first.message}{more}", limit=600, mark_cut=True),
        details={"problems": shown, "count": len(problems)},
        code="specification_invalid",
    )


def _plain(value: Any, where: str, problems: list[SpecProblem]) -> Any:
    """YAML's values as JSON's: keys as text (``200:`` is a response code, not a number), dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{where}/{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, f"{where}/{i}", problems) for i, v in enumerate(value)]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        problems.append(SpecProblem(where or "/", "holds binary data, which a JSON document cannot"))
        return None
    if isinstance(value, float) and value != value:  # NaN
        problems.append(SpecProblem(where or "/", "holds NaN, which a JSON document cannot"))
        return None
    return value


def _walk(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every (JSON pointer, mapping) in the document, without recursion."""
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            yield path, node
            stack.extend((f"{path}/{k}", v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}/{i}", v) for i, v in enumerate(node))


def external_refs(document: dict[str, Any]) -> list[SpecProblem]:
    """Every ``$ref`` that points outside the document (another file or a URL): we never fetch one."""
    found = []
    for path, node in _walk(document):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            found.append(
                SpecProblem(
                    f"{path or '/'}/$ref",
                    f"refers to {ref[:120]!r} outside this document; external references are not fetched — "
                    "bundle the specification into one file",
                )
            )
    return found


class _OfflineV30(OpenAPIV30SpecValidator):
    resolver_handlers: Any = {}  # no handler for http, https or file: nothing outside the document is read


class _OfflineV31(OpenAPIV31SpecValidator):
    resolver_handlers: Any = {}


def _load(text: str) -> Any:
    try:
        compose(
            text,
            invalid=SpecificationInvalid,
            detail_unmarked=True,
            max_chars=SPEC_MAX_BYTES,
            max_depth=SPEC_MAX_DEPTH,
            max_nodes=SPEC_MAX_NODES,
        )
    except SpecificationInvalid as exc:
        raise exc.failed("The specification", code="specification_invalid") from exc
    # The shape was bounded and aliases refused above, so the plain safe loader cannot be made to blow up.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506  # a safe loader


def parse_specification(raw: bytes, *, check: bool = True) -> ParsedSpecification:
    """The document in ``raw`` (YAML or JSON), refused with every problem found unless it is valid OpenAPI 3.0/3.1.

    ``check=False`` skips the full OpenAPI check, for a document that passed it when it was uploaded.
    """
    if len(raw) > SPEC_MAX_BYTES:
        raise _refused([SpecProblem("(file)", f"is larger than {SPEC_MAX_BYTES // (1024 * 1024)} MB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refused([SpecProblem("(file)", "is not UTF-8 text (a YAML or JSON file)")]) from None
    problems: list[SpecProblem] = []
    document = _plain(_load(text), "", problems)
    if not isinstance(document, dict):
        raise _refused([SpecProblem("(file)", "is not a mapping of field: value; an OpenAPI document is one")])
    openapi = document.get("openapi")
    if not isinstance(openapi, str) or not openapi.startswith(("3.0.", "3.1.")):
        said = f"says openapi: {str(openapi)[:20]!r}" if openapi is not None else "has no 'openapi' field"
        if "swagger" in document:
            said = "is a Swagger 2.0 document"
        problems.append(SpecProblem("/openapi", f"{said}; only OpenAPI 3.0 and 3.1 documents are accepted"))
    problems.extend(external_refs(document))
    if problems or not isinstance(openapi, str):
        raise _refused(problems)
    if check:
        validator_class = _OfflineV31 if openapi.startswith("3.1") else _OfflineV30
        try:
            errors = list(islice(validator_class(document).iter_errors(), SPEC_PROBLEMS_SHOWN + 1))
        except Exception as exc:  # a reference the checker cannot resolve, or its own failure
            errors = []
            problems.append(SpecProblem("(document)", f"could not be checked: {error_text(exc, limit=TEXT_CHARS)}"))
        for error in errors:
            path = "/" + "/".join(str(p) for p in getattr(error, "absolute_path", ()))
            # The checker's message ends with the whole failing schema and instance; the first sentence says it.
            said = str(getattr(error, "message", error)).split("\n\nFailed validating", 1)[0]
            problems.append(SpecProblem(path, said.split(" Failed validating", 1)[0]))
    info = _mapping(document.get("info"))
    schemas = _mapping(_mapping(document.get("components")).get("schemas"))
    if not schemas and not problems:
        problems.append(
            SpecProblem("/components/schemas", "defines no schemas, so there is nothing to validate against")
        )
    if len(schemas) > MAX_SCHEMAS:
        problems.append(SpecProblem("/components/schemas", f"defines more than {MAX_SCHEMAS:,} schemas"))
    if problems:
        raise _refused(problems)
    names = [str(n) for n in schemas]
    return ParsedSpecification(
        document=document,
        openapi=openapi,
        title=one_line(info.get("title", ""), limit=200),
        version=one_line(info.get("version", ""), limit=64),
        schema_names=names,
        request_schemas=_request_schemas(document, set(names)),
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _request_schemas(document: dict[str, Any], known: set[str]) -> list[str]:
    prefix = "#/components/schemas/"
    found: list[str] = []
    for item in _mapping(document.get("paths")).values():
        for operation in item.values() if isinstance(item, dict) else ():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            content = body.get("content") if isinstance(body, dict) else None
            for media in content.values() if isinstance(content, dict) else ():
                schema = media.get("schema") if isinstance(media, dict) else None
                ref = schema.get("$ref") if isinstance(schema, dict) else None
                if isinstance(ref, str) and ref.startswith(prefix):
                    name = ref.removeprefix(prefix).replace("~1", "/").replace("~0", "~")
                    if name in known and name not in found:
                        found.append(name)
    return found


# --- the messages ----------------------------------------------------------------------------------------------------


@dataclass
class Message:
    """One sample message: its data, or why it could not be read."""

    name: str
    data: Any = None
    problem: str = ""
    size: int = 0  # the file's bytes: what checking it costs


@dataclass
class Upload:
    """One uploaded file (a JSON message or a zip of them)."""

    name: str
    stream: IO[bytes]
    size: int


@dataclass
class Batch:
    messages: list[Message] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # zip members that are not .json files


def _depth(value: Any) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def read_message(name: str, raw: bytes) -> Message:
    """A message from one file's bytes; a file that is not a JSON message is reported, not raised."""
    shown = one_line(name, limit=NAME_CHARS) or "(no name)"
    if len(raw) > MESSAGE_MAX_BYTES:
        return Message(shown, problem=f"is larger than the {MESSAGE_MAX_BYTES // 1024:,} KB limit for one message")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Message(shown, problem="is not UTF-8 text, so it is not a JSON message")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return Message(shown, problem=f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    except RecursionError:
        return Message(shown, problem=f"nests more than {MESSAGE_MAX_DEPTH} levels deep")
    except ValueError as exc:
        return Message(shown, problem=f"is not valid JSON: {error_text(exc, limit=TEXT_CHARS)}")
    if _depth(data) > MESSAGE_MAX_DEPTH:
        return Message(shown, problem=f"nests more than {MESSAGE_MAX_DEPTH} levels deep")
    return Message(shown, data=data, size=len(raw))


def _refuse_upload(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(one_line(message, limit=600), details={"upload": code}, code=code)


def _is_zip(name: str, head: bytes) -> bool:
    return name.lower().endswith(".zip") or head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def _member_problem(name: str) -> str:
    """Why a zip member's name is refused: a path that would leave the folder it is unpacked into."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if "\\" in name:
        return "uses backslashes"
    if ".." in name.split("/"):
        return "climbs out of the zip's folder (..)"
    if "\x00" in name:
        return "holds a NUL character"
    return ""


def read_zip(name: str, stream: IO[bytes], batch: Batch) -> None:
    """The messages in a zip, refused as a whole when it is unsafe (too many members, too big unpacked, paths out of
    the folder, a zip inside it): nothing is written to disk, members are read with a bounded read."""
    shown = one_line(name, limit=NAME_CHARS)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse_upload(f"{shown} is not a readable zip file.", "bad_zip") from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > ZIP_MAX_MEMBERS:
            raise _refuse_upload(
                f"{shown} holds {len(members):,} files; at most {ZIP_MAX_MEMBERS:,} are read from one zip.",
                "zip_too_many_members",
            )
        declared = sum(info.file_size for info in members)
        if declared > ZIP_MAX_TOTAL_BYTES:
            raise _refuse_upload(
                f"{shown} unpacks to {declared / (1024 * 1024):,.0f} MB; at most "
                f"{ZIP_MAX_TOTAL_BYTES // (1024 * 1024)} MB are read from one zip.",
                "zip_too_large",
            )
        for info in members:
            problem = _member_problem(info.filename)
            if problem:
                raise _refuse_upload(
                    f"{shown} is refused: the member {info.filename[:120]!r} {problem}.", "zip_unsafe_path"
                )
            if info.filename.lower().endswith(".zip"):
                raise _refuse_upload(
                    f"{shown} holds another zip ({info.filename[:120]}); zips inside zips are not opened.", "zip_nested"
                )
        unpacked = 0
        for info in members:
            member = info.filename
            if member.startswith("__MACOSX/") or member.rsplit("/", 1)[-1].startswith("."):
                continue  # an archiver's own bookkeeping, not a message
            if not member.lower().endswith(".json"):
                batch.skipped.append(one_line(member, limit=NAME_CHARS))
                continue
            if info.flag_bits & 0x1:
                batch.messages.append(Message(one_line(member, limit=NAME_CHARS), problem="is encrypted in the zip"))
                continue
            try:
                with archive.open(info) as handle:
                    # A member may claim to be small and unpack to far more: never read more than the limit allows.
                    raw = handle.read(MESSAGE_MAX_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                batch.messages.append(
                    Message(one_line(member, limit=NAME_CHARS), problem=f"could not be unpacked: {error_text(exc)}")
                )
                continue
            unpacked += len(raw)
            if unpacked > ZIP_MAX_TOTAL_BYTES:
                raise _refuse_upload(f"{shown} unpacks to more than it declares; it is refused.", "zip_too_large")
            if raw.startswith((b"PK\x03\x04", b"PK\x05\x06")):
                raise _refuse_upload(
                    f"{shown} holds another zip ({member[:120]}); zips inside zips are not opened.", "zip_nested"
                )
            batch.messages.append(read_message(member, raw))
            if len(batch.messages) > MAX_MESSAGES:
                break


def read_uploads(uploads: Sequence[Upload]) -> Batch:
    """Every message in the uploaded files (JSON files and zips of them), in the order given; refused as a whole
    when an upload is unsafe or the run would hold more than ``MAX_MESSAGES`` messages."""
    if not uploads:
        raise _refuse_upload("Choose at least one JSON file or zip of JSON files to validate.", "no_files")
    if sum(u.size for u in uploads) > UPLOAD_MAX_BYTES:
        raise _refuse_upload(
            f"The files add up to more than {UPLOAD_MAX_BYTES // (1024 * 1024)} MB; validate them in smaller runs.",
            "upload_too_large",
        )
    batch = Batch()
    for upload in uploads:
        upload.stream.seek(0)
        head = upload.stream.read(4)
        upload.stream.seek(0)
        if _is_zip(upload.name, head):
            read_zip(upload.name, upload.stream, batch)
        else:
            batch.messages.append(read_message(upload.name, upload.stream.read(MESSAGE_MAX_BYTES + 1)))
        if len(batch.messages) > MAX_MESSAGES:
            raise _refuse_upload(
                f"The files hold more than {MAX_MESSAGES:,} messages; validate them in smaller runs.",
                "too_many_messages",
            )
    if not batch.messages:
        raise _refuse_upload("The files hold no JSON messages (.json files) to validate.", "no_messages")
    return batch


# --- checking messages against schemas -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    path: str  # where in the message, as a JSONPath: $.items[2].mpid
    message: str
    keyword: str  # the schema keyword that failed: required, enum, format, …

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "keyword": self.keyword}


@dataclass
class Outcome:
    """What one message came to: the schemas it matches, or the violations against the closest (or chosen) one."""

    name: str
    status: str  # "valid", "invalid" or "unreadable"
    matched: list[str] = field(default_factory=list)
    compared_with: str = ""
    violations: list[Violation] = field(default_factory=list)
    violation_count: int = 0
    problem: str = ""


OUTLINE_KEYWORDS = frozenset({"required", "additionalProperties", "type", "unevaluatedProperties"})


class SchemaSet:
    """The specification's component schemas as ready validators, their ``$ref``s resolved within the document."""

    def __init__(self, parsed: ParsedSpecification) -> None:
        draft = DRAFT202012 if parsed.is_31 else DRAFT4
        resource = Resource.from_contents(parsed.document, default_specification=draft)
        # A registry with no ``retrieve``: a reference it does not hold is an error, never a fetch.
        self.registry: Registry[Any] = Registry().with_resource(LOCAL_URI, resource)
        self.validator_class: Any = OAS31Validator if parsed.is_31 else OAS30Validator
        self.format_checker = oas31_format_checker if parsed.is_31 else oas30_format_checker
        self.names = parsed.schema_names
        self.detect_candidates = parsed.request_schemas or parsed.schema_names
        self._validators: dict[str, Any] = {}

    def validator(self, name: str) -> Any:
        if name not in self._validators:
            pointer = name.replace("~", "~0").replace("/", "~1")
            schema = {"$ref": f"{LOCAL_URI}#/components/schemas/{pointer}"}
            self._validators[name] = self.validator_class(
                schema, registry=self.registry, format_checker=self.format_checker
            )
        return self._validators[name]

    def violations(self, name: str, data: Any, *, limit: int) -> tuple[list[Violation], int]:
        """At most ``limit`` violations of schema ``name`` (most relevant first) and whether there were more
        (the count is ``limit + 1`` then)."""
        try:
            errors = list(islice(self.validator(name).iter_errors(data), limit + 1))
        except RecursionError:
            return [Violation("$", "the schema refers to itself without end for this message", "$ref")], 1
        except Exception as exc:  # an unresolvable reference or a bad pattern in the schema itself
            return [Violation("$", f"the schema could not be applied: {error_text(exc, limit=TEXT_CHARS)}", "")], 1
        found = [
            Violation(
                path=one_line(error.json_path, limit=NAME_CHARS),
                message=one_line(error.message, limit=TEXT_CHARS, mark_cut=True),
                keyword=one_line(error.validator, limit=40),
            )
            for error in errors
        ]
        return found[:limit], len(errors)


def check_message(schemas: SchemaSet, message: Message, *, schema: str = "") -> Outcome:
    """Check one message against the chosen ``schema``, or against every detection candidate when none is chosen."""
    if message.problem:
        return Outcome(message.name, "unreadable", problem=message.problem)
    candidates = [schema] if schema else schemas.detect_candidates
    matched: list[str] = []
    closest: tuple[tuple[int, int], str, list[Violation], int] | None = None
    for name in candidates:
        found, count = schemas.violations(name, message.data, limit=VIOLATIONS_KEPT)
        if count == 0:
            matched.append(name)
            continue
        # The closest schema is the one the message's outline fits best (fewest missing or unexpected top-level
        # fields, or a wrong type outright), then the one with the fewest violations: a batch with six bad values
        # is still closer to the batch schema than to a registration it shares no field with.
        rank = (sum(1 for v in found if v.path == "$" and v.keyword in OUTLINE_KEYWORDS), count)
        if closest is None or rank < closest[0]:
            closest = (rank, name, found, count)
    if matched:
        return Outcome(message.name, "valid", matched=matched)
    assert closest is not None  # there is at least one candidate and none matched
    _, name, found, count = closest
    return Outcome(message.name, "invalid", compared_with=name, violations=found, violation_count=count)


def check_messages(schemas: SchemaSet, messages: Sequence[Message], *, schema: str = "") -> list[Outcome]:
    if schema and schema not in schemas.names:
        raise ValidationFailed(
            f"The specification has no schema called {schema[:80]!r}.", details={"schema": "unknown"}, code="bad_schema"
        )
    candidates = 1 if schema else len(schemas.detect_candidates)
    checks = len(messages) * candidates
    checked_bytes = sum(m.size for m in messages) * candidates
    if checks > MAX_CHECKS or checked_bytes > MAX_CHECKED_BYTES:
        how = (
            "validate fewer messages at a time" if schema else "choose the schema, or validate fewer messages at a time"
        )
        raise ValidationFailed(
            f"Checking {len(messages):,} messages ({sum(m.size for m in messages) / 1024:,.0f} KB) against "
            f"{candidates:,} schema(s) is more than one run does; {how}.",
            details={"checks": checks, "limit": MAX_CHECKS, "bytes": checked_bytes, "bytes_limit": MAX_CHECKED_BYTES},
            code="too_much_work",
        )
    return [check_message(schemas, message, schema=schema) for message in messages]


def report_json(payload: dict[str, Any]) -> bytes:
    """A run's report as indented JSON (its keys sorted, so two reports of one run are byte-identical)."""
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def as_stream(raw: bytes) -> io.BytesIO:
    return io.BytesIO(raw)
