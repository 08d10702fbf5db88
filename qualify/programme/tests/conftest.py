from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _commit_effects_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run inside a transaction that never commits: run on-commit effects (the e-mails) straight away, so a
    test reads the outbox as the invitee would find it."""

    def at_once(func: Callable[[], Any], using: str | None = None, robust: bool = False) -> None:
        func()

    monkeypatch.setattr("django.db.transaction.on_commit", at_once)
