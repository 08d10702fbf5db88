"""``manage.py import_register FILE``: load the register's status history from today's spreadsheets (issue 5).

The file format and the rules live with the service, in ``qualify/register/imports.py``; this command only reads
the file and reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core.actor import system_actor
from qualify.core.csvimport import Problem, read_text
from qualify.core.errors import DomainError
from qualify.register.imports import register_import


class Command(BaseCommand):
    help = (
        "Load register events from a CSV with columns organisation,mpid,role,event,date,distributor_ids and an "
        "optional reason (needed by a back-dated row, unless --reason is given). All or nothing; re-importing the "
        "same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--reason",
            default="",
            help="Why the file's back-dated events are recorded late, for every row with no reason of its own "
            "(e.g. 'initial load of the register spreadsheet').",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        text = read_text(path)
        try:
            result = register_import(
                actor=system_actor("register import"), text=text, source_name=path.name, reason=options["reason"]
            )
        except DomainError as error:
            for problem in Problem.from_details(error.details):
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} row(s) read: {result.organisations_created} organisation(s), "
                f"{result.participations_created} participation(s) and {result.events_created} event(s) created; "
                f"{result.events_already_recorded} event(s) were already recorded."
            )
        )
