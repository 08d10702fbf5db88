"""Shared pieces of the permission matrix: the row type and the cast groups.

Each app lists its own pages and endpoints in ``qualify/<app>/tests/matrix.py`` (a module-level ``ROWS``); the
matrix test in ``tests/test_permission_matrix.py`` collects them all and fails if any URL or endpoint is uncovered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DECIDERS = ["board", "dip_decider", "rec_decider", "qag"]  # "board" is the BSC Panel (PAB) member
STAFF = ["bsc", "rec", "dip", *DECIDERS, "admin", "auditor"]
SIGNED_IN = ["lead_a", "contributor_a", "viewer_a", "lead_b", *STAFF]
A_MEMBERS = ["lead_a", "contributor_a", "viewer_a"]


@dataclass
class Row:
    name: str
    url: Callable[[Any], str]
    expect: dict[str | None, int]
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda cast: {})
    api: bool = False


def every(keys: list[str], status: int) -> dict[str | None, int]:
    return dict.fromkeys(keys, status)


def page(name: str, url: Callable[[Any], str], expect: dict[str | None, int], **kw: Any) -> Row:
    return Row(name, url, {None: 302, **expect}, **kw)


def endpoint(name: str, url: Callable[[Any], str], expect: dict[str | None, int], **kw: Any) -> Row:
    return Row(name, url, {None: 401, **expect}, api=True, **kw)
