"""``manage.py import_milestones FILE``: load the Programme milestones the market rules read (issue 5).

The format and rules are in ``qualify/plan/imports.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core.actor import system_actor
from qualify.core.csvimport import Problem, read_text
from qualify.core.errors import DomainError
from qualify.plan.imports import milestones_import


class Command(BaseCommand):
    help = (
        "Load milestones from a CSV with columns code,name,date,meaning,segments. All or nothing; "
        "re-importing the same file changes nothing; a changed date is kept as a move."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        text = read_text(path)
        try:
            result = milestones_import(actor=system_actor("milestone import"), text=text, source_name=path.name)
        except DomainError as error:
            for problem in Problem.from_details(error.details):
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} milestone(s) read: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
