"""Set-up for test catalogue tests, through the services as the Programme would do it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from qualify.core.actor import Actor, system_actor
from qualify.core.roles import StaffRole
from qualify.library.choices import GoverningBody
from qualify.library.models import Artefact, ArtefactVersion
from qualify.library.services import approval_record, version_approve
from qualify.library.tests.helpers import make_artefact, make_version
from qualify.testing.models import TestCatalogue
from qualify.testing.services import catalogue_load

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-qt-catalogue-v1.0.yaml"
DOCUMENT = "MHHS-DEL9001"


def programme():  # type: ignore[no-untyped-def]
    return system_actor("testing tests")


def bsc_pab_member() -> Actor:
    """The BSC PAB's decisions on library documents are recorded by its own members."""
    return Actor(user_id=None, display_name="BSC PAB member (testing tests)", staff_role=StaffRole.BSC_PAB_MEMBER)


def sample_text(version: str = "1.0") -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    return text.replace("version: '1.0'", f"version: '{version}'", 1)


def library_version(version: str = "1.0", *, baselined: bool = True) -> ArtefactVersion:
    """The catalogue's artefact in the library (created once), with ``version`` approved and, by default, baselined
    by the one body it needs."""
    artefact = Artefact.objects.filter(document_number=DOCUMENT).first() or make_artefact(
        number=DOCUMENT, short_name="QT catalogue", required_bodies=[GoverningBody.BSC_PAB]
    )
    found = version_approve(actor=programme(), version=make_version(artefact, version))
    if baselined:
        approval_record(
            actor=bsc_pab_member(),
            version=found,
            body=GoverningBody.BSC_PAB,
            decision="APPROVE",
            decided_on=timezone.localdate() - dt.timedelta(days=1),
            minutes_reference="PAB-QT-1",
        )
        found.refresh_from_db()
    return found


def load(version: str = "1.0", *, publish: bool = False, text: str | None = None) -> TestCatalogue:
    return catalogue_load(
        actor=programme(), text=text or sample_text(version), source_name="sample.yaml", publish=publish
    )


def publish_sample(version: str = "1.0") -> TestCatalogue:
    library_version(version)
    return load(version, publish=True)


def sample_workbook(version: str = "1.0", edit=None) -> bytes:  # type: ignore[no-untyped-def]
    """The sample catalogue as an Excel workbook (docs/qt-catalogue-format.md), built from the YAML file's content;
    ``edit(sheets)`` may change the rows (lists of lists, header first) before it is saved."""
    import io

    import yaml
    from openpyxl import Workbook

    doc = yaml.safe_load(sample_text(version))
    joined = lambda v: "; ".join(v) if isinstance(v, list) else (v or "")  # noqa: E731
    columns = ["id", "title", "batch", "roles", "segments", "routes", "requirements", "steps", "minimum_sets",
               "optional_function"]  # fmt: skip
    sheets = {
        "catalogue": [["field", "value"], *[[k, doc[k]] for k in ("version", "title", "document", "status")]],
        "batches": [
            ["code", "title", "qad_questions"],
            *[[b["code"], b["title"], joined(b.get("qad_questions"))] for b in doc["batches"]],
        ],
        "optional_functions": [
            ["code", "title", "roles"],
            *[[o["code"], o["title"], joined(o["roles"])] for o in doc["optional_functions"]],
        ],
        "cases": [columns, *[[joined(c.get(k)) for k in columns] for c in doc["cases"]]],
    }
    if edit is not None:
        edit(sheets)
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def scoped(case, catalogue: TestCatalogue | None = None):  # type: ignore[no-untyped-def]
    """Freeze ``case``'s required set against the sample catalogue (published here if it is not yet)."""
    from qualify.testing.services.scoping import scope_freeze

    catalogue = catalogue or TestCatalogue.objects.filter(version="1.0").first() or publish_sample()
    return scope_freeze(actor=programme(), case=case, reason="test set-up", catalogue=catalogue)


def lead_of(case):  # type: ignore[no-untyped-def]
    """An actor who is the qualification lead of ``case``'s organisation (for set-up through the services)."""
    from qualify.core.roles import MembershipRole

    return Actor(
        user_id=None,
        display_name="Lead (testing tests)",
        memberships={int(case.participation.organisation_id): MembershipRole.LEAD},
    )


def prequalify(case, *, submit: bool = True, **overrides):  # type: ignore[no-untyped-def]
    """Fill in ``case``'s pre-qualification form completely (as its lead) and, by default, submit it with the case
    step; ``overrides`` change any answer."""
    from qualify.testing.services.prequalification import prequalification_save, prequalification_submit

    answers = {
        "preferred_wave": case.wave,
        "pit_approach": "PIT on our own test environment against the Programme's PIT exit criteria.",
        "pit_start": dt.date(2026, 1, 5),
        "pit_completion": dt.date(2026, 3, 27),
        "qt_ready": dt.date(2026, 4, 6),
        "target_migration_date": dt.date(2026, 9, 1),
        "intended_operation_date": dt.date(2026, 6, 1),
        **overrides,
    }
    lead = lead_of(case)
    prequal = prequalification_save(actor=lead, case=case, **answers)
    if submit:
        prequal = prequalification_submit(actor=lead, case=case)
        case.refresh_from_db()
    return prequal


def satisfy_testing_gates(case, *, entry: bool = True, exit: bool = True):  # type: ignore[no-untyped-def]
    """Meet the testing gates for ``case`` through the services: scope it (QT routes, sample catalogue) if it is not
    yet, record and accept its prerequisites, take the RTTM at QT entry and, for the exit, pass every required case,
    take the RTTM at QT exit and a submitted Test Completion Report row. Call it before start_testing and/or
    complete_testing."""
    from qualify.testing.demo_support import satisfy_entry, satisfy_exit
    from qualify.testing.gates import is_qt_route
    from qualify.testing.services.scoping import current_scope

    if is_qt_route(case) and current_scope(case) is None:
        scoped(case)
    if entry:
        satisfy_entry(case)
    if exit:
        satisfy_exit(case)
    return case


def take_rttm(case, gate):  # type: ignore[no-untyped-def]
    """An RTTM snapshot row at ``gate`` (set-up: the snapshot service is another part of QT)."""
    from qualify.testing.demo_support import participant_actor
    from qualify.testing.demo_support import take_rttm as take

    return take(case, gate, participant_actor(case))
