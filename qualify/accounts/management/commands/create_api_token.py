from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.accounts.models import User
from qualify.accounts.services import api_token_create
from qualify.core.actor import system_actor
from qualify.core.errors import DomainError


class Command(BaseCommand):
    help = "Issue an API token for an account (e.g. a machine client, which cannot sign in to make its own)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("name", help="What the token is for, e.g. 'registration system (production)'.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account for {options['email']}.")
        try:
            issued = api_token_create(actor=system_actor("create_api_token command"), user=user, name=options["name"])
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write("Token (shown once; store it in the client's secret store):")
        self.stdout.write(issued.secret)
