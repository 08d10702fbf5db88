"""The fixed cast every test uses (STYLE.md rule 17): two participant organisations and staff of each body.

Everything is set up through services, as a real user would cause it. Building the cast costs about a hundred
queries, so it is built once per test module inside a transaction that the module's end rolls back; each test then
runs in a savepoint inside it (pytest-django's ordinary ``db`` handling) and gets freshly read copies of the cast's
rows, so what one test changes, in the database or in memory, never reaches the next. A module with a test that
commits for real (``transactional_db``, ``live_server``, ``django_db(transaction=True)``) cannot sit inside that
transaction: there each test builds its own cast, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from qualify.accounts.models import User
from qualify.accounts.services import api_token_create, user_create
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_open
from qualify.core.actor import Actor, actor_for_user, system_actor
from qualify.core.roles import MembershipRole, StaffRole
from qualify.participants.choices import MarketRole, Route
from qualify.participants.models import MarketParticipation, Organisation
from qualify.participants.services import membership_add, organisation_create, participation_create
from qualify.plan.choices import DeadlineKind
from qualify.plan.models import Wave
from qualify.plan.services import wave_upsert

PASSWORD = "correct-horse-battery-9"


@dataclass
class Cast:
    org_a: Organisation
    org_b: Organisation
    supplier_a: MarketParticipation
    mem_a: MarketParticipation
    supplier_b: MarketParticipation
    ldso_b: MarketParticipation
    wave: Wave
    case_a: QualificationCase
    case_a_mem: QualificationCase
    case_b: QualificationCase
    users: dict[str, User]

    def user(self, key: str) -> User:
        return self.users[key]

    def actor(self, key: str) -> Actor:
        return actor_for_user(self.users[key])


# Who is who: key -> (e-mail, name, staff role, (organisation key, membership role) or None)
PEOPLE: dict[str, tuple[str, str, str, tuple[str, str] | None]] = {
    "lead_a": ("lead@northwind.test", "Ada Lead", StaffRole.NONE, ("a", MembershipRole.LEAD)),
    "contributor_a": (
        "contrib@northwind.test",
        "Cal Contributor",
        StaffRole.NONE,
        ("a", MembershipRole.CONTRIBUTOR),
    ),
    "viewer_a": ("viewer@northwind.test", "Vi Viewer", StaffRole.NONE, ("a", MembershipRole.VIEWER)),
    "lead_b": ("lead@southbank.test", "Bea Lead", StaffRole.NONE, ("b", MembershipRole.LEAD)),
    "bsc": ("bsc@elexon.test", "Bo Assessor", StaffRole.BSC_ASSESSOR, None),
    "rec": ("rec@recmanager.test", "Rae Assessor", StaffRole.REC_ASSESSOR, None),
    "dip": ("dip@dipmanager.test", "Dee Assessor", StaffRole.DIP_ASSESSOR, None),
    # The approving bodies' own decision-makers (DOMAIN.md §6, §9): "board" is the BSC Panel (PAB) member.
    "board": ("board@pab.test", "Bram Board", StaffRole.BSC_PAB_MEMBER, None),
    "dip_decider": ("decider@dipmanager.test", "Dora Decider", StaffRole.DIP_DECISION_MAKER, None),
    "rec_decider": ("decider@recmanager.test", "Rex Decider", StaffRole.REC_DECISION_MAKER, None),
    "qag": ("member@qag.test", "Quin Adviser", StaffRole.QAG_MEMBER, None),
    "admin": ("admin@programme.test", "Pat Programme", StaffRole.PROGRAMME_ADMIN, None),
    "auditor": ("auditor@programme.test", "Aud Itor", StaffRole.AUDITOR, None),
    "machine": ("registration@market.test", "Registration system", StaffRole.MARKET_SYSTEM, None),
}


def build_cast() -> Cast:
    system = system_actor("test set-up")
    org_a = organisation_create(actor=system, name="Northwind Energy Ltd", company_number="01234567")
    org_b = organisation_create(actor=system, name="Southbank Power plc", company_number="07654321")
    orgs = {"a": org_a, "b": org_b}
    supplier_a = participation_create(
        actor=system, organisation=org_a, mpid="NWEN", role=MarketRole.SUPPLIER, route=Route.QT
    )
    mem_a = participation_create(actor=system, organisation=org_a, mpid="NWMS", role=MarketRole.MEM, route=Route.SIT)
    supplier_b = participation_create(
        actor=system, organisation=org_b, mpid="SBPW", role=MarketRole.SUPPLIER, route=Route.QT
    )
    ldso_b = participation_create(
        actor=system,
        organisation=org_b,
        mpid="SBDN",
        role=MarketRole.LDSO,
        route=Route.SIT,
        distributor_ids=["12"],
    )
    wave = wave_upsert(
        actor=system,
        code="W1",
        name="Wave 1",
        sequence=1,
        deadlines={
            DeadlineKind.PRE_QUALIFICATION: dt.date(2026, 12, 1),
            DeadlineKind.INITIAL_QAD: dt.date(2027, 2, 1),
            DeadlineKind.FINAL_QAD: dt.date(2027, 5, 1),
        },
    )
    users: dict[str, User] = {}
    for key, (email, name, role, membership) in PEOPLE.items():
        users[key] = user_create(
            actor=system,
            email=email,
            full_name=name,
            password=None if key == "machine" else PASSWORD,
            staff_role=role,
            is_machine=key == "machine",
            is_staff=key == "admin",
        )
        if membership:
            membership_add(actor=system, organisation=orgs[membership[0]], user=users[key], role=membership[1])
    return Cast(
        org_a=org_a,
        org_b=org_b,
        supplier_a=supplier_a,
        mem_a=mem_a,
        supplier_b=supplier_b,
        ldso_b=ldso_b,
        wave=wave,
        case_a=case_open(actor=system, participation=supplier_a, wave=wave),
        case_a_mem=case_open(actor=system, participation=mem_a, wave=wave),
        case_b=case_open(actor=system, participation=supplier_b, wave=wave),
        users=users,
    )


def reread(cast: Cast) -> Cast:
    """A copy of the cast with every row read again from the database (five queries)."""
    orgs = Organisation.objects.in_bulk([cast.org_a.pk, cast.org_b.pk])
    parts = MarketParticipation.objects.select_related("organisation").in_bulk(
        [p.pk for p in (cast.supplier_a, cast.mem_a, cast.supplier_b, cast.ldso_b)]
    )
    cases = QualificationCase.objects.select_related("participation__organisation", "wave").in_bulk(
        [c.pk for c in (cast.case_a, cast.case_a_mem, cast.case_b)]
    )
    users = User.objects.in_bulk([u.pk for u in cast.users.values()])
    return Cast(
        org_a=orgs[cast.org_a.pk],
        org_b=orgs[cast.org_b.pk],
        supplier_a=parts[cast.supplier_a.pk],
        mem_a=parts[cast.mem_a.pk],
        supplier_b=parts[cast.supplier_b.pk],
        ldso_b=parts[cast.ldso_b.pk],
        wave=Wave.objects.get(pk=cast.wave.pk),
        case_a=cases[cast.case_a.pk],
        case_a_mem=cases[cast.case_a_mem.pk],
        case_b=cases[cast.case_b.pk],
        users={key: users[u.pk] for key, u in cast.users.items()},
    )


def commits_for_real(item: pytest.Item) -> bool:
    """Whether a test needs real commits (and so a database outside any enclosing transaction)."""
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names or "django_db_reset_sequences" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """Hold a transaction (a savepoint when one is already open) around a group of tests; roll it back after them.

    What the group's set-up writes inside it is seen by each of the group's tests, each in a savepoint of its own.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_cast(request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Cast | None]:
    """The module's cast, built once in a transaction rolled back after the module's last test (see the docstring
    at the top); ``None`` for a module with a test that commits for real."""
    module_items = [item for item in request.session.items if getattr(item, "module", None) is request.module]
    if any(commits_for_real(item) for item in module_items):
        yield None
        return
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            built = build_cast()
        yield built


