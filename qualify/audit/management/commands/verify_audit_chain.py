from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qualify.audit.checkpoints import checkpoint_path, verify_checkpoints
from qualify.audit.models import AuditChainHead, AuditEvent
from qualify.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Check that the audit log's hash chain is intact and agrees with every signed checkpoint kept outside the "
        "database; exits non-zero and lists each break if not."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(verify_chain())
        report = verify_checkpoints()
        breaks += report.breaks
        total = AuditEvent.objects.count()
        head = AuditChainHead.objects.filter(id=1).first()
        if head is not None:
            self.stdout.write(f"Chain head: event #{head.last_seq} {head.last_hash}")
        if report.checkpoints:
            for checkpoint in report.checkpoints if options["verbosity"] > 1 else report.checkpoints[-1:]:
                self.stdout.write(f"Checkpoint of {checkpoint.at}: event #{checkpoint.seq} {checkpoint.hash}")
            self.stdout.write(f"{len(report.checkpoints)} checkpoint(s) compared, from {checkpoint_path()}.")
        else:
            self.stdout.write(
                f"No checkpoints in {checkpoint_path()}: removal of the newest events cannot be detected. "
                "Schedule manage.py audit_checkpoint."
            )
        if breaks:
            for item in breaks:
                self.stderr.write(f"event #{item.seq}: {item.problem}")
            raise CommandError(f"The audit chain is broken in {len(breaks)} place(s) among {total} events.")
        self.stdout.write(self.style.SUCCESS(f"The audit chain is intact: {total} events verified."))
