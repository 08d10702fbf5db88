from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qualify.audit.models import AuditEvent
from qualify.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check that the audit log's hash chain is intact; exits non-zero and lists each break if not."

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(verify_chain())
        total = AuditEvent.objects.count()
        if breaks:
            for item in breaks:
                self.stderr.write(f"event #{item.seq}: {item.problem}")
            raise CommandError(f"The audit chain is broken in {len(breaks)} place(s) among {total} events.")
        self.stdout.write(self.style.SUCCESS(f"The audit chain is intact: {total} events verified."))
