"""Generating the regulator's report (DOMAIN.md §10: the Programme reports progress to the regulator fortnightly)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction

from qualify.audit.services import audit_record
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.core.errors import ValidationFailed
from qualify.plan.models import Wave
from qualify.reporting.models import RegulatorReport
from qualify.reporting.permissions import can_generate_report
from qualify.reporting.report import report_facts, report_pdf, report_xlsx

LONGEST_PERIOD = dt.timedelta(days=366)


def _check_period(start: dt.date, end: dt.date, today: dt.date) -> None:
    if end < start:
        raise ValidationFailed("The period ends before it starts.", details={"end": "before start"})
    if end > today:
        raise ValidationFailed("A report cannot cover days still to come.", details={"end": "in the future"})
    if end - start > LONGEST_PERIOD:
        raise ValidationFailed("A report covers at most a year.", details={"start": "too early"})


@transaction.atomic
def report_generate(*, actor: Actor, start: dt.date, end: dt.date) -> RegulatorReport:
    """Work out the facts for the period, draw the PDF and the workbook, and keep all three together.

    "Changes since the last report" compare with the latest report generated before this one."""
    can_generate_report(actor).enforce()
    today = clock.today()
    _check_period(start, end, today)
    previous = RegulatorReport.objects.order_by("-created_at", "-pk").first()
    prior = {**previous.facts, "reference": previous.reference} if previous is not None else None
    facts = report_facts(actor=actor, start=start, end=end, today=today, previous=prior)
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    same_day = RegulatorReport.objects.filter(reference__startswith=f"RPT-{today:%Y-%m-%d}-").count()
    reference = f"RPT-{today:%Y-%m-%d}-{same_day + 1}"
    title = f"MHHS qualification progress report {reference}"
    wave_names = dict(Wave.objects.values_list("code", "name"))
    report = RegulatorReport.objects.create(
        reference=reference,
        period_start=start,
        period_end=end,
        facts=facts,
        sha256=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        pdf=report_pdf(facts, title=title, wave_names=wave_names),
        xlsx=report_xlsx(facts, title=title, wave_names=wave_names),
        generated_by_name=actor.display_name,
    )
    audit_record(
        actor=actor,
        action="reporting.report_generated",
        target=report,
        organisation_id=None,
        changes={"reference": reference, "start": start.isoformat(), "end": end.isoformat(), "sha256": report.sha256},
    )
    return report
