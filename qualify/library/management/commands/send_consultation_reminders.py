"""Remind participants a week before each consultation closes. Run daily from cron; safe to run again.

Each consultation records when its reminder went (``reminder_sent_at``), so a second run the same day, or every later
day, sends nothing more for it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qualify.core.actor import system_actor
from qualify.library.services import consultation_send_reminder, consultations_due_reminder


class Command(BaseCommand):
    help = "Send the one-week-before-close reminder for every open consultation that has not had one."

    def handle(self, *args: Any, **options: Any) -> None:
        actor = system_actor("consultation reminders")
        sent = 0
        for consultation in consultations_due_reminder():
            if consultation_send_reminder(actor=actor, consultation=consultation):
                sent += 1
                self.stdout.write(f"reminded participants about {consultation.reference}")
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} sent")
