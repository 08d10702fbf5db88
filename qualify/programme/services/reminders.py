"""Wave-deadline reminders and missed-deadline notices, sent daily to each case organisation's leads (issue 13).

For every wave deadline a case has not yet met (its state has not reached the one the deadline is for), the leads
get a notice in the inbox and by e-mail: once in the week before (from 7 to 2 days ahead), once in the last day
(the day before, or on the day if the job did not run the day before), and once after it is missed (the day after,
or within ``MISSED_WINDOW_DAYS`` if the job did not run). Each notice is recorded against the case, deadline kind and
due date, so running the job again sends nothing twice, while a moved deadline earns notices of its own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db import transaction
from django.urls import reverse

from qualify.cases.choices import BEFORE_QUALIFIED
from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.roles import MembershipRole
from qualify.notifications.services import notify
from qualify.participants.models import Membership
from qualify.plan.models import WaveDeadline
from qualify.programme.choices import NOTICE_DEADLINE_DUE, NOTICE_DEADLINE_MISSED, DeadlineNotice, deadline_met
from qualify.programme.models import DeadlineNoticeSent

WEEK_AHEAD = 7
MISSED_WINDOW_DAYS = 7


def notice_for(days_left: int) -> str | None:
    """Which notice a deadline ``days_left`` away earns today (None: none is due)."""
    if 2 <= days_left <= WEEK_AHEAD:
        return DeadlineNotice.WEEK_BEFORE
    if 0 <= days_left <= 1:
        return DeadlineNotice.DAY_BEFORE
    if -MISSED_WINDOW_DAYS <= days_left <= -1:
        return DeadlineNotice.MISSED
    return None


def _text(case: QualificationCase, deadline: WaveDeadline, notice: str) -> tuple[str, str]:
    p = case.participation
    what = f"{deadline.display_label} ({deadline.wave.name})"
    due = f"{deadline.date:%d %b %Y}"
    if notice == DeadlineNotice.MISSED:
        title = f"{case.reference} missed a deadline: {what} was due {due}"
        body = (
            f"{p.organisation.name}, {p.mpid} {p.get_role_display()}: the case is {case.get_state_display().lower()} "
            f"and has not reached what {deadline.display_label.lower()} asks for, due {due}. "
            "Tell the Programme how and when you will catch up."
        )
    else:
        title = f"{case.reference}: {what} is due {due}"
        body = (
            f"{p.organisation.name}, {p.mpid} {p.get_role_display()}: {deadline.display_label} is due {due}; "
            f"the case is {case.get_state_display().lower()}."
        )
    return title[:200], body


def deadline_reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send today's wave-deadline notices; returns how many notices of each kind went out (one per case and
    deadline, whatever the number of leads)."""
    today = today or clock.today()
    sent: Counter[str] = Counter({n: 0 for n in DeadlineNotice.values})
    window = (today - dt.timedelta(days=MISSED_WINDOW_DAYS), today + dt.timedelta(days=WEEK_AHEAD))
    deadlines_by_wave: dict[int, list[WaveDeadline]] = defaultdict(list)
    for deadline in WaveDeadline.objects.filter(date__range=window).select_related("wave"):
        deadlines_by_wave[deadline.wave_id].append(deadline)
    if not deadlines_by_wave:
        return dict(sent)
    cases = list(
        QualificationCase.objects.filter(wave_id__in=deadlines_by_wave, state__in=list(BEFORE_QUALIFIED))
        .select_related("participation__organisation")
        .order_by("reference")
    )
    leads: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in={c.participation.organisation_id for c in cases},
        role=MembershipRole.LEAD,
        user__is_active=True,
    ).values_list("organisation_id", "user_id"):
        leads[org_id].append(user_id)
    done = set(DeadlineNoticeSent.objects.filter(case__in=cases).values_list("case_id", "kind", "due_on", "notice"))
    for case in cases:
        for deadline in deadlines_by_wave[case.wave_id or 0]:
            notice = notice_for((deadline.date - today).days)
            if notice is None or deadline_met(case.state, deadline.kind):
                continue
            if (case.pk, deadline.kind, deadline.date, notice) in done:
                continue
            recipients = leads.get(case.participation.organisation_id, [])
            with transaction.atomic():
                _, created = DeadlineNoticeSent.objects.get_or_create(
                    case=case,
                    kind=deadline.kind,
                    due_on=deadline.date,
                    notice=notice,
                    defaults={"sent_on": today, "recipients": len(recipients)},
                )
                if not created:
                    continue
                title, body = _text(case, deadline, notice)
                notify(
                    recipients=recipients,
                    kind=NOTICE_DEADLINE_MISSED if notice == DeadlineNotice.MISSED else NOTICE_DEADLINE_DUE,
                    title=title,
                    body=body,
                    link=reverse("cases:detail", args=[case.reference]),
                    subject=case.reference,
                )
            sent[notice] += 1
    return dict(sent)
