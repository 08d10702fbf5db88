from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.accounts.services import user_create
from qualify.core.actor import system_actor
from qualify.core.errors import DomainError
from qualify.core.roles import StaffRole


class Command(BaseCommand):
    help = "Create a staff account or a machine client (participants' people are added to organisations after)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("full_name")
        parser.add_argument("--staff-role", default="", choices=[r for r in StaffRole.values if r])
        parser.add_argument("--machine", action="store_true", help="A market system: API token only, no password.")
        parser.add_argument("--admin-site", action="store_true", help="May open the Django admin.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if not options["machine"]:
            password = getpass.getpass(f"Password for {options['email']}: ")
        try:
            user = user_create(
                actor=system_actor("create_account command"),
                email=options["email"],
                full_name=options["full_name"],
                password=password,
                staff_role=options["staff_role"],
                is_machine=options["machine"],
                is_staff=options["admin_site"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Created {user}."))
