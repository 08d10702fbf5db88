"""Bad input never makes a 5xx: every page and API read, each of its parameters given a NUL, garbage, a negative and
an enormous number, as a programme admin and as a participant's lead.

Generated like the permission matrix (tests/test_permission_matrix.py): its rows give each GET page and operation a
URL that works (so the page's own objects exist); from there each path parameter (from the URL pattern, or the
operation's path in the OpenAPI document) and each query parameter (declared in the OpenAPI document, or read from
``request.GET`` by the page's view) is replaced by each bad value in turn. A 4xx is a fine answer; an API error must
be in the shared shape, and every answer to bad input must be small.
"""

from __future__ import annotations

import inspect
import re
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, resolve, reverse

from config.api import api
from conftest import reread, rolled_back
from qualify.accounts.services import api_token_create
from qualify.core.actor import system_actor
from tests.matrix import Row
from tests.test_permission_matrix import GROUP_OF, PREPARES, ROWS, _base

BAD_VALUES = ["\x00", "x", "-1", "99999999999999999999"]
WHO = ["admin", "lead_a"]  # a programme admin (staff) and a participant's lead
MAX_ERROR_BODY = 64 * 1024  # an answer to bad input says what is wrong in a few lines, not megabytes

_GET_NAME = re.compile(r"""GET\.(?:get|getlist)\(\s*["'](\w+)["']|GET\[\s*["'](\w+)["']\]""")
_FILTER_CLASS = re.compile(r"(\w+)\.(?:from_mapping|of)\(")


def _operations() -> dict[str, dict[str, Any]]:
    """'GET /cases/{key}' -> its OpenAPI operation (with the path template), for every GET operation."""
    found = {}
    for path, ops in api.get_openapi_schema()["paths"].items():
        for method, op in ops.items():
            if method == "get":
                found[f"GET {path.removeprefix('/api/v1')}"] = {**op, "path": path}
    return found


OPERATIONS = _operations()


def _view_source(url: str) -> tuple[str, dict[str, Any]]:
    """The source of the view serving ``url`` (decorators unwrapped) and its module's names."""
    func = resolve(urlsplit(url).path).func
    func = getattr(func, "view_class", func)
    func = inspect.unwrap(func)
    module = sys.modules[func.__module__]
    try:
        return inspect.getsource(func), vars(module)
    except (OSError, TypeError):
        return "", vars(module)


def _page_query_names(url: str) -> set[str]:
    """The query parameters a page reads: named in its view, the fields of a filter set it builds from the query
    string, and, where it hands the whole query string on, every name its module reads."""
    source, names = _view_source(url)
    found = {a or b for a, b in _GET_NAME.findall(source)}
    for class_name in _FILTER_CLASS.findall(source):
        filters = names.get(class_name)
        fields = getattr(filters, "model_fields", None) or getattr(filters, "__dataclass_fields__", None) or {}
        found |= set(fields)
    if re.search(r"request\.GET[,)]", source):
        module_source = inspect.getsource(sys.modules[names["__name__"]])
        found |= {a or b for a, b in _GET_NAME.findall(module_source)} | {"page", "cursor"}
    return found


def _with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name] + [(name, value)]
    return f"{parts.path}?{urlencode(query)}"


def _page_urls(row: Row, cast: Any) -> list[str]:
    url = row.url(cast)
    match = resolve(urlsplit(url).path)
    urls = []
    if match.kwargs or match.args:
        viewname = f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)
        for bad in BAD_VALUES:
            try:
                if match.kwargs:
                    urls.append(reverse(viewname, kwargs=dict.fromkeys(match.kwargs, bad)))
                else:
                    urls.append(reverse(viewname, args=[bad] * len(match.args)))
            except NoReverseMatch:
                # A typed path (a slug, an int) cannot even hold the value: the URL resolver answers it with 404.
                urls.append(url.replace(str(next(iter(match.kwargs.values()), "")), quote(bad, safe=""), 1))
    urls += [_with_query(url, name, bad) for name in sorted(_page_query_names(url)) for bad in BAD_VALUES]
    return urls


