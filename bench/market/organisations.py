"""Phase A of the generated market: organisations, their people and market participations, written in bulk as
``organisation_create``, ``user_create``, ``membership_add`` and ``participation_create`` write them; and the
``Market`` that holds the tables, the audit trail and the register log the phases write to."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid as uuid_mod
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import storages

from market.bulk import AuditTrail, RegisterLog, Tables
from market.cases import CaseHistory
from market.common import (
    UK,
    Cast,
    Meeting,
    Org,
    Participation,
    Person,
    R,
    S,
    uk_at,
)
from qualify.accounts.models import User
from qualify.assessment import choices as ch
from qualify.core.actor import Actor
from qualify.core.roles import MembershipRole
from qualify.demo.data import WAVES
from qualify.demo.services import SIDE_EXITS
from qualify.notifications.models import Notification
from qualify.participants.choices import MarketRole, Route
from qualify.participants.models import DistributorId, MarketParticipation, Membership, Organisation
from qualify.plan.models import Wave
from qualify.qad.models import (
    Answer,
    QadQuestion,
    QadVersion,
)

# --- what the market looks like ------------------------------------------------------------------------------------

# Per wave, where its cases stand (weights). Waves are the demo's: W1 and W2 are history, W3 finishing, W4 in
# testing, W5 starting. Side exits leave from a state the wave has reached.
STATES_BY_WAVE: dict[str, dict[str, int]] = {
    "W1": {S.ACTIVE: 80, S.SUSPENDED: 4, S.SERVICE_ACTIVATION: 4, S.QUALIFIED: 4, S.WITHDRAWN: 4, S.NON_COMPLETION: 4},
    "W2": {
        S.ACTIVE: 58,
        S.QUALIFIED: 8,
        S.SERVICE_ACTIVATION: 6,
        S.SUSPENDED: 3,
        S.AWAITING_APPROVAL: 5,
        S.SIGNED: 4,
        S.WITHDRAWN: 6,
        S.DEFERRED: 6,
        S.NON_COMPLETION: 4,
    },
    "W3": {
        S.ACTIVE: 10,
        S.QUALIFIED: 8,
        S.SERVICE_ACTIVATION: 6,
        S.AWAITING_APPROVAL: 12,
        S.SIGNED: 8,
        S.AGREED: 8,
        S.FINAL_QAD_SUBMITTED: 14,
        S.FINAL_CLARIFICATION: 12,
        S.TESTING: 10,
        S.WITHDRAWN: 4,
        S.DEFERRED: 5,
        S.NON_COMPLETION: 3,
    },
    "W4": {
        S.TESTING: 30,
        S.INITIAL_QAD_SUBMITTED: 14,
        S.INITIAL_CLARIFICATION: 16,
        S.PIT: 18,
        S.SCOPED: 6,
        S.PREQUAL_SUBMITTED: 3,
        S.WITHDRAWN: 4,
        S.DEFERRED: 5,
        S.NON_COMPLETION: 4,
    },
    "W5": {S.DRAFT: 20, S.PREQUAL_SUBMITTED: 35, S.SCOPED: 30, S.PIT: 12, S.WITHDRAWN: 3},
}
EXIT_FROM_BY_WAVE: dict[str, tuple[str, ...]] = {
    "W1": (S.TESTING, S.FINAL_QAD_SUBMITTED),
    "W2": (S.PIT, S.INITIAL_CLARIFICATION, S.TESTING, S.FINAL_CLARIFICATION),
    "W3": (S.PIT, S.INITIAL_QAD_SUBMITTED, S.TESTING),
    "W4": (S.SCOPED, S.PIT, S.INITIAL_QAD_SUBMITTED),
    "W5": (S.DRAFT, S.PREQUAL_SUBMITTED),
}

# The bench's own login organisation: a Supplier group with a case in most stages, so every page has content for
# its people (and the same URLs serve the staff).
LOGIN_CASES: tuple[tuple[int, str, str, str, str], ...] = (
    # (MPID index, role, route, wave, state)
    (0, R.SUPPLIER, Route.QT, "W2", S.ACTIVE),
    (0, R.MEM, Route.QT, "W3", S.FINAL_CLARIFICATION),
    (0, R.SDS, Route.QT, "W4", S.TESTING),
    (0, R.ADS, Route.QT, "W4", S.INITIAL_CLARIFICATION),
    (1, R.SUPPLIER, Route.QT, "W3", S.AWAITING_APPROVAL),
    (1, R.MEM, Route.SIT, "W3", S.FINAL_QAD_SUBMITTED),
    (1, R.UMSDS, Route.QT, "W5", S.PIT),
)

ADJECTIVES = (  # noqa: SIM905  (a list of words reads best as words)
    "Amber Ash Beacon Birch Bright Brook Cairn Cedar Clear Cobalt Copper Crest Dale Delta Ember Fern Firth Glen "
    "Granite Harbour Heath Highland Holly Iron Juniper Kestrel Lark Linden Maple Marsh Meadow Moor Oak Orchard "
    "Pine Quarry Raven Ridge River Rowan Sable Severn Silver Slate Solent Spruce Summit Tarn Thistle Tide Vale "
    "Willow Wren"
).split()
NOUNS = (  # noqa: SIM905  (a list of words reads best as words)
    "Energy Power Electric Supply Utilities Metering Networks Data Grid Light Current Volt Spark Watt Home Retail "
    "Business Community Green Smart"
).split()
SUFFIX_BY_KIND = {
    "supplier": ("Ltd", "plc", "Supply Ltd", "Energy Services"),
    "agent": ("Metering Ltd", "Data Services Ltd", "Meter Services", "Data Ltd"),
    "distributor": ("Distribution Ltd", "Networks plc", "Connections Ltd"),
}
FIRST_NAMES = (  # noqa: SIM905  (a list of words reads best as words)
    "Aisha Alan Alice Amir Anna Ben Bethan Callum Carys Chloe Daniel Deepa Dylan Eilidh Emma Ewan Fatima Fiona "
    "Gareth Grace Hamish Hannah Harriet Ian Imogen Isaac Jack Jasmine Joel Kate Kieran Laura Liam Lucy Mairi "
    "Marcus Maya Megan Mohammed Nadia Niamh Oliver Owen Priya Rachel Rhys Rosa Ruth Sam Sanjay Sara Sean Sophie "
    "Tariq Tom Yusuf Zara"
).split()
LAST_NAMES = (  # noqa: SIM905  (a list of words reads best as words)
    "Adams Ahmed Bell Bennett Campbell Carter Chen Clarke Davies Edwards Evans Fraser Graham Green Hall Hughes "
    "Hussain Jones Kaur Khan Lewis MacDonald Martin Morgan Murray Nowak Osei Owen Patel Price Reid Roberts "
    "Robertson Scott Shah Singh Smith Stewart Taylor Thomas Thompson Walker Watson White Williams Wilson Wood "
    "Wright Young"
).split()


class Market:
    """Builds the organisations, people and participations (phase A) and then every case's history (phase B)."""

    def __init__(
        self,
        *,
        scale: float,
        seed: int,
        cast: Cast,
        meetings: list[Meeting],
        version: QadVersion,
        login_password_hash: str,
        now: dt.datetime,
    ) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.cast = cast
        self.meetings = {
            body: sorted((m for m in meetings if m.body == body), key=lambda m: m.meets_on)
            for body in ch.APPROVER_NAMES
        }
        self.version = version
        self.questions = list(
            QadQuestion.objects.filter(version=version).select_related("section").order_by("position")
        )
        self.login_password_hash = login_password_hash
        self.now = now
        self.today = now.astimezone(UK).date()
        self.wave_dates = {w.code: w.dates(self.today) for w in WAVES}
        self.wave_ids = dict(Wave.objects.values_list("code", "id"))
        self.wave_names = dict(Wave.objects.values_list("code", "name"))
        self.tables = Tables()
        self.audit = AuditTrail()
        self.register = RegisterLog()
        self.orgs: list[Org] = []
        self.participations: list[Participation] = []
        self.storage = storages["default"]
        self.answer_row = self.tables[Answer].builder(
            "created_at", "updated_at", "response", "question_id", "value", "version", "updated_by_name"
        )

    # --- small helpers ------------------------------------------------------------------------------------------

    def uuid(self) -> uuid_mod.UUID:
        return uuid_mod.UUID(int=self.rng.getrandbits(128), version=4)

    def request_id(self) -> str:
        """A web request's id as RequestIdMiddleware makes it (32 hex digits)."""
        return f"{self.rng.getrandbits(128):032x}"

    def request(self, actor: Actor) -> Actor:
        """The actor as seen in one web request: each request has its own id."""
        return dataclasses.replace(actor, request_id=self.request_id())

    def assessor_ids(self, body: str) -> list[int]:
        """``assessment.rules.body_assessors``: every assessor of the body."""
        return sorted(int(a.user_id) for a in self.cast.assessors[body] if a.user_id is not None)

    def notify(
        self, *, at: dt.datetime, recipients: Iterable[int], kind: str, title: str, body: str, link: str
    ) -> None:
        """``notifications.services.notify``: one inbox row per recipient; the e-mail went out a moment later.

        Older notices have mostly been read; the last week's mostly not."""
        table = self.tables[Notification]
        for recipient in sorted(set(recipients)):
            old = at < self.now - dt.timedelta(days=7)
            read = old and self.rng.random() < 0.9
            table.add(
                uuid=self.uuid(),
                created_at=at,
                updated_at=at,
                recipient_id=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                link=link[:500],
                read_at=at + dt.timedelta(hours=self.rng.randint(1, 120)) if read else None,
                email_sent_at=at + dt.timedelta(seconds=self.rng.randint(5, 90)),
            )

    def flush(self) -> dict[str, int]:
        written = self.tables.flush()
        written["AuditEvent"] = self.audit.flush()
        written["RegisterEvent"] = self.register.flush()
        return written

    # --- phase A: organisations, people, participations ---------------------------------------------------------

    def build_organisations(self, *, day: dt.date) -> None:
        """Organisations, their people and market participations, as ``organisation_create``, ``user_create``,
        ``membership_add`` and ``participation_create`` write them (the Programme registers them one by one)."""
        count = max(2, round(100 * self.scale))
        names: set[str] = set()
        mpids: set[str] = set()
        distributor_ids = iter(f"{n:02d}" for n in range(10, 100))
        system = self.cast.system
        clock = uk_at(day, 9)
        for index in range(count):
            kind = "supplier" if index == 0 else self.rng.choices(("supplier", "agent", "distributor"), (55, 35, 10))[0]
            name = self._org_name(kind, names)
            domain = "".join(c for c in name.lower().split(" ")[0] + name.lower().split(" ")[1] if c.isalnum())
            domain = f"{domain}{index}.example"
            clock += dt.timedelta(minutes=self.rng.randint(3, 40))
            org = Org(id=0, uuid=self.uuid(), name=name, domain=domain)
            org.id = self.tables[Organisation].add(
                uuid=org.uuid,
                created_at=clock,
                updated_at=clock,
                name=name,
                company_number=f"{self.rng.randint(1, 16_999_999):08d}",
                contact_email=f"qualification@{domain}",
            )
            self.audit.record(
                at=clock,
                actor=system,
                action="participants.organisation.create",
                target=Organisation,
                object_id=org.uuid,
                object_repr=name,
                organisation_id=org.id,
                changes={"name": name},
            )
            self.orgs.append(org)
            roles = [MembershipRole.LEAD, *[MembershipRole.CONTRIBUTOR] * self.rng.randint(1, 3)]
            roles += [MembershipRole.VIEWER] * self.rng.randint(0, 2)
            if index == 0:
                roles = [
                    MembershipRole.LEAD,
                    MembershipRole.CONTRIBUTOR,
                    MembershipRole.CONTRIBUTOR,
                    MembershipRole.VIEWER,
                ]
            for number, role in enumerate(roles):
                clock += dt.timedelta(seconds=self.rng.randint(20, 300))
                self._person(org, role, number, clock, can_sign_in=index == 0)
            org_mpids: list[str] = []
            for mpid_index, role, route, wave, state in self._participation_specs(kind, index):
                clock += dt.timedelta(seconds=self.rng.randint(20, 300))
                while len(org_mpids) <= mpid_index:
                    org_mpids.append(self._mpid(name, mpids))
                code = next(distributor_ids, None) if role == R.LDSO else None
                codes = [code] if code is not None else []
                self._participation(org, org_mpids[mpid_index], role, route, wave, state, codes, clock)

    def _org_name(self, kind: str, taken: set[str]) -> str:
        while True:
            name = f"{self.rng.choice(ADJECTIVES)} {self.rng.choice(NOUNS)} {self.rng.choice(SUFFIX_BY_KIND[kind])}"
            if name not in taken:
                taken.add(name)
                return name

    def _mpid(self, name: str, taken: set[str]) -> str:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        initials = "".join(w[0] for w in name.split()[:2]).upper()
        while True:
            mpid = initials + "".join(self.rng.choice(letters) for _ in range(2))
            if mpid not in taken:
                taken.add(mpid)
                return mpid
            initials = "".join(self.rng.choice(letters) for _ in range(2))

    def _participation_specs(self, kind: str, index: int) -> list[tuple[int, str, str, str, str]]:
        if index == 0:
            return list(LOGIN_CASES)
        specs = []
        mpid_count = self.rng.choices((1, 2, 3), (25, 40, 35))[0]
        for mpid_index in range(mpid_count):
            if kind == "distributor":
                roles = [R.LDSO]
            elif kind == "supplier":
                roles = [R.SUPPLIER, *self.rng.sample([R.MEM, R.SDS, R.ADS], self.rng.randint(0, 3))]
            else:
                roles = self.rng.sample([R.MEM, R.SDS, R.ADS, R.UMSDS], self.rng.randint(1, 4))
            for role in roles:
                route = self.rng.choices((Route.SIT, Route.QT, Route.NEW_ENTRANT), (25, 68, 7))[0]
                if role == R.LDSO:
                    wave = "W5" if route == Route.NEW_ENTRANT else "W1"
                elif route == Route.NEW_ENTRANT:
                    wave = "W5"
                else:
                    wave = self.rng.choices(("W2", "W3", "W4", "W5"), (21, 26, 34, 19))[0]
                weights = STATES_BY_WAVE[wave]
                state = self.rng.choices(list(weights), list(weights.values()))[0]
                specs.append((mpid_index, role, route, wave, state))
        return specs

    def _person(self, org: Org, role: str, number: int, at: dt.datetime, *, can_sign_in: bool) -> None:
        """``user_create`` (a named person; only the login organisation's can sign in) and ``membership_add``."""
        system = self.cast.system
        full_name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        email = f"{role.lower()}{number or ''}@{org.domain}"
        user_uuid = self.uuid()
        # An unusable password is "!" and random characters (what set_unusable_password stores).
        password = self.login_password_hash if can_sign_in else "!" + f"{self.rng.getrandbits(200):050x}"[:40]
        user_id = self.tables[User].add(
            uuid=user_uuid,
            email=email,
            full_name=full_name,
            password=password,
            last_login=None,
            is_superuser=False,
            staff_role="",
            is_machine=False,
            is_active=True,
            is_staff=False,
            date_joined=at,
        )
        self.audit.record(
            at=at,
            actor=system,
            action="accounts.user.create",
            target=User,
            object_id=user_uuid,
            object_repr=f"{full_name} <{email}>",
            organisation_id=None,
            changes={"email": email, "staff_role": "", "is_machine": False},
        )
        membership_at = at + dt.timedelta(milliseconds=40)
        membership_id = self.tables[Membership].add(
            created_at=membership_at, updated_at=membership_at, user_id=user_id, organisation_id=org.id, role=role
        )
        self.audit.record(
            at=membership_at,
            actor=system,
            action="participants.membership.add",
            target=Membership,
            object_id=membership_id,
            object_repr=f"{full_name} <{email}> — {MembershipRole(role).label} at {org.name}",
            organisation_id=org.id,
            changes={"user": email, "role": role},
        )
        actor = Actor(user_id=user_id, display_name=full_name, memberships={org.id: role})
        org.people.append(Person(user_id, email, full_name, role, actor))

    def _participation(
        self,
        org: Org,
        mpid: str,
        role: str,
        route: str,
        wave: str,
        state: str,
        codes: list[str],
        at: dt.datetime,
    ) -> None:
        """``participation_create`` (LDSOs with their distributor id while there are ids left)."""
        public_id = self.uuid()
        pk = self.tables[MarketParticipation].add(
            uuid=public_id,
            created_at=at,
            updated_at=at,
            organisation_id=org.id,
            mpid=mpid,
            role=role,
            route=route,
            is_new_entrant=route == Route.NEW_ENTRANT,
        )
        for code in codes:
            self.tables[DistributorId].add(participation_id=pk, code=code)
        self.audit.record(
            at=at,
            actor=self.cast.system,
            action="participants.participation.create",
            target=MarketParticipation,
            object_id=public_id,
            object_repr=f"{mpid} {MarketRole(role).label}",
            organisation_id=org.id,
            changes={"mpid": mpid, "role": role, "route": route, "distributor_ids": codes},
        )
        exit_from = None
        if state in SIDE_EXITS:
            exit_from = self.rng.choice(EXIT_FROM_BY_WAVE[wave])
            if route == Route.SIT and exit_from == S.PREQUAL_SUBMITTED:
                exit_from = S.DRAFT
        if route == Route.SIT and state == S.PREQUAL_SUBMITTED:
            state = S.SCOPED  # SIT-route participants are scoped straight from draft
        self.participations.append(
            Participation(
                id=pk,
                uuid=public_id,
                org=org,
                mpid=mpid,
                role=role,
                route=route,
                wave=wave,
                state=state,
                exit_from=exit_from,
                with_queries=self.rng.random() < 0.1 or org is self.orgs[0],
                conditional_finding=self.rng.random() < 0.15,
                smart_exemption=role == R.SUPPLIER and route != Route.SIT and self.rng.random() < 0.12,
            )
        )

    # --- phase B: the cases -------------------------------------------------------------------------------------

    def build_cases(self, *, progress: Any = None) -> None:
        for number, participation in enumerate(self.participations, start=1):
            CaseHistory(self, participation).run()
            if progress is not None and number % 250 == 0:
                progress(number, len(self.participations))
