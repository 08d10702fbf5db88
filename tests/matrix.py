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
# A market system's token (``Actor.is_machine``): not staff. Every endpoint declares what it answers; the register,
# gating and the public library's reads admit it, every other operation refuses it (403). A machine never has a
# session (``accounts.backends.PeopleBackend``), so every page answers it as it answers the anonymous visitor.
MACHINE = "machine"


@dataclass
class Row:
    name: str
    url: Callable[[Any], str]
    expect: dict[str | None, int]
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] = field(default=lambda cast: {})
    api: bool = False

    def __post_init__(self) -> None:
        if not self.api and None in self.expect:
            self.expect.setdefault(MACHINE, self.expect[None])


def every(keys: list[str], status: int) -> dict[str | None, int]:
    return dict.fromkeys(keys, status)


def page(name: str, url: Callable[[Any], str], expect: dict[str | None, int], **kw: Any) -> Row:
    return Row(name, url, {None: 302, **expect}, **kw)


def endpoint(name: str, url: Callable[[Any], str], expect: dict[str | None, int], **kw: Any) -> Row:
    return Row(name, url, {None: 401, **expect}, api=True, **kw)