def _api_urls(row: Row, cast: Any) -> list[str]:
    op = OPERATIONS[row.name.split(" (")[0]]  # a row may name its variant: "GET /library/versions/{key} (draft)"
    url = row.url(cast)
    params = op.get("parameters", [])
    urls = []
    path_names = [p["name"] for p in params if p["in"] == "path"]
    if path_names:
        for bad in BAD_VALUES:
            path = op["path"]
            for name in path_names:
                path = path.replace("{" + name + "}", bad.replace("\x00", "%00"))
            urls.append(path)
    for name in sorted(p["name"] for p in params if p["in"] == "query"):
        urls += [_with_query(url, name, bad) for bad in BAD_VALUES]
    return urls


def _problems(client: Client, url: str, api_call: bool, extra: dict[str, Any]) -> str | None:
    """What is wrong with the answer to ``url`` (None when it is a fine answer)."""
    with transaction.atomic():  # a database error (PostgreSQL) must not spoil the next request's transaction
        response = client.get(url, **extra)
    status = response.status_code
    if status >= 500:
        exc = getattr(response, "exc_info", None)
        return f"{url!r}: {status} {exc[1]!r}" if exc else f"{url!r}: {status}"
    if 400 <= status < 500:
        body = b"" if getattr(response, "streaming", False) else response.content
        if len(body) > MAX_ERROR_BODY:
            return f"{url!r}: {status} with a {len(body):,}-byte body"
        if api_call and set(response.json().get("error", {})) != {"code", "message", "details"}:
            return f"{url!r}: {status} not in the shared error shape: {body[:200]!r}"
    return None


def _check_rows(cast: Any, rows: list[Row], who: str) -> list[str]:
    page_client = Client(raise_request_exception=False)
    page_client.force_login(cast.user(who))
    api_client = Client(raise_request_exception=False)
    secret = api_token_create(actor=system_actor(), user=cast.user(who), name="bad input").secret
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    failures = []
    for row in rows:
        if row.api:
            urls, client, extra = _api_urls(row, cast), api_client, auth
        else:
            urls, client, extra = _page_urls(row, cast), page_client, {}
        for url in urls:
            problem = _problems(client, url, row.api, extra)
            if problem:
                failures.append(f"{row.name} as {who}: {problem}")
    return failures


GET_ROWS = [row for row in ROWS if row.method == "get" and row.name not in ("accounts:logout",)]


def _bad_input_class(group: str) -> type:
    rows = [row for row in GET_ROWS if GROUP_OF.get(row.name, "") == group]

    class BadInputGroup:
        @pytest.fixture(scope="class")
        @classmethod
        def prepared(cls, module_cast, django_db_blocker):  # type: ignore[no-untyped-def]
            with rolled_back(django_db_blocker):
                with django_db_blocker.unblock():
                    cast = _base(reread(module_cast))
                    if group:
                        PREPARES[group](cast)
                yield cast

        @pytest.mark.parametrize("who", WHO)
        def test_no_bad_value_in_any_parameter_makes_a_server_error(self, prepared, db, who):  # type: ignore[no-untyped-def]
            failures = _check_rows(prepared, rows, who)
            assert not failures, "\n".join(failures[:40]) + f"\n({len(failures)} in all)"

    return BadInputGroup


for _group in ["", *PREPARES]:
    _name = "TestBadInput" + (_group.split(".")[1].title() if _group else "Foundation")
    globals()[_name] = type(_name, (_bad_input_class(_group),), {})


def test_the_generated_requests_reach_every_get_page_and_operation():
    """The walk is not vacuous: every GET operation and page is asked for, and query parameters were found."""
    api_rows = {row.name.split(" (")[0] for row in GET_ROWS if row.api}
    assert set(OPERATIONS) <= api_rows, set(OPERATIONS) - api_rows
    declared = sum(1 for op in OPERATIONS.values() for p in op.get("parameters", []) if p["in"] == "query")
    assert declared >= 50


# --- the probe's failures, one by one -------------------------------------------------------------------------------


def test_a_non_uuid_organisation_filter_is_a_400_in_the_api_and_on_the_page(cast, client_for, token_for):
    answer = client_for(None).get("/api/v1/cases", {"organisation": "x"}, **token_for("admin"))
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_filter"
    assert set(answer.json()["error"]) == {"code", "message", "details"}
    page = client_for("admin").get(reverse("cases:list"), {"organisation": "x"})
    assert page.status_code == 400
    assert "organisation" in page.content.decode()
    # a real organisation still filters, in either spelling of its UUID
    found = (
        client_for(None)
        .get("/api/v1/cases", {"organisation": cast.org_a.uuid.hex.upper()}, **token_for("admin"))
        .json()
    )
    assert found["count"] >= 1
    assert {item["reference"] for item in found["items"]} >= {cast.case_a.reference}


