from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qualify.audit.checkpoints import checkpoint_path, checkpoint_write


class Command(BaseCommand):
    help = (
        "Append a signed checkpoint of the audit chain's head to the checkpoint file outside the database "
        "(QUALIFY_AUDIT_CHECKPOINT_DIR). Run it on a schedule, e.g. hourly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = checkpoint_write()
        where = checkpoint_path()
        written = f"event #{checkpoint.seq} {checkpoint.hash} at {checkpoint.at}"
        self.stdout.write(self.style.SUCCESS(f"Checkpoint written to {where}: {written}."))
