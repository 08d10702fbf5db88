"""The demo's Qualification Testing: the sample test catalogue published through the library and the catalogue
services, and each case's way through the testing gates recorded through the testing services (prerequisites
recorded and accepted, scope frozen, required cases run, RTTM and completion report rows)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from qualify.cases.models import QualificationCase
from qualify.core import clock
from qualify.core.actor import Actor
from qualify.demo.library import DocumentSpec, _files
from qualify.library.choices import GoverningBody
from qualify.library.services import approval_record, artefact_create, version_approve, version_create
from qualify.participants.choices import MarketRole
from qualify.testing.demo_support import SAMPLE_CATALOGUE, satisfy_entry, satisfy_exit
from qualify.testing.gates import is_qt_route
from qualify.testing.models import TestCatalogue
from qualify.testing.selectors import latest_published_catalogue
from qualify.testing.services import catalogue_load
from qualify.testing.services.scoping import current_scope, scope_freeze

UK = ZoneInfo("Europe/London")
CATALOGUE = DocumentSpec(
    "MHHS-DEL9001",
    "QT catalogue",
    "Qualification Testing catalogue (sample)",
    "Test catalogue",
    "1.0",
    "2024-12-02",
)


def publish_qt_catalogue(*, admin: Actor, decider: Actor) -> TestCatalogue:
    """The sample catalogue, drafted, approved and baselined by the BSC PAB in the library, then published."""
    at = dt.datetime.combine(dt.date.fromisoformat(CATALOGUE.drafted), dt.time(11), tzinfo=UK)
    with clock.replaying(at):
        artefact = artefact_create(
            actor=admin,
            document_number=CATALOGUE.number,
            short_name=CATALOGUE.short_name,
            theme="Qualification",
            subtype=CATALOGUE.subtype,
            title=CATALOGUE.title,
            required_bodies=[GoverningBody.BSC_PAB],
        )
        version = version_create(
            actor=admin,
            artefact=artefact,
            version=CATALOGUE.version,
            release_notes="The test cases of Qualification Testing.",
            files=_files(CATALOGUE, CATALOGUE.version),
        )
        version = version_approve(actor=admin, version=version)
        approval_record(
            actor=decider,
            version=version,
            body=GoverningBody.BSC_PAB,
            decision="APPROVE",
            decided_on=at.date(),
            minutes_reference=f"BSC PAB {at:%-d %b %Y}",
        )
        return catalogue_load(
            actor=admin,
            text=SAMPLE_CATALOGUE.read_text(encoding="utf-8"),
            source_name="qt-catalogue.yaml",
            publish=True,
        )


def reviewer_for(case: QualificationCase, staff: dict[str, Actor]) -> Actor:
    """Who accepts prerequisites and confirms testing complete: the Programme's test manager for an LDSO."""
    return staff["admin"] if case.participation.role == MarketRole.LDSO else staff["dip"]


def enter_testing(case: QualificationCase, *, lead: Actor, staff: dict[str, Actor]) -> None:
    """Before ``start_testing``: scope frozen (QT routes), prerequisites recorded and accepted, RTTM at QT entry."""
    if is_qt_route(case) and current_scope(case) is None:
        scope_freeze(
            actor=staff["admin"],
            case=case,
            reason="Scope confirmed with the Code Bodies.",
            catalogue=latest_published_catalogue(),
        )
    satisfy_entry(case, participant=lead, reviewer=reviewer_for(case, staff))


def leave_testing(case: QualificationCase, *, lead: Actor, staff: dict[str, Actor]) -> None:
    """Before ``complete_testing``: every required case run and passed, RTTM at QT exit, the report submitted (QT),
    or the SIT exit evidence accepted (SIT)."""
    satisfy_exit(case, participant=lead, reviewer=reviewer_for(case, staff))
