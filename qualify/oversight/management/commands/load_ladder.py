"""Load a version of the non-completion ladder from a file (docs/non-completion-ladder-format.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core.actor import system_actor
from qualify.core.errors import DomainError
from qualify.oversight.ladder import DEFAULT_LADDER
from qualify.oversight.services import ladder_load


class Command(BaseCommand):
    help = "Load a non-completion ladder file (the shipped default when no file is named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT_LADDER))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            ladder = ladder_load(
                actor=system_actor("load_ladder"), text=path.read_text(encoding="utf-8"), source_name=path.name
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except DomainError as error:
            problems = error.details.get("problems", []) if isinstance(error.details, dict) else []
            lines = [f"  line {p['line']}, {p['field']}: {p['message']}" for p in problems]
            raise CommandError("\n".join([error.message, *lines])) from error
        self.stdout.write(f"Loaded non-completion ladder v{ladder.version} ({len(ladder.spec.steps)} steps)")
