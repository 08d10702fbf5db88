"""Loading the non-completion ladder (docs/non-completion-ladder-format.md): checked, versioned, audited."""

from __future__ import annotations

import hashlib

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import ValidationFailed
from qualify.oversight.ladder import DEFAULT_LADDER, LadderFileInvalid, LadderSpec, default_ladder_text, parse_ladder
from qualify.oversight.models import NonCompletionLadder
from qualify.oversight.permissions import can_manage_ladders

MAX_FILE_CHARS = 200_000


def ladder_check(text: str) -> LadderSpec:
    """The ladder a file describes, or ValidationFailed listing every problem with its line and field."""
    if len(text) > MAX_FILE_CHARS:
        raise ValidationFailed(
            f"The ladder file is {len(text):,} characters long; at most {MAX_FILE_CHARS:,} are allowed.",
            details={"content": "too_long"},
        )
    try:
        return parse_ladder(text)
    except LadderFileInvalid as invalid:
        raise invalid.failed("The ladder file", code="ladder_invalid") from invalid


@transaction.atomic
def ladder_load(*, actor: Actor, text: str, source_name: str = "") -> NonCompletionLadder:
    """Load a new version of the ladder; records opened from now on follow it, running ones keep theirs.

    A version, once loaded, never changes (running records refer to it): loading the same version again is refused.
    """
    can_manage_ladders(actor).enforce()
    spec = ladder_check(text)
    if NonCompletionLadder.objects.filter(version=spec.version).exists():
        raise ValidationFailed(
            f"Ladder v{spec.version} is already loaded and never changes; give the new file a new version.",
            details={"version": "loaded"},
            code="ladder_loaded",
        )
    ladder = NonCompletionLadder.objects.create(
        version=spec.version,
        title=spec.title,
        definition=spec.as_data(),
        source_name="".join(ch for ch in source_name if ch.isprintable())[:200],
        source_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        loaded_by_name=actor.display_name[:200],
    )
    audit_record(
        actor=actor,
        action="oversight.ladder.load",
        target=ladder,
        organisation_id=None,
        changes={"version": spec.version, "steps": [s.code for s in spec.steps], "sha256": ladder.source_sha256},
    )
    return ladder


def ladder_current() -> NonCompletionLadder:
    """The ladder new records follow: the latest loaded, or (before any is loaded) the default shipped with us."""
    latest = NonCompletionLadder.objects.order_by("-created_at", "-pk").first()
    if latest is not None:
        return latest
    return ladder_load(
        actor=system_actor("default non-completion ladder"), text=default_ladder_text(), source_name=DEFAULT_LADDER.name
    )
