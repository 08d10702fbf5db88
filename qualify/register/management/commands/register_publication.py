from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.core.actor import system_actor
from qualify.register.publication import publication_csv
from qualify.register.selectors import newly_qualified


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Write the periodic publication of participants newly qualified in a period as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, type=_date)
        parser.add_argument("--until", required=True, type=_date)
        parser.add_argument("--out", help="File to write (written whole, then renamed); default: standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["until"] < options["since"]:
            raise CommandError("--until is before --since.")
        rows = newly_qualified(actor=system_actor("publication"), since=options["since"], until=options["until"])
        text = publication_csv(rows)
        if not options["out"]:
            self.stdout.write(text, ending="")
            return
        target = Path(options["out"])
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
        self.stderr.write(f"{len(rows)} newly qualified participation(s) written to {target}.")
