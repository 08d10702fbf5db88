from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qualify.accounts.models import User
from qualify.core.actor import system_actor
from qualify.core.errors import DomainError
from qualify.core.ids import parse_uuid
from qualify.core.roles import MembershipRole
from qualify.participants.models import Organisation
from qualify.participants.services import membership_add


class Command(BaseCommand):
    help = (
        "Make an account a member of an organisation, e.g. a test tool's machine account as a CONTRIBUTOR, so that "
        "its API token acts for that organisation only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("organisation", help="The organisation's exact name or its UUID.")
        parser.add_argument("role", choices=list(MembershipRole.values))

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active account for {options['email']}.")
        key = options["organisation"].strip()
        public_id = parse_uuid(key)
        organisation = (
            Organisation.objects.filter(uuid=public_id).first()
            if public_id
            else Organisation.objects.filter(name=key).first()
        )
        if organisation is None:
            raise CommandError(f"No organisation {key!r}.")
        try:
            membership_add(
                actor=system_actor("add_member command"), organisation=organisation, user=user, role=options["role"]
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"{user.email} is a {options['role'].lower()} of {organisation.name}."))
