"""Structural rules of STYLE.md that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from config.api import api

ROOT = Path(__file__).resolve().parent.parent
QUALIFY = ROOT / "qualify"

# Layers, lowest first. An app imports only apps of lower layers (never a peer of its own layer), apart from the pairs
# in ALLOWED_UPWARD.
LAYER = {
    "core": 0,
    "audit": 1,
    "notifications": 1,
    "webhooks": 2,
    "accounts": 2,
    "participants": 3,
    "plan": 4,
    "library": 4,
    "register": 5,
    "cases": 6,
    "qad": 7,
    "programme": 7,
    "testing": 9,
    "assessment": 8,
    "gating": 9,
    "oversight": 10,
    "dip": 10,  # attaches its reports through the QAD (7) and QT (9) evidence services
    "changes": 10,
    "reporting": 11,
    "search": 11,
    "demo": 12,
}
# core may call audit (the workflow engine and the upload jobs' submission write their audit events); audit and
# notifications call no domain app.
ALLOWED_UPWARD = {("core", "audit")}


def _walk(patterns, prefix=""):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def test_every_url_declares_its_guard():
    unguarded = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/v1/")):
            continue  # the admin site guards itself (staff only); API operations are checked below
        if not hasattr(pattern.callback, "qualify_guard"):
            unguarded.append(route)
    assert unguarded == []


def test_every_api_operation_requires_authentication():
    schema = api.get_openapi_schema()
    open_operations = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    ]
    assert open_operations == []


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_apps_depend_one_way():
    violations = []
    for path in QUALIFY.rglob("*.py"):
        relative = path.relative_to(QUALIFY)
        if len(relative.parts) == 1 or "tests" in relative.parts or "migrations" in relative.parts:
            continue
        app = relative.parts[0]
        if app not in LAYER:
            violations.append(f"{relative} belongs to {app}, which has no layer")
            continue
        for module in _imports(path):
            match = re.match(r"qualify\.(\w+)", module)
            if not match or match.group(1) == app or match.group(1) not in LAYER:
                continue
            other = match.group(1)
            if LAYER[other] >= LAYER[app] and (app, other) not in ALLOWED_UPWARD:
                violations.append(f"{relative} imports {module}")
    assert violations == []


def test_every_layer_is_an_installed_app():
    apps = {path.parent.name for path in QUALIFY.glob("*/apps.py")}
    assert set(LAYER) == apps


def test_nothing_but_the_workflow_engine_assigns_a_state():
    pattern = re.compile(r"\.(state|status)\s*=[^=]|setattr\([^,]+,\s*[\"'](state|status)[\"']")
    offenders = []
    for path in QUALIFY.rglob("*.py"):
        relative = path.relative_to(QUALIFY)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert offenders == []


def test_only_the_demo_loader_replays_the_clock():
    """``clock.replaying`` back-dates what the services record; it is the demo loader's alone."""
    offenders = []
    for path in QUALIFY.rglob("*.py"):
        relative = path.relative_to(QUALIFY)
        if relative.parts[0] == "demo" or relative == Path("core/clock.py") or "tests" in relative.parts:
            continue
        if "replaying" in path.read_text(encoding="utf-8"):
            offenders.append(str(relative))
    assert offenders == []


def test_views_and_api_never_write_models_directly():
    pattern = re.compile(r"\.(save|delete)\(|objects\.(create|update_or_create|get_or_create|bulk_create)\(")
    offenders = []
    for name in ("views.py", "api.py"):
        for path in QUALIFY.rglob(name):
            if pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(QUALIFY)))
    assert offenders == []


def test_workflow_docs_are_generated_from_the_current_tables():
    from qualify.core.management.commands.render_workflows import rendered_documents

    docs = ROOT / "docs" / "workflows"
    for name, text in rendered_documents().items():
        committed = docs / f"{name}.md"
        assert committed.exists(), f"run `python manage.py render_workflows` to create {committed}"
        assert committed.read_text(encoding="utf-8") == text, "run `python manage.py render_workflows`"


def test_every_migration_says_what_it_holds():
    """No ``0001_initial``: the first migrations were renamed by a replacing migration (``replaces``), which a database
    that applied the old name counts as applied."""
    generic = sorted(str(p.relative_to(QUALIFY)) for p in QUALIFY.glob("*/migrations/*_initial.py"))
    assert generic == []


def test_links_are_reversed_not_built_by_hand():
    """A link to a page comes from its URL pattern (``reverse``/``{% url %}``), so a moved page moves its links too."""
    built = re.compile(r"""\bf["']/[a-z-]+/[^"']*\{""")
    hand_href = re.compile(r"""href=["']/[a-z]""")
    found = []
    for path in QUALIFY.rglob("*"):
        relative = path.relative_to(QUALIFY)
        if "tests" in relative.parts or "migrations" in relative.parts or path.suffix not in {".py", ".html"}:
            continue
        text = path.read_text(encoding="utf-8")
        pattern = built if path.suffix == ".py" else hand_href
        found += [f"{relative}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []
