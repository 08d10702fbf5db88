from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.accounts.models import TokenScope, User
from qualify.accounts.services import api_token_create, token_expiry
from qualify.core.actor import system_actor
from qualify.core.errors import DomainError


class Command(BaseCommand):
    help = "Issue an API token for an account (e.g. a machine client, which cannot sign in to make its own)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("name", help="What the token is for, e.g. 'registration system (production)'.")
        parser.add_argument(
            "--scope",
            choices=[scope.lower() for scope in TokenScope.values],
            default="full",
            help="read (GET only), register_gating (the register, gating and the public library) or full (default).",
        )
        parser.add_argument("--days", type=int, default=None, help="Expire after this many days (default: never).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account for {options['email']}.")
        try:
            if options["days"] is not None and options["days"] < 1:
                raise CommandError("--days must be at least 1.")
            issued = api_token_create(
                actor=system_actor("create_api_token command"),
                user=user,
                name=options["name"],
                scope=options["scope"].upper(),
                expires_at=token_expiry(options["days"]),
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write("Token (shown once; store it in the client's secret store):")
        self.stdout.write(issued.secret)
