"""manage.py load_qt_catalogue FILE [--publish]: validate a QT test catalogue file and load it
(docs/qt-catalogue-format.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core.actor import system_actor
from qualify.core.errors import DomainError
from qualify.testing.services import catalogue_load


class Command(BaseCommand):
    help = (
        "Validate a QT test catalogue file (YAML, JSON or an Excel workbook) and load it as a draft; --publish "
        "publishes it too, provided the library has baselined the version it names."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--publish", action="store_true", help="Publish the catalogue once loaded.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            catalogue = catalogue_load(
                actor=system_actor("load_qt_catalogue"), data=data, source_name=path.name, publish=options["publish"]
            )
        except DomainError as error:
            problems = error.details.get("problems", []) if isinstance(error.details, dict) else []
            for p in problems:
                self.stderr.write(f"{path}:{p['line']}: {p['field']}: {p['message']}")
            raise CommandError(error.message) from error
        state = "published" if catalogue.is_published else "loaded as a draft"
        self.stdout.write(
            self.style.SUCCESS(
                f"Test catalogue v{catalogue.version} ({catalogue.document_number}) {state}: "
                f"{catalogue.case_count} cases."
            )
        )
