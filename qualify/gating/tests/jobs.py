"""Helpers for the bulk-job tests, the permission matrix and the browser journey: a small market, an events file,
and a job submitted and run through the services."""

from __future__ import annotations

import io
from pathlib import Path

from qualify.core.actor import Actor, system_actor
from qualify.gating.models import GatingJob
from qualify.gating.services import gating_job_run, gating_job_submit
from qualify.gating.tests.test_gate_command import EVENTS, EXPECTED, MILESTONES, REGISTER
from qualify.plan.imports import milestones_import
from qualify.register.imports import register_import

__all__ = ["EVENTS", "EXPECTED", "events_csv", "load_market", "submit_and_run"]


def events_csv(lines: list[str] | None = None) -> bytes:
    return ("\n".join(lines or EVENTS) + "\n").encode()


def load_market() -> None:
    """The register and milestones of ``test_gate_command``, through the import services."""
    actor = system_actor("test market")
    register_import(
        actor=actor, text="\n".join(REGISTER) + "\n", source_name="register.csv", reason="initial load for the test"
    )
    milestones_import(actor=actor, text="\n".join(MILESTONES) + "\n", source_name="milestones.csv")


def submit_and_run(actor: Actor, content: bytes | None = None, name: str = "events.csv") -> GatingJob:
    """Submit a job and run it at once (the task would run on commit, which a test's transaction never reaches)."""
    content = events_csv() if content is None else content
    job = gating_job_submit(actor=actor, upload=io.BytesIO(content), name=name, size=len(content))
    gating_job_run(job_id=str(job.uuid))
    job.refresh_from_db()
    return job


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
