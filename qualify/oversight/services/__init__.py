"""Writes of the Programme's control room; each part in its own module, re-exported here."""

from qualify.oversight.services.ladders import ladder_current, ladder_load
from qualify.oversight.services.notices import reminders_send
from qualify.oversight.services.records import PlanInput, record_decide, record_opened, records_detect

__all__ = [
    "PlanInput",
    "ladder_current",
    "ladder_load",
    "record_decide",
    "record_opened",
    "records_detect",
    "reminders_send",
]
