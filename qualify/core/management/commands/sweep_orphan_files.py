"""Remove uploaded files that no row names and pending copies a killed upload left behind (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qualify.core.storedfiles import sweep


class Command(BaseCommand):
    help = (
        "Remove files under the upload folders that no row names and pending copies older than a day; promote a "
        "pending copy whose row committed. Files younger than a day are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be removed; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        report = sweep(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for name in report.removed:
            self.stdout.write(f"{verb} {name}")
        for name in report.promoted:
            self.stdout.write(f"{'would promote' if dry_run else 'promoted'} {name}")
        promoted = len(report.promoted)
        self.stdout.write(f"{len(report.removed)} {verb}, {promoted} promoted, {report.kept_young} younger ones kept.")
