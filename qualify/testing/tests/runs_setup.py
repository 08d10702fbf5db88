"""Set-up for the runs, defects and assurance tests: a scoped case put in testing, and its required cases by batch."""

from __future__ import annotations

import io
from typing import Any

from qualify.cases.models import QualificationCase
from qualify.core.actor import system_actor
from qualify.participants.choices import MarketRole, Route
from qualify.participants.services import participation_create
from qualify.testing.choices import DIP_MANAGER_BATCHES
from qualify.testing.models import CatalogueCase, ScopeRecord
from qualify.testing.tests.helpers import scoped

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def in_testing(case: QualificationCase) -> ScopeRecord:
    """Scope the case against the sample catalogue and jump it to testing (set-up only: the lifecycle's own tests
    walk the path)."""
    record: ScopeRecord = scoped(case)
    QualificationCase.objects.filter(pk=case.pk).update(state="TESTING")  # test set-up: jump ahead
    case.refresh_from_db()
    return record


def required_by_batch(record: ScopeRecord) -> tuple[list[str], list[str]]:
    """The record's required test case ids split into (DIP Manager's batches, every other batch)."""
    batches = dict(
        CatalogueCase.objects.filter(catalogue_id=record.catalogue_id, case_id__in=record.required).values_list(
            "case_id", "batch"
        )
    )
    dip = [c for c in record.required if batches[c] in DIP_MANAGER_BATCHES]
    other = [c for c in record.required if batches[c] not in DIP_MANAGER_BATCHES]
    return dip, other


def ldso_qt_case(cast: Any) -> QualificationCase:
    """An LDSO of organisation B on the QT route (Annex 1), with its case open."""
    from qualify.cases.services import case_open

    system = system_actor("test set-up")
    participation = participation_create(
        actor=system, organisation=cast.org_b, mpid="SBLQ", role=MarketRole.LDSO, route=Route.QT, distributor_ids=["14"]
    )
    return case_open(actor=system, participation=participation, wave=cast.wave)


def pdf(name: str = "evidence.pdf") -> io.BytesIO:
    handle = io.BytesIO(PDF)
    handle.name = name
    return handle