def test_an_unknown_choice_in_the_case_filters_is_a_400(client_for, token_for):
    for name in ("role", "route", "state"):
        answer = client_for(None).get("/api/v1/cases", {name: "NOPE"}, **token_for("lead_a"))
        assert answer.status_code == 400, name
        assert answer.json()["error"]["details"] == {name: "invalid"}
    assert client_for(None).get("/api/v1/cases", {"role": "supplier"}, **token_for("lead_a")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases?search=%00",
        "/api/v1/cases/QC-%00",
        "/api/v1/organisations?search=a%00b",
        "/api/v1/library/artefacts?search=%00",
        "/api/v1/milestones/M%00",
        "/api/v1/cases?search=tab%09here",
    ],
)
def test_a_control_character_in_an_api_path_or_query_is_a_400_in_the_error_shape(client_for, token_for, url):
    answer = client_for(None).get(url, **token_for("admin"))
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "control_character"
    assert set(answer.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    "url", ["/cases/?search=%00", "/participants/?q=%00", "/library/?search=%00", "/cases/QC-%00/"]
)
def test_a_control_character_in_a_page_address_is_a_400_page_with_a_message(client_for, url):
    page = client_for("lead_a").get(url)
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "control character" in page.content.decode()


def test_a_nul_in_a_form_field_or_a_json_body_is_a_400_and_changes_nothing(cast, client_for, token_for):
    from qualify.cases.models import QualificationCase

    url = reverse("cases:transition", args=[cast.case_a.reference])
    form = "name=submit_prequalification&comment=a%00b"
    posted = client_for("lead_a").post(url, form, content_type="application/x-www-form-urlencoded")
    assert posted.status_code == 400
    assert "control character" in posted.content.decode()
    # a multipart form is the form's to check (Django's text fields refuse NUL): no step, no server error
    multipart = client_for("lead_a").post(url, {"name": "submit_prequalification", "comment": "a\x00b"})
    assert multipart.status_code < 500
    api_url = f"/api/v1/cases/{cast.case_a.reference}/transitions"
    body = '{"name": "submit_prequalification", "comment": "a\\u0000b"}'
    answer = client_for(None).post(api_url, body, content_type="application/json", **token_for("lead_a"))
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "control_character"
    assert QualificationCase.objects.get(pk=cast.case_a.pk).state == "DRAFT"


def test_an_escaped_backslash_before_u0000_in_json_is_text_not_a_nul():
    from django.test import RequestFactory

    from qualify.core.middleware import RefuseControlCharactersMiddleware

    passed = []
    middleware = RefuseControlCharactersMiddleware(lambda request: passed.append(request) or HttpResponse("ok"))
    factory = RequestFactory()
    literal = factory.post("/api/v1/x", '{"comment": "C:\\\\u0000 is a path"}', content_type="application/json")
    assert middleware(literal).status_code == 200
    nul = factory.post("/api/v1/x", '{"comment": "\\\\\\u0000"}', content_type="application/json")
    assert middleware(nul).status_code == 400
    assert len(passed) == 1


@pytest.mark.parametrize(
    "query",
    [
        {"offset": "99999999999999999999"},
        {"offset": "1000000001"},
        {"offset": "-1"},
        {"limit": "-1"},
        {"limit": "0"},
        {"limit": "x"},
        {"offset": "x"},
    ],
)
def test_an_out_of_range_or_non_integer_page_is_a_4xx_in_the_error_shape(client_for, token_for, query):
    for url in ("/api/v1/organisations", "/api/v1/cases", "/api/v1/library/artefacts", "/api/v1/notifications"):
        answer = client_for(None).get(url, query, **token_for("admin"))
        assert answer.status_code == 422, (url, query)
        assert set(answer.json()["error"]) == {"code", "message", "details"}


def test_the_largest_offset_allowed_is_an_empty_page(client_for, token_for):
    answer = client_for(None).get("/api/v1/organisations", {"offset": "1000000000"}, **token_for("admin"))
    assert answer.status_code == 200
    assert answer.json()["items"] == []


