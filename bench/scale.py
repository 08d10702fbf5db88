"""Generator: the GB qualification market at a chosen scale, on PostgreSQL, in a few minutes.

    .venv/bin/python bench/scale.py --scale 1  --database-url postgres://postgres@127.0.0.1:5432/qualify_scale1
    .venv/bin/python bench/scale.py --scale 10 --database-url postgres://postgres@127.0.0.1:5432/qualify_scale10

``--scale 1`` is about the GB market (about 100 organisations, 500 qualification cases, 59,000 QAD answers and 490
QAD submissions); ``--scale 10`` is ten times that. The database is created if it does not exist and migrated; a
database that already holds people is refused, so a real one is never added to. bench/pages.py runs this into the
throw-away database of bench/production_server.py.

How it is built, in time order (so the audit log reads in order too):
1. the frame, through the services with the clock set back to before the programme: staff, the plan (the demo's
   milestones and waves), the sample QAD v3.2 and a full-length v3.3 generated from it (every section grown to
   the length of the published QAD), and the board calendar;
2. organisations, their people and market participations, in bulk (bench/market/organisations.py);
3. the library, through the services with the clock moving through its history: artefacts, versions and files,
   consultations with participants' comments and the Programme's answers, governance decisions and baselines;
4. every case's history, in bulk, each step as its service writes it (bench/market/cases.py): transitions, QAD
   answers, evidence, snapshots and their hashes, declarations, queries, findings, recommendations, board decisions,
   service activation, register events, notices, and an audit event for each;
5. today, through the services: consultations open now, and API tokens for the bench's logins.

Afterwards it checks the audit chain (what ``manage.py verify_audit_chain`` runs) and a sample of snapshot hashes,
prints the counts, and with ``--manifest FILE`` writes the logins, tokens and sample pages for bench/pages.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import random
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105  (the generated logins' shared password, on throw-away data)
STAFF_DOMAIN = "staff.bench.example"
LIBRARY_ARTEFACTS = 24
QAD_GROWTH = 5  # each section of the sample QAD grows to five times its length: 315 questions, about 175 per case


def configure_django(database_url: str | None) -> None:
    """Production settings over the given database (HTTPS redirect off, a throw-away key if none is set)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("QUALIFY_AUDIT_KEY", "bench-only-audit-key-not-a-secret-0123456789")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg

    server, name = database_url.rsplit("/", 1)
    if name == "test" or name.startswith("test_"):
        raise SystemExit(f"Refusing to write into {name!r}: test databases belong to the test suites.")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