@pytest.fixture
def cast(module_cast: Cast | None, db: Any) -> Cast:
    return build_cast() if module_cast is None else reread(module_cast)


@pytest.fixture
def client_for(cast: Cast):  # type: ignore[no-untyped-def]
    """A Django test client signed in as one of the cast (``None`` for anonymous)."""

    def make(key: str | None) -> Client:
        client = Client()
        if key is not None:
            client.force_login(cast.user(key))
        return client

    return make


@pytest.fixture
def token_for(cast: Cast):  # type: ignore[no-untyped-def]
    """A bearer token header for one of the cast."""

    def make(key: str) -> dict[str, str]:
        issued = api_token_create(actor=system_actor(), user=cast.user(key), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}

    return make


@pytest.fixture(autouse=True)
def _fresh_register_snapshot() -> None:
    """Tests roll their data back, which a running server never does; start each with no cached register."""
    from qualify.register import snapshot

    snapshot.forget()


# The audit log's tables refuse TRUNCATE on PostgreSQL (audit migration 0004), which is how the test runner empties
# every table after a test that commits. The runner's flush alone switches those two triggers off, in its own
# transaction, and on again before it commits.
AUDIT_TRUNCATE_GUARDS = {
    "audit_auditevent": "audit_event_no_truncate",
    "audit_auditchainhead": "audit_chain_head_no_truncate",
}


@pytest.fixture(scope="session", autouse=True)
def _test_flush_passes_the_audit_truncate_guard() -> Iterator[None]:
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self: DatabaseOperations, style: Any, tables: Any, **options: Any) -> list[str]:
        statements = original(self, style, tables, **options)
        guarded = [(table, trigger) for table, trigger in AUDIT_TRUNCATE_GUARDS.items() if table in tables]
        if not statements or not guarded:
            return statements
        off = [f"ALTER TABLE {table} DISABLE TRIGGER {trigger}" for table, trigger in guarded]
        on = [f"ALTER TABLE {table} ENABLE TRIGGER {trigger}" for table, trigger in guarded]
        return [*off, *statements, *on]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign,assignment]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]