@pytest.mark.parametrize("value", ["-1", "x", "99999999999999999999"])
def test_an_odd_page_number_on_a_page_is_still_a_page(client_for, value):
    assert client_for("admin").get(reverse("participants:list"), {"page": value}).status_code == 200


# --- files nested too deep, too large, or with too many problems ----------------------------------------------------


def _qad_question(index: int, *, qid: str | None = None) -> str:
    return (
        f'{{id: {qid or f"Q-1.{index}"}, number: "1.{index}", text: "Question {index}", type: text, '
        "roles: ALL, routes: ALL}"
    )


def _qad_file(questions: list[str]) -> str:
    return (
        'version: "9.1"\ntitle: "Big"\nsections:\n  - number: "1"\n    title: "One"\n    owner: BSC\n'
        "    questions:\n" + "".join(f"      - {q}\n" for q in questions)
    )


def _refusal(call: Any) -> tuple[Any, float]:
    from qualify.core.errors import ValidationFailed

    started = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        call()
    return refused.value, time.monotonic() - started


def test_a_qad_file_nested_twenty_thousand_levels_deep_is_refused_quickly_in_words():
    from qualify.qad.services import qad_version_check

    deep = 'version: "9.1"\ntitle: "Deep"\nsections: ' + "[" * 20_000 + "]" * 20_000 + "\n"
    error, took = _refusal(lambda: qad_version_check(text=deep))
    assert took < 5
    assert error.code == "qad_file_invalid"
    assert "nests more than" in error.message
    assert error.details["problems"][0]["line"] == 3


def test_a_qad_file_of_forty_thousand_questions_is_refused_quickly_with_a_short_error():
    from qualify.qad.services import qad_version_check

    huge = _qad_file([_qad_question(i) for i in range(40_000)])
    error, took = _refusal(lambda: qad_version_check(text=huge))
    assert took < 5
    assert len(str(error.message)) + len(str(error.details)) < 2_000


def test_a_qad_file_with_more_questions_than_allowed_is_refused_before_any_is_read():
    from qualify.qad.loader import QUESTIONS_MAX
    from qualify.qad.services import qad_version_check

    many = _qad_file([_qad_question(i) for i in range(QUESTIONS_MAX + 1)])
    error, _ = _refusal(lambda: qad_version_check(text=many))
    assert f"holds {QUESTIONS_MAX + 1:,} questions" in error.message
    assert error.details["count"] == 1


def test_a_file_with_hundreds_of_problems_lists_the_first_fifty_and_the_count():
    from qualify.core.yamlfile import SHOWN_PROBLEMS
    from qualify.qad.services import qad_version_check

    bad = _qad_file([_qad_question(i, qid="nope" + "x" * 5_000) for i in range(300)])
    error, _ = _refusal(lambda: qad_version_check(text=bad))
    assert error.details["count"] >= 300
    assert len(error.details["problems"]) == SHOWN_PROBLEMS
    assert all(len(p["message"]) <= 300 for p in error.details["problems"])
    assert len(error.message) < 1_000


def test_a_qad_file_with_yaml_aliases_is_refused():
    from qualify.qad.services import qad_version_check

    bombed = 'version: "9.1"\ntitle: &t "Big"\nstatus: *t\nsections: []\n'
    error, _ = _refusal(lambda: qad_version_check(text=bombed))
    assert "alias" in error.message


def test_the_qad_upload_page_answers_a_deep_file_with_a_short_page(cast, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    deep = ('version: "9.1"\ntitle: "Deep"\nsections: ' + "[" * 20_000 + "]" * 20_000 + "\n").encode()
    upload = SimpleUploadedFile("deep.yaml", deep, content_type="application/yaml")
    page = client_for("admin").post(reverse("qad:version_upload"), {"file": upload})
    assert page.status_code == 422
    assert "nests more than" in page.content.decode()
    assert len(page.content) < MAX_ERROR_BODY


def test_the_catalogue_loader_shares_the_limits():
    from qualify.testing.services.catalogue import catalogue_check

    deep = "version: '1.0'\ncases: " + "[" * 20_000 + "]" * 20_000 + "\n"
    error, took = _refusal(lambda: catalogue_check(text=deep))
    assert took < 5
    assert error.code == "catalogue_file_invalid"
    assert "nests more than" in error.message
