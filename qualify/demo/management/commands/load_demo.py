"""``manage.py load_demo``: a believable demo market for a local machine, and who can sign in to it."""

from __future__ import annotations

import logging
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from qualify.core.errors import DomainError
from qualify.demo.data import DEFAULT_PASSWORD, MACHINE, MACHINE_TOKEN_NAME, SITE_URL
from qualify.demo.services import DemoLoad, demo_load


class Command(BaseCommand):
    help = (
        "Load a demo market (about 40 fictional organisations, waves, milestones, cases across the lifecycle) "
        "and print the demo logins. Does nothing but print the logins if the demo is already loaded."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"The one password every human demo login gets (default: {DEFAULT_PASSWORD}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            # The demo's people are fictitious: their inboxes fill as the cases move, but no e-mail is sent for
            # them, and the hundreds of e-mail tasks are not logged (either would bury the logins printed below).
            tasks_log = logging.getLogger("django_tasks")
            level = tasks_log.level
            tasks_log.setLevel(logging.WARNING)
            try:
                with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                    result = demo_load(password=options["password"])
            finally:
                tasks_log.setLevel(level)
        except DomainError as exc:
            raise CommandError(f"Nothing was loaded: {exc.message}") from exc
        if result.loaded_now:
            counts = ", ".join(f"{n} {what}" for what, n in result.counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"Demo market loaded ({counts}) in {time.monotonic() - started:.1f} s.")
            )
        else:
            self.stdout.write(self.style.WARNING("The demo market is already loaded; nothing was changed."))
        self._print_logins(result, options["password"])

    def _print_logins(self, result: DemoLoad, password: str) -> None:
        rows = [("E-mail", "Role", "Organisation")] + [(x.email, x.role, x.organisation) for x in result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for line in lines:
            self.stdout.write("  " + line.rstrip())
        self.stdout.write("")
        if result.password_matches:
            self.stdout.write(f"Password for every demo login: {password}")
        else:
            self.stdout.write(
                "Password: the one given with --password when the demo was loaded (not the one given now)."
            )
        self.stdout.write(
            "These are demo accounts for a local machine only: they share one published password. "
            "Never load the demo into a shared or production database."
        )
        self.stdout.write(f"Open {SITE_URL} (the programme administrator can also use {SITE_URL}admin/).")
        self.stdout.write("")
        if result.token_secret:
            self.stdout.write(f"API token for the machine client {MACHINE.email} (shown once, keep it):")
            self.stdout.write(f"  {result.token_secret}")
            self.stdout.write(f"  curl -H 'Authorization: Bearer {result.token_secret}' {SITE_URL}api/v1/organisations")
        else:
            self.stdout.write(
                f"The machine client {MACHINE.email} has the token {MACHINE_TOKEN_NAME!r}; its secret was shown "
                "when the demo was loaded and is stored only as a digest."
            )
