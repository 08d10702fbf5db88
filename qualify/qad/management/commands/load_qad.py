"""manage.py load_qad FILE [--publish]: validate a QAD version file and load it (docs/qad-format.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core.actor import system_actor
from qualify.core.errors import DomainError
from qualify.qad.services import qad_version_load


class Command(BaseCommand):
    help = "Validate a QAD version file (YAML or JSON) and load it as a draft; --publish publishes it too."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--publish", action="store_true", help="Publish the version once loaded.")
        parser.add_argument(
            "--artefact", default="", help="The library artefact this QAD is a version of, e.g. MHHS-DEL1234."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            version = qad_version_load(
                actor=system_actor("load_qad"),
                text=text,
                source_name=path.name,
                publish=options["publish"],
                artefact=options["artefact"],
            )
        except DomainError as error:
            problems = error.details.get("problems", []) if isinstance(error.details, dict) else []
            for p in problems:
                self.stderr.write(f"{path}:{p['line']}: {p['field']}: {p['message']}")
            raise CommandError(error.message) from error
        count = version.questions.count()
        state = "published" if version.is_published else "loaded as a draft"
        self.stdout.write(self.style.SUCCESS(f"QAD v{version.version} {state}: {count} questions."))
