"""Every page and endpoint against every kind of person: allowed, wrong role, other organisation, anonymous, and a
machine client (a market system's token, ``tests/matrix.py::MACHINE``).

Each row names a URL and what each member of the cast gets (``None`` is the anonymous visitor). The rows of the
foundation apps are here; later apps list theirs in ``qualify/<app>/tests/matrix.py`` (``ROWS``, and optionally
``prepare(cast)`` to create what their URLs need), collected below. A test at the bottom fails if a URL or API
operation exists that no row covers.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from config.api import api
from conftest import reread, rolled_back
from qualify.accounts.models import TokenScope
from qualify.accounts.services import api_token_create
from qualify.cases.models import QualificationCase
from qualify.core.actor import system_actor
from qualify.plan.services import milestone_upsert
from qualify.testing.tests.helpers import prequalify
from tests.matrix import A_MEMBERS, DECIDERS, MACHINE, SIGNED_IN, STAFF, Row, endpoint, every, page

case_a = lambda c: c.case_a.reference  # noqa: E731
org_a = lambda c: str(c.org_a.uuid)  # noqa: E731

BASE_ROWS = [
    Row("core:health", lambda c: reverse("core:health"), {None: 200, **every(SIGNED_IN, 200)}),
    # Signed-in people are sent on from the sign-in page.
    Row("accounts:login", lambda c: reverse("accounts:login"), {None: 200, **every(SIGNED_IN, 302)}),
    Row(
        "accounts:password_reset",
        lambda c: reverse("accounts:password_reset"),
        {None: 200, **every(SIGNED_IN, 200)},
    ),
    page("accounts:logout", lambda c: reverse("accounts:logout"), every(SIGNED_IN, 302), method="post"),
    # allauth's own pages (sign-in, second factors, sessions) are in qualify/accounts/tests/matrix.py.
    page(
        "cases:home",
        lambda c: reverse("cases:home"),
        {**every([*A_MEMBERS, "lead_b"], 200), **every(STAFF, 302)},
    ),
    page("cases:list", lambda c: reverse("cases:list"), every(SIGNED_IN, 200)),
    page("cases:lifecycle", lambda c: reverse("cases:lifecycle"), every(SIGNED_IN, 200)),
    page(
        "cases:detail",
        lambda c: reverse("cases:detail", args=[case_a(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    # Form posts answer with a redirect; whether the step happened is checked in test_transition_post_*.
    page(
        "cases:transition",
        lambda c: reverse("cases:transition", args=[case_a(c)]),
        {**every(A_MEMBERS, 302), "lead_b": 404, **every(STAFF, 302)},
        method="post",
        data=lambda c: {"confirm": "on", "name": "submit_prequalification", "comment": "matrix"},
    ),
    page(
        "cases:assign_wave",
        lambda c: reverse("cases:assign_wave", args=[case_a(c)]),
        {**every(SIGNED_IN, 403), "admin": 302},
        method="post",
        data=lambda c: {"wave": "W1"},
    ),
    page("participants:list", lambda c: reverse("participants:list"), every(SIGNED_IN, 200)),
    page(
        "participants:detail",
        lambda c: reverse("participants:detail", args=[org_a(c)]),
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200)},
    ),
    page("plan:plan", lambda c: reverse("plan:plan"), every(SIGNED_IN, 200)),
    page("plan:milestone", lambda c: reverse("plan:milestone", args=["M14"]), every(SIGNED_IN, 200)),
    page(
        "plan:milestone_move",
        lambda c: reverse("plan:milestone_move", args=["M14"]),
        {**every(SIGNED_IN, 403), "admin": 302},
        method="post",
        data=lambda c: {"new_date": "2026-10-28", "change_request": "CR099"},
    ),
    page("accounts:tokens", lambda c: reverse("accounts:tokens"), every(SIGNED_IN, 200)),
    page(
        "accounts:token_revoke",
        lambda c: reverse("accounts:token_revoke", args=[str(c.token_a.uuid)]),
        {**every(SIGNED_IN, 404), "lead_a": 302, "admin": 302},
        method="post",
        data=lambda c: {"confirm": "on"},
    ),
    endpoint("GET /organisations", lambda c: "/api/v1/organisations", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint(
        "GET /organisations/{uuid}",
        lambda c: f"/api/v1/organisations/{org_a(c)}",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200), "machine": 403},
    ),
    endpoint("GET /participations", lambda c: "/api/v1/participations", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint(
        "GET /participations/{uuid}",
        lambda c: f"/api/v1/participations/{c.supplier_a.uuid}",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200), "machine": 403},
    ),
    endpoint("GET /milestones", lambda c: "/api/v1/milestones", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint("GET /milestones/{code}", lambda c: "/api/v1/milestones/M14", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint("GET /waves", lambda c: "/api/v1/waves", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint("GET /cases", lambda c: "/api/v1/cases", {**every(SIGNED_IN, 200), "machine": 403}),
    endpoint(
        "GET /register/{mpid}/{role}",
        lambda c: "/api/v1/register/NWEN/SUPPLIER",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200), "machine": 200},
    ),
    endpoint("GET /register/changes", lambda c: "/api/v1/register/changes", {**every(SIGNED_IN, 200), "machine": 200}),
    endpoint(
        "GET /register/publication.csv",
        lambda c: "/api/v1/register/publication.csv?since=2026-01-01&until=2026-12-31",
        {**every(SIGNED_IN, 200), "machine": 200},
    ),
    endpoint(
        "GET /cases/{key}",
        lambda c: f"/api/v1/cases/{case_a(c)}",
        {**every(A_MEMBERS, 200), "lead_b": 404, **every(STAFF, 200), "machine": 403},
    ),
    endpoint(
        "POST /cases/{key}/transitions",
        lambda c: f"/api/v1/cases/{case_a(c)}/transitions",
        {
            "lead_a": 200,
            "admin": 200,
            "contributor_a": 403,
            "viewer_a": 403,
            "lead_b": 404,
            **every(["bsc", "rec", "dip", *DECIDERS, "auditor"], 403),
            "machine": 403,
        },
        method="post",
        data=lambda c: {"name": "submit_prequalification", "comment": "matrix"},
    ),
]


def _app_matrices():  # type: ignore[no-untyped-def]
    import qualify

    for info in pkgutil.iter_modules(qualify.__path__):
        try:
            yield importlib.import_module(f"qualify.{info.name}.tests.matrix")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"qualify.{info.name}.tests", f"qualify.{info.name}.tests.matrix"):
                raise


APP_MATRICES = list(_app_matrices())
ROWS = BASE_ROWS + [row for module in APP_MATRICES for row in module.ROWS]
# Each row is set up by its own app's prepare() only, so one app's set-up never disturbs another's rows. A group is the
# rows that share one prepare(): it runs once per group (not once per test), in a savepoint that the group's end rolls
# back, and each test runs in a savepoint inside that, so a POST in one test is never seen by the next.
PREPARES: dict[str, Callable[[Any], None]] = {
    module.__name__: module.prepare for module in APP_MATRICES if hasattr(module, "prepare")
}
GROUP_OF = {row.name: module.__name__ for module in APP_MATRICES if hasattr(module, "prepare") for row in module.ROWS}
WHO = [None, *SIGNED_IN, MACHINE]


def _base(cast: Any) -> Any:
    milestone_upsert(actor=system_actor(), code="M14", name="All Suppliers qualified", date=None)
    # Case A's pre-qualification form, complete, so its lead's submit_prequalification rows can take the step.
    prequalify(cast.case_a, submit=False)
    cast.token_a = api_token_create(actor=system_actor(), user=cast.user("lead_a"), name="a's token").token
    return cast


@pytest.fixture
def matrix_cast(cast):  # type: ignore[no-untyped-def]
    return _base(cast)


# Every operation of the OpenAPI document ("GET /cases"), each held against the narrow token scopes below, so a new
# operation is covered as soon as it has its matrix row (which ``test_matrix_covers_every_url_and_endpoint`` demands).
API_OPERATIONS = frozenset(
    f"{method.upper()} {path.removeprefix('/api/v1')}"
    for path, ops in api.get_openapi_schema()["paths"].items()
    for method in ops
)
NARROW_SCOPES = [TokenScope.READ, TokenScope.REGISTER_GATING]
# What a register-and-gating token reaches, by path: the register (with its import jobs), gating and one's webhooks,
# any method, and the public library's reads — what a market system reaches (``tests/matrix.py::MACHINE``).
INTEGRATION_PATHS = ("/register/", "/register-imports", "/gating/", "/webhooks")
PUBLIC_LIBRARY_READS = ("/library/artefacts", "/library/versions/")


def scope_refusal(row: Row, scope: str) -> str:
    """The words of the 403 a token of ``scope`` gets for ``row`` before the operation runs, or "" if it reaches it."""
    if not row.api or scope == TokenScope.FULL:
        return ""
    method, path = row.name.split(" ", 1)
    if scope == TokenScope.READ and method not in ("GET", "HEAD", "OPTIONS"):
        return "read-only"
    library_read = method == "GET" and path.startswith(PUBLIC_LIBRARY_READS)
    if scope == TokenScope.REGISTER_GATING and not (path.startswith(INTEGRATION_PATHS) or library_read):
        return "register and gating"
    return ""


def scope_subject(row: Row) -> str:
    """Whom to ask a row with a scoped token as: someone the operation answers (so a 403 is the scope's), else
    anyone signed in."""
    for who in [*SIGNED_IN, MACHINE]:
        if row.expect.get(who, 999) < 400:
            return who
    return SIGNED_IN[0]


def _client(cast: Any, who: str | None) -> Client:
    client = Client()
    if who is not None:
        client.force_login(cast.user(who))
    return client


def check(cast: Any, row: Row, who: str | None, scope: str = TokenScope.FULL) -> None:
    """Ask for the row's URL as ``who`` (with a token of ``scope`` for an API row) and compare the status with the
    row's expectation, or with the scope's refusal where the scope does not reach the operation."""
    if who not in row.expect:
        pytest.fail(f"{row.name}: the matrix has no expectation for {who}")
    expected = row.expect[who]
    refusal = scope_refusal(row, scope)
    if refusal:
        expected = 403
    url = row.url(cast)
    extra: dict[str, Any] = {}
    if row.api and who is not None:
        issued = api_token_create(actor=system_actor(), user=cast.user(who), name="test", scope=scope)
        client, extra = _client(cast, None), {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}
    else:
        client = _client(cast, who)
    if row.method == "post":
        if row.api:
            response = client.post(url, row.data(cast), content_type="application/json", **extra)
        else:
            response = client.post(url, row.data(cast), **extra)
    elif row.method == "delete":
        response = client.delete(url, **extra)
    else:
        response = client.get(url, **extra)
    assert response.status_code == expected, f"{row.name} as {who}: {response.status_code}"
    if row.api and response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}
    if refusal:
        assert refusal in response.json()["error"]["message"], f"{row.name}: refused, but not for its scope"
    if response.status_code == 302 and who in (None, MACHINE) and not row.name.startswith(("accounts:", "core:")):
        assert response["Location"].startswith(reverse("accounts:login"))


def _matrix_class(group: str) -> type:
    """A test class for one group of rows: its class-scoped fixture applies the group's set-up once, in a savepoint
    rolled back when the class ends, and every (row, person) test runs in a savepoint of its own inside it."""
    rows = [row for row in ROWS if GROUP_OF.get(row.name, "") == group]
    scoped = [row for row in rows if row.name in API_OPERATIONS]

    class MatrixGroup:
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
        @pytest.mark.parametrize("row", rows, ids=[r.name for r in rows])
        def test_permission_matrix(self, prepared, db, row, who):  # type: ignore[no-untyped-def]
            check(prepared, row, who)

        @pytest.mark.parametrize("scope", NARROW_SCOPES)
        @pytest.mark.parametrize("row", scoped, ids=[r.name for r in scoped])
        def test_token_scope(self, prepared, db, row, scope):  # type: ignore[no-untyped-def]
            check(prepared, row, scope_subject(row), scope)

    return MatrixGroup


for _group in ["", *PREPARES]:
    _name = "TestMatrix" + (_group.split(".")[1].title() if _group else "Foundation")
    globals()[_name] = type(_name, (_matrix_class(_group),), {})


def test_other_organisations_object_is_indistinguishable_from_a_missing_one(matrix_cast, client_for, token_for):
    client = client_for("lead_b")
    hidden = client.get(reverse("cases:detail", args=[matrix_cast.case_a.reference]))
    missing = client.get(reverse("cases:detail", args=["QC-999999"]))
    assert hidden.status_code == missing.status_code == 404
    api_hidden = client_for(None).get(f"/api/v1/cases/{matrix_cast.case_a.reference}", **token_for("lead_b"))
    api_missing = client_for(None).get("/api/v1/cases/QC-999999", **token_for("lead_b"))
    assert api_hidden.status_code == api_missing.status_code == 404
    assert api_hidden.json()["error"]["code"] == api_missing.json()["error"]["code"] == "not_found"


def test_transition_post_by_a_contributor_changes_nothing(matrix_cast, client_for):
    client_for("contributor_a").post(
        reverse("cases:transition", args=[matrix_cast.case_a.reference]), {"name": "submit_prequalification"}
    )
    assert QualificationCase.objects.get(pk=matrix_cast.case_a.pk).state == "DRAFT"


def test_transition_post_by_the_lead_moves_the_case(matrix_cast, client_for):
    client_for("lead_a").post(
        reverse("cases:transition", args=[matrix_cast.case_a.reference]),
        {"name": "submit_prequalification", "confirm": "on"},
    )
    assert QualificationCase.objects.get(pk=matrix_cast.case_a.pk).state == "PREQUAL_SUBMITTED"


def test_matrix_covers_every_url_and_endpoint():
    covered_pages = {r.name for r in ROWS if not r.api}
    namespaced = set()
    for key, value in get_resolver().namespace_dict.items():
        if key in ("admin", "api"):
            continue
        for name in value[1].reverse_dict:
            if isinstance(name, str):
                namespaced.add(f"{key}:{name}")
    assert len(namespaced) >= 15  # the walk found the site, not nothing
    assert namespaced <= covered_pages, namespaced - covered_pages

    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, ops in api.get_openapi_schema()["paths"].items()
        for method in ops
    }
    assert len(operations) >= 10
    assert operations <= {r.name for r in ROWS if r.api}, operations - {r.name for r in ROWS if r.api}


def test_every_api_operation_is_held_against_the_token_scopes():
    """Each operation of the OpenAPI document has a matrix row, so ``test_token_scope`` asks it with each narrow scope;
    and the scopes were seen doing both things: refusing, and letting the normal answer through."""
    rows = {row.name: row for row in ROWS if row.api}
    assert set(rows) >= API_OPERATIONS, API_OPERATIONS - set(rows)
    for scope, refused, reached in [
        (TokenScope.READ, "POST /cases/{key}/transitions", "GET /cases"),
        (TokenScope.REGISTER_GATING, "GET /cases", "POST /gating/decisions"),
    ]:
        assert scope_refusal(rows[refused], scope) and not scope_refusal(rows[reached], scope)


MACHINE_ADMITTED = (
    "/register/",
    "/gating/",
    "/library/artefacts",
    "/library/versions/",
    "/webhooks",  # a market system's own webhooks
)


def test_machine_clients_reach_only_the_register_gating_and_the_public_library():
    """The machine's column of the matrix, read as a whole: every endpoint outside the register, gating, the
    library's published documents and its own webhooks refuses it, and every page answers it as the anonymous
    visitor."""
    admitted = []
    for row in ROWS:
        if not row.api:
            assert row.expect[MACHINE] == row.expect[None], row.name
            continue
        path = row.name.split(" ", 1)[1]
        if row.expect[MACHINE] < 400:
            admitted.append(row.name)
            assert path.startswith(MACHINE_ADMITTED), row.name
        elif not path.startswith(MACHINE_ADMITTED):
            assert row.expect[MACHINE] == 403, row.name
    assert {"GET /register/{mpid}/{role}", "POST /gating/decisions", "GET /library/artefacts"} <= set(admitted)