class Progress:
    """Prints each phase with the time it took (the build is meant to take minutes, not hours)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        print(f"[{self.elapsed():7.1f} s] {name} …", flush=True)
        started, cpu = time.perf_counter(), time.process_time()
        yield
        self.timings[name] = time.perf_counter() - started
        spent = time.process_time() - cpu
        print(
            f"[{self.elapsed():7.1f} s] {name}: {self.timings[name]:.1f} s (this process's CPU {spent:.1f} s)",
            flush=True,
        )

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@contextmanager
def clock_at(moment: dt.datetime | None) -> Iterator[None]:
    """Run the services as if it were ``moment`` (the clock then runs on from there); None: the real now."""
    if moment is None:
        yield
        return
    import time_machine

    with time_machine.travel(moment, tick=True):
        yield


def uk(day: dt.date, hour: int = 10) -> dt.datetime:
    from market.common import uk_at

    return uk_at(day, hour)


# --- 1. the frame ----------------------------------------------------------------------------------------------------


def grown_qad() -> str:
    """The sample QAD with each section grown to ``QAD_GROWTH`` times its length, as a new version (3.3).

    New questions continue each section's numbering and copy a question of the section (type, evidence, owner,
    applicability), asking about another aspect, so the share of questions that applies to each role and route is
    the sample's.
    """
    import yaml

    from qualify.demo.qad import SAMPLE_QAD

    spec = yaml.safe_load(SAMPLE_QAD.read_text(encoding="utf-8"))
    aspects = (
        "for the smart segment",
        "for the advanced segment",
        "for unmetered supplies",
        "at full migration volumes",
        "out of normal working hours",
        "during cut-over",
        "where a third party provides the service",
        "after a major incident",
        "for data held on behalf of other parties",
        "when the DIP is unavailable",
    )
    spec["version"] = "3.3"
    spec["title"] = "MHHS Qualification Assessment Document (sample, full length)"
    for section in spec["sections"]:
        own = section["questions"]
        prefix = section["number"] + "."
        numbers = [int(q["number"][len(prefix) :].split(".")[0]) for q in own if q["number"].startswith(prefix)]
        following = max(numbers, default=0) + 1
        grown = list(own)
        for index in range(len(own) * (QAD_GROWTH - 1)):
            template = own[index % len(own)]
            number = f"{section['number']}.{following + index}"
            aspect = aspects[index % len(aspects)]
            question = {k: v for k, v in template.items() if k not in ("id", "number", "text")}
            question.update(id=f"Q-{number}", number=number, text=f"{template['text'].rstrip('.?')} — {aspect}?")
            grown.append(question)
        section["questions"] = grown
    return json.dumps(spec)


def build_frame(*, scale: float, system: Any, now: dt.datetime) -> dict[str, Any]:
    from qualify.accounts.services import user_create
    from qualify.assessment import choices as ch
    from qualify.assessment.services import meeting_schedule
    from qualify.core.actor import actor_for_user
    from qualify.core.roles import StaffRole
    from qualify.demo.data import WAVES
    from qualify.demo.qad import publish_sample_qad
    from qualify.demo.services import MEETING_DAY, demo_milestones_load
    from qualify.plan.choices import DeadlineKind
    from qualify.plan.services import wave_upsert
    from qualify.qad.services import qad_version_load

    rng = random.Random(7)
    today = now.date()
    people: dict[str, Any] = {"assessors": {}, "logins": {}}

    def person(key: str, email: str, role: str, *, login: bool, **kw: Any) -> Any:
        first = rng.choice(("Morag", "Tomasz", "Aisha", "Graham", "Helen", "Victor", "Ruth", "Dev", "Ines", "Kofi"))
        last = rng.choice(("Ellison", "Wilk", "Bello", "Oduya", "Marsh", "Lindqvist", "Adair", "Kerr", "Sousa"))
        user = user_create(
            actor=system,
            email=email,
            full_name=f"{first} {last}",
            password=BENCH_PASSWORD if login else None,
            staff_role=role,
            **kw,
        )
        if login:
            people["logins"][key] = email
        return actor_for_user(user, request_id=system.request_id)

    people["admins"] = [
        person(
            "programme_admin", f"programme.admin@{STAFF_DOMAIN}", StaffRole.PROGRAMME_ADMIN, login=True, is_staff=True
        ),
        person("", f"programme.office@{STAFF_DOMAIN}", StaffRole.PROGRAMME_ADMIN, login=False),
    ]
    per_body = 2 + round(scale / 2)
    for body, role in (
        (ch.Body.BSC, StaffRole.BSC_ASSESSOR),
        (ch.Body.REC, StaffRole.REC_ASSESSOR),
        (ch.Body.DIP, StaffRole.DIP_ASSESSOR),
    ):
        key = f"{body.lower()}_assessor"
        people["assessors"][body] = [
            person(key if n == 0 else "", f"{body.lower()}.assessor{n + 1}@{STAFF_DOMAIN}", role, login=n == 0)
            for n in range(per_body)
        ]
    # Each approving body's own decision-makers; the BSC PAB member keeps the "board_member" login of the page bench.
    people["board"] = {}
    for body, role, login in (
        (ch.Body.BSC, StaffRole.BSC_PAB_MEMBER, "board_member"),
        (ch.Body.REC, StaffRole.REC_DECISION_MAKER, "rec_decider"),
        (ch.Body.DIP, StaffRole.DIP_DECISION_MAKER, "dip_decider"),
    ):
        people["board"][body] = [
            person(login if n == 0 else "", f"{body.lower()}.decider{n + 1}@{STAFF_DOMAIN}", role, login=n == 0)
            for n in range(2)
        ]
    people["qag"] = person("qag_member", f"qag.member@{STAFF_DOMAIN}", StaffRole.QAG_MEMBER, login=True)
    person("auditor", f"auditor@{STAFF_DOMAIN}", StaffRole.AUDITOR, login=True)
    people["machine"] = user_create(
        actor=system,
        email=f"market.system@{STAFF_DOMAIN}",
        full_name="Registration system (bench)",
        staff_role=StaffRole.MARKET_SYSTEM,
        is_machine=True,
    )

    demo_milestones_load(actor=system)
    boards = []
    for w in WAVES:
        dates = w.dates(today)
        wave_upsert(
            actor=system,
            code=w.code,
            name=w.name,
            description=w.description,
            sequence=w.sequence,
            deadlines=dict(dates),
        )
        boards.append(dates[DeadlineKind.TARGET_BOARD])

    publish_sample_qad(system)
    qad_version_load(actor=system, text=grown_qad(), source_name="sample-qad-v3.3-full-length.json", publish=True)

    # Each approving authority meets monthly, from before the first wave's boards to three months ahead.
    first = min(boards) - dt.timedelta(days=60)
    month = dt.date(first.year, first.month, 1)
    while month <= today + dt.timedelta(days=92):
        for body, day in MEETING_DAY.items():
            meets_on = month.replace(day=day)
            meeting_schedule(
                actor=people["admins"][0],
                body=body,
                meets_on=meets_on,
                title=f"{ch.APPROVER_NAMES[body]} — {meets_on:%B %Y}",
                papers_due_on=meets_on - dt.timedelta(days=7),
            )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return people


# --- 3. the library --------------------------------------------------------------------------------------------------

THEMES = ("Qualification", "Testing", "Migration", "Design", "Data", "Governance")
SUBTYPES = ("Approach document", "Annex", "Catalogue", "Guidance", "Specification", "Plan")
DOCUMENTS = (
    "Qualification Approach and Plan",
    "Qualification Testing Guide",
    "Test Data Approach",
    "Migration Framework",
    "Interface Catalogue",
    "Non-functional Requirements",
    "Service Activation Guide",
    "Defect Management Approach",
    "Entry and Exit Criteria",
    "RTTM Template",
    "Placing Reliance Guidance",
    "Assurance Approach",
    "Cut-over Approach",
    "Data Cleanse Guidance",
    "Environments Plan",
)


def _library_file(title: str) -> Any:
    from market.common import small_pdf

    return io.BytesIO(small_pdf(title))


def _participant_actors(limit: int, rng: random.Random) -> list[Any]:
    from qualify.accounts.models import User
    from qualify.core.actor import actor_for_user
    from qualify.core.roles import MembershipRole

    leads = list(User.objects.filter(memberships__role=MembershipRole.LEAD).order_by("pk"))
    return [
        actor_for_user(u, request_id=f"{rng.getrandbits(128):032x}") for u in rng.sample(leads, min(limit, len(leads)))
    ]


def build_library(*, scale: float, people: dict[str, Any], start: dt.date) -> None:
    """Artefacts with a baselined first version; later versions consulted on, commented, answered and baselined.

    The Programme's library does not grow with the number of participants: its size is fixed, while the comments
    (from more organisations) and the notices (to every participant's people) grow with the market."""
    from qualify.library import services as lib
    from qualify.library.choices import CommentCategory, CommentOutcome, FileKind, GoverningBody

    rng = random.Random(11)
    admin = people["admins"][0]
    # Each governance body's decisions are recorded by its own members.
    board = {"QAG": people["qag"], "REC_PAB": people["board"]["REC"][0], "BSC_PAB": people["board"]["BSC"][0]}
    count = LIBRARY_ARTEFACTS
    artefacts = []
    with clock_at(uk(start)):
        for n in range(count):
            name = DOCUMENTS[n % len(DOCUMENTS)] + (f" (part {n // len(DOCUMENTS) + 1})" if n >= len(DOCUMENTS) else "")
            bodies = rng.choice((list(GoverningBody.values), ["QAG"], ["QAG", "BSC_PAB"], ["QAG", "REC_PAB"]))
            artefact = lib.artefact_create(
                actor=admin,
                document_number=f"MHHS-DEL{1100 + n}",
                short_name=name,
                theme=THEMES[n % len(THEMES)],
                subtype=SUBTYPES[n % len(SUBTYPES)],
                title=f"MHHS {name}",
                required_bodies=bodies,
            )
            first = lib.version_create(
                actor=admin,
                artefact=artefact,
                version="1.0",
                release_notes="First issue.",
                files={FileKind.CLEAN: (_library_file(f"{name} v1.0"), f"{artefact.document_number}-v1.0.pdf")},
            )
            _approve_and_baseline(admin, board, first, bodies)
            artefacts.append((artefact, bodies))
    # The second versions go out for consultation in a few batches, two weeks each; then the log is answered.
    later = [a for a in artefacts if rng.random() < 0.6]
    batches = [later[i : i + 3] for i in range(0, len(later), 3)]
    consultations = []
    for number, batch in enumerate(batches):
        opens = start + dt.timedelta(days=2 + (3 * number) // len(batches))
        with clock_at(uk(opens, 9) + dt.timedelta(minutes=5 * number)):
            versions = [
                lib.version_create(
                    actor=admin,
                    artefact=artefact,
                    version="2.0",
                    release_notes="Updated after the Qualification Working Group's review.",
                    files={
                        FileKind.CLEAN: (
                            _library_file(f"{artefact.short_name} v2.0"),
                            f"{artefact.document_number}-v2.0.pdf",
                        )
                    },
                )
                for artefact, _ in batch
            ]
            consultation = lib.consultation_open(
                actor=admin,
                title=f"Qualification documents, batch {number + 1}",
                versions=versions,
                opens_at=uk(opens, 9),
                closes_at=uk(opens + dt.timedelta(days=14), 17),
            )
        consultations.append((consultation, versions, batch, opens))
    # Participants comment while each consultation is open, in the order the comments come in.
    from qualify.participants.models import Organisation

    planned = []
    for consultation, versions, _, opens in consultations:
        for actor in _participant_actors(round(4 + scale), rng):
            for _ in range(rng.randint(1, 2)):
                when = uk(opens + dt.timedelta(days=rng.randint(1, 12)), rng.randint(9, 17)) + dt.timedelta(
                    minutes=rng.randint(0, 59)
                )
                planned.append((when, consultation, versions, actor))
    comments = []
    previous = uk(start)
    for when, consultation, versions, actor in sorted(planned, key=lambda p: p[0]):
        previous = max(when, previous + dt.timedelta(seconds=2))
        with clock_at(previous):
            comments.append(
                lib.comment_create(
                    actor=actor,
                    consultation=consultation,
                    version=rng.choice(versions),
                    organisation=Organisation.objects.get(pk=next(iter(actor.organisation_ids))),
                    clause_reference=f"{rng.randint(1, 9)}.{rng.randint(1, 12)}",
                    text="The timescale in this clause leaves no room for a retest after a failed test case; "
                    "please allow one.",
                    category=rng.choice(list(CommentCategory.values)),
                    proposed_change="Add five working days for a retest.",
                    submit=True,
                )
            )
    closed = start + dt.timedelta(days=2 + 14 + 3)
    with clock_at(uk(closed, 10)):
        for comment in comments:
            lib.comment_answer(
                actor=admin,
                comment=comment,
                response="Accepted: the plan now allows a retest window.",
                outcome=rng.choice(list(CommentOutcome.values)),
                resulting_change="Clause updated.",
            )
        # Reporting the outcome to QWG publishes each consultation's comments log and puts its versions before
        # governance (the published order: QWG report, then QAG, then the PABs).
        for number, (consultation, versions, batch, _) in enumerate(consultations):
            lib.consultation_report_to_qwg(
                actor=admin,
                consultation=consultation,
                reported_on=closed,
                minutes_reference=f"QWG-{closed:%Y-%m}-minutes",
                log_document_number=f"MHHS-DEL{9100 + number}",
            )
            for version, (_, bodies) in zip(versions, batch, strict=True):
                _approve_and_baseline(admin, board, version, bodies, reported_to_qwg=True)


def _approve_and_baseline(
    admin: Any, board: dict[str, Any], version: Any, bodies: list[str], *, reported_to_qwg: bool = False
) -> None:
    """Approve a draft for governance (unless the QWG report already did) and record each body's approval in the
    published order."""
    from django.utils import timezone

    from qualify.library import services as lib
    from qualify.library.choices import GovernanceDecision
    from qualify.library.workflow import GOVERNANCE_ORDER

    if not reported_to_qwg:
        lib.version_approve(actor=admin, version=version, comment="Approved for governance.")
    version.refresh_from_db()
    order = [step.body for step in GOVERNANCE_ORDER]
    for body in sorted(bodies, key=order.index):
        lib.approval_record(
            actor=board[body],
            version=version,
            body=body,
            decision=GovernanceDecision.APPROVE,
            decided_on=timezone.localdate(),
            minutes_reference=f"{body}-{timezone.localdate():%Y-%m}-minutes",
        )


def open_consultations(*, scale: float, people: dict[str, Any], now: dt.datetime) -> None:
    """Consultations open today on new drafts, with a few comments in, so the consultation pages have one live."""
    from qualify.library import services as lib
    from qualify.library.choices import CommentCategory, FileKind
    from qualify.library.models import Artefact
    from qualify.participants.models import Organisation

    rng = random.Random(13)
    admin = people["admins"][0]
    artefacts = list(Artefact.objects.order_by("document_number")[: 3 * (1 + round(scale / 5))])
    for number in range(0, len(artefacts), 3):
        versions = [
            lib.version_create(
                actor=admin,
                artefact=a,
                version="3.0",
                release_notes="Draft for consultation.",
                files={FileKind.CLEAN: (_library_file(f"{a.short_name} v3.0"), f"{a.document_number}-v3.0.pdf")},
            )
            for a in artefacts[number : number + 3]
        ]
        consultation = lib.consultation_open(
            actor=admin,
            title=f"Qualification documents, open batch {number // 3 + 1}",
            versions=versions,
            opens_at=now - dt.timedelta(days=3),
            closes_at=now + dt.timedelta(days=11),
        )
        for actor in _participant_actors(round(2 + scale / 2), rng):
            lib.comment_create(
                actor=actor,
                consultation=consultation,
                version=rng.choice(versions),
                organisation=Organisation.objects.get(pk=next(iter(actor.organisation_ids))),
                clause_reference=f"{rng.randint(1, 9)}.{rng.randint(1, 12)}",
                text="Please confirm whether this applies to SIT-route participants.",
                category=CommentCategory.QUESTION,
                submit=rng.random() < 0.6,
            )


# --- 5. today: tokens, manifest -------------------------------------------------------------------------------------


def issue_tokens(people: dict[str, Any], login_org: Any) -> dict[str, str]:
    """An API token for each bench login (and the market system), through the token service."""
    from qualify.accounts.models import User
    from qualify.accounts.services import api_token_create
    from qualify.core.actor import actor_for_user, system_actor

    system = system_actor("bench/scale.py")
    emails = dict(people["logins"])
    emails.update({f"participant_{p.role.lower()}": p.email for p in login_org.people})
    tokens = {}
    for key, email in emails.items():
        user = User.objects.get(email=email)
        tokens[key] = api_token_create(actor=actor_for_user(user), user=user, name="bench pages").secret
    tokens["market_system"] = api_token_create(actor=system, user=people["machine"], name="bench pages").secret
    return tokens


def samples(login_org: Any) -> dict[str, Any]:
    """Objects the page benchmark opens: the login organisation's cases (staff open the same ones)."""
    from django.db.models import Count
    from django.utils import timezone

    from qualify.assessment.models import BoardMeeting, Query
    from qualify.cases.models import QualificationCase
    from qualify.library.models import Artefact, Consultation
    from qualify.qad.models import QadSubmission

    cases = QualificationCase.objects.filter(participation__organisation_id=login_org.id)
    clarifying = cases.get(state="FINAL_CLARIFICATION", participation__role="MEM")
    active = cases.get(state="ACTIVE")
    submission = QadSubmission.objects.filter(case=clarifying).order_by("-pk").first()
    query = Query.objects.filter(case=clarifying).order_by("pk").first()
    today = timezone.localdate()
    upcoming = (
        BoardMeeting.objects.filter(meets_on__gte=today).annotate(n=Count("agenda")).order_by("-n", "meets_on").first()
    )
    past = (
        BoardMeeting.objects.filter(meets_on__lt=today).annotate(n=Count("agenda")).order_by("-n", "-meets_on").first()
    )
    artefact = Artefact.objects.order_by("-document_number").first()
    consultation = Consultation.objects.order_by("-opens_at").first()
    return {
        "case": clarifying.reference,
        "case_active": active.reference,
        "qad_section": "4.5",
        "submission": submission.reference if submission else None,
        "query": query.reference if query else None,
        "meeting_upcoming": upcoming.reference if upcoming else None,
        "meeting_past": past.reference if past else None,
        "artefact": artefact.document_number if artefact else None,
        "consultation": consultation.reference if consultation else None,
    }


# --- checks and counts -----------------------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    from qualify.accounts.models import User
    from qualify.assessment.models import BoardDecision, BoardMeeting, Finding, Query
    from qualify.audit.models import AuditEvent
    from qualify.cases.models import CaseTransition, QualificationCase
    from qualify.library.models import Artefact, ArtefactVersion, Comment, Consultation
    from qualify.notifications.models import Notification
    from qualify.participants.models import MarketParticipation, Organisation
    from qualify.qad.models import Answer, EvidenceFile, QadResponse, QadSubmission
    from qualify.register.models import RegisterEvent

    models = {
        "organisations": Organisation,
        "people": User,
        "participations": MarketParticipation,
        "qualification cases": QualificationCase,
        "case transitions": CaseTransition,
        "QAD responses": QadResponse,
        "QAD answers": Answer,
        "evidence files": EvidenceFile,
        "QAD submissions": QadSubmission,
        "queries": Query,
        "findings": Finding,
        "board meetings": BoardMeeting,
        "board decisions": BoardDecision,
        "register events": RegisterEvent,
        "library artefacts": Artefact,
        "library versions": ArtefactVersion,
        "consultations": Consultation,
        "consultation comments": Comment,
        "notifications": Notification,
        "audit events": AuditEvent,
    }
    return {name: model.objects.count() for name, model in models.items()}


def check(sample: int = 200) -> None:
    """The audit chain holds from the first event to the head, and snapshots match their hashes."""
    from qualify.audit.services import verify_chain
    from qualify.qad.models import QadSubmission
    from qualify.qad.rules import sha256_text

    breaks = list(verify_chain())
    if breaks:
        raise SystemExit(f"the audit chain is broken: {breaks[:5]}")
    ids = list(QadSubmission.objects.values_list("pk", flat=True))
    for submission in QadSubmission.objects.filter(pk__in=random.Random(3).sample(ids, min(sample, len(ids)))):
        if sha256_text(submission.content) != submission.sha256:
            raise SystemExit(f"{submission.reference}: the snapshot does not match its hash")


# --- the whole build -------------------------------------------------------------------------------------------------


def build(*, scale: float, seed: int, progress: Progress) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.test.utils import override_settings
    from django.utils import timezone
    from market.common import Cast, Meeting
    from market.organisations import Market

    from qualify.accounts.models import User
    from qualify.assessment.models import BoardMeeting
    from qualify.core.actor import system_actor
    from qualify.demo.data import WAVES
    from qualify.plan.choices import DeadlineKind
    from qualify.qad.models import QadVersion

    if User.objects.exists():
        raise SystemExit("The database already holds people: give an empty (or new) database.")
    now = timezone.now()
    today = timezone.localdate()
    # The programme's first deadline, and the frame some months before it: everything generated happens after.
    frame_day = min(w.dates(today)[DeadlineKind.PRE_QUALIFICATION] for w in WAVES) - dt.timedelta(days=100)
    system = system_actor("bench/scale.py (generated market)")
    quiet = override_settings(
        # Notices are written as in real use, but their e-mails are neither queued nor sent.
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    with quiet:
        # Each phase is one transaction, as load_demo is: one commit, not one per service call.
        with (
            progress.phase("frame: staff, plan, QAD versions, board calendar (services)"),
            clock_at(uk(frame_day, 9)),
            transaction.atomic(),
        ):
            people = build_frame(scale=scale, system=system, now=now)
        cast = Cast(system=system, admins=people["admins"], assessors=people["assessors"], board=people["board"])
        meetings = [Meeting(m.id, m.reference, m.body, m.meets_on) for m in BoardMeeting.objects.all()]
        market = Market(
            scale=scale,
            seed=seed,
            cast=cast,
            meetings=meetings,
            version=QadVersion.objects.get(version="3.3"),
            login_password_hash=make_password(BENCH_PASSWORD),
            now=now,
        )
        with progress.phase("organisations, people, participations (bulk)"), transaction.atomic():
            market.build_organisations(day=frame_day + dt.timedelta(days=2))
            market.flush()
        with progress.phase("library: artefacts, consultations, comments, baselines (services)"), transaction.atomic():
            build_library(scale=scale, people=people, start=frame_day + dt.timedelta(days=6))
            _clear_dummy_tasks()
        with progress.phase(f"case histories of {len(market.participations)} participations (bulk)"):
            with transaction.atomic():

                def report(done: int, total: int) -> None:
                    print(f"    {done}/{total} cases, {len(market.audit):,} audit events so far", flush=True)

                market.build_cases(progress=report)
                written = market.flush()
            print("    written: " + ", ".join(f"{n:,} {name}" for name, n in written.items() if n), flush=True)
        with progress.phase("today: open consultations, API tokens (services)"), transaction.atomic():
            open_consultations(scale=scale, people=people, now=now)
            _clear_dummy_tasks()
            tokens = issue_tokens(people, market.orgs[0])
    logins = dict(people["logins"])
    logins.update({f"participant_{p.role.lower()}": p.email for p in market.orgs[0].people})
    return {"password": BENCH_PASSWORD, "logins": logins, "tokens": tokens, "samples": samples(market.orgs[0])}


def _clear_dummy_tasks() -> None:
    """The dummy task backend keeps what was enqueued; forget it (tens of thousands of unsent e-mails)."""
    from django_tasks import default_task_backend

    clear = getattr(default_task_backend, "clear", None)
    if clear is not None:
        clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the GB market, 10 = ten times it")
    parser.add_argument("--database-url", help="PostgreSQL database to build into (default: DATABASE_URL)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--manifest", type=Path, help="write logins, tokens and sample pages here (JSON)")
    parser.add_argument("--no-check", action="store_true", help="skip the audit chain and snapshot hash checks")
    args = parser.parse_args()

    database_url = args.database_url or os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("Give a PostgreSQL database: --database-url postgres://user@host:port/name")
    ensure_database(database_url)
    configure_django(database_url)
    from django.conf import settings
    from django.core.management import call_command

    progress = Progress()
    print(f"building the market at scale {args.scale:g} into {database_url.rsplit('/', 1)[1]}")
    print(f"evidence and library files go to {settings.MEDIA_ROOT}")
    with progress.phase("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    manifest = build(scale=args.scale, seed=args.seed, progress=progress)
    built = progress.elapsed() - progress.timings.get("migrate", 0)
    if not args.no_check:
        with progress.phase("check: audit chain and snapshot hashes"):
            check()
    found = counts()
    print(f"built in {built:.0f} s (without migrate and checks); counts:")
    for name, n in found.items():
        print(f"  {name:24} {n:>10,}")
    if args.manifest:
        manifest.update(
            scale=args.scale,
            counts=found,
            build_seconds=round(built, 1),
            timings=progress.timings,
            media_root=str(settings.MEDIA_ROOT),
        )
        args.manifest.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        print(f"manifest written to {args.manifest}")
    print(f"every generated login signs in with the password {BENCH_PASSWORD}")


if __name__ == "__main__":
    main()
