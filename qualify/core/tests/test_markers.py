"""Change markers built from models, and the one cache kept until a marker moves (core/markers.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.apps import apps

from qualify.core.actor import system_actor
from qualify.core.markers import KeptUntilChanged

ROOT = Path(__file__).resolve().parents[3]


def test_a_kept_value_is_built_once_per_marker():
    kept: KeptUntilChanged[int, list[int]] = KeptUntilChanged()
    builds: list[int] = []

    def build(n: int) -> list[int]:
        builds.append(n)
        return [n]

    first = kept.get(1, lambda: build(1))
    assert kept.get(1, lambda: build(99)) is first
    second = kept.get(2, lambda: build(2))
    assert second == [2] and kept.current() is second
    kept.forget()
    assert kept.current() is None
    assert builds == [1, 2]


def test_no_marker_names_another_apps_table_by_hand():
    """The register's and the gating context's markers come from models' _meta, not table names in SQL text."""
    tables = {model._meta.db_table for model in apps.get_models()}
    for source in ("qualify/register/snapshot.py", "qualify/gating/live.py", "qualify/core/markers.py"):
        words = set(re.findall(r"\w+", (ROOT / source).read_text()))
        assert words & tables == set(), source


def test_each_consumer_keeps_its_own_marker(cast):
    from qualify.gating import live
    from qualify.plan.services import milestone_upsert
    from qualify.register import snapshot

    register_before, gating_before = snapshot.change_marker(), live.change_marker()
    context = live.current_context()
    assert live.current_context() is context  # kept while nothing it reads changes
    milestone_upsert(actor=system_actor("test"), code="M99", name="A test milestone", date=dt.date(2027, 3, 1))
    # The gating context reads the milestones; the register's copy does not.
    assert live.change_marker() != gating_before
    assert snapshot.change_marker() == register_before
    assert live.current_context() is not context
