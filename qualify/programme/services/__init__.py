"""Writes of the Programme app (every one permission-checked and audited), re-exported from their modules."""

from qualify.programme.services.bulk import onboarding_apply, onboarding_preview
from qualify.programme.services.invitations import invitation_accept, invitation_send, invitation_withdraw
from qualify.programme.services.reminders import deadline_reminders_send
from qualify.programme.services.waves import cases_move_wave, wave_plan_save

__all__ = [
    "cases_move_wave",
    "deadline_reminders_send",
    "invitation_accept",
    "invitation_send",
    "invitation_withdraw",
    "onboarding_apply",
    "onboarding_preview",
    "wave_plan_save",
]
