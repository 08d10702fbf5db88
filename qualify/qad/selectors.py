"""Reads of QADs, always starting from what the actor may see (STYLE.md rule 2)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from qualify.cases.models import QualificationCase
from qualify.cases.selectors import case_get
from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.qad import rules
from qualify.qad.models import (
    Answer,
    DeclarationInvitation,
    EvidenceFile,
    EvidenceLink,
    QadQuestion,
    QadResponse,
    QadSection,
    QadSubmission,
    QadVersion,
)


def version_list(*, actor: Actor) -> QuerySet[QadVersion]:
    """Published versions for everyone signed in; drafts too for the Programme's and Code Bodies' staff."""
    if not actor.is_authenticated:
        return QadVersion.objects.none()
    qs = QadVersion.objects.all()
    if not actor.is_staff_member:
        qs = qs.published()
    return qs.order_by("-published_at", "-created_at")


def version_get(*, actor: Actor, version: str) -> QadVersion:
    found = version_list(actor=actor).select_related("artefact_version__artefact").filter(version=version).first()
    if found is None:
        raise NotFound(f"There is no QAD version {version!r}.")
    return found


def latest_published_version() -> QadVersion | None:
    """The version a new QAD starts on (not actor-dependent: published versions are public to every signed-in)."""
    return QadVersion.objects.published().order_by("-published_at", "-pk").first()


def exemption_kinds(participation: Any) -> list[str]:
    """The exemptions recorded for a participation, by kind: what the QAD's applicability reads (DOMAIN.md §3).

    The one place applicability learns about exemptions, read through the participation's exemption records' ``kind``
    only, so every page, export, import and submission counts the same questions.
    """
    return sorted(set(participation.exemptions.values_list("kind", flat=True)))


def version_questions(version: QadVersion) -> list[QadQuestion]:
    return list(QadQuestion.objects.filter(version=version).select_related("section").order_by("position"))


def case_for_qad(*, actor: Actor, key: str) -> QualificationCase:
    """The case by reference or UUID, with what applicability needs (NotFound outside the actor's scope)."""
    case = case_get(actor=actor, key=key)
    return case


def response_find(*, actor: Actor, case: QualificationCase) -> QadResponse | None:
    return (
        QadResponse.objects.visible_to(actor)
        .select_related("version", "case__participation__organisation")
        .filter(case=case)
        .first()
    )


@dataclass
class SectionView:
    section: QadSection
    questions: list[QadQuestion] = field(default_factory=list)
    answered: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 100


@dataclass
class QadView:
    """Everything a QAD page or endpoint shows: applicable questions by section, answers, evidence and progress."""

    response: QadResponse
    sections: list[SectionView]
    answers: dict[str, Answer]
    links: dict[str, list[EvidenceLink]]
    evidence: list[EvidenceFile]
    exemptions: list[str]

    @property
    def questions(self) -> list[QadQuestion]:
        return [q for s in self.sections for q in s.questions]

    def values(self) -> dict[str, Any]:
        return {qid: a.value for qid, a in self.answers.items()}

    def evidence_counts(self) -> dict[str, int]:
        return {qid: len(links) for qid, links in self.links.items()}

    def missing(self) -> list[rules.Missing]:
        return rules.missing_items(self.questions, self.values(), self.evidence_counts())

    def section(self, number: str) -> SectionView:
        for s in self.sections:
            if s.section.number == number:
                return s
        raise NotFound(f"Section {number} does not apply to this case.")


# Filled from a higher app's AppConfig.ready() (the changes app): for a case, the QAD section numbers it is limited
# to (a re-qualification asks only what the Code Bodies named after a disclosed change), or None for every section.
SectionScope = Callable[[QualificationCase], frozenset[str] | None]
SECTION_SCOPES: list[SectionScope] = []


def register_section_scope(scope: SectionScope) -> None:
    if scope not in SECTION_SCOPES:
        SECTION_SCOPES.append(scope)


def section_scope(case: QualificationCase) -> frozenset[str] | None:
    """The sections a case's QAD is limited to, or None when it asks every applicable one."""
    for scope in SECTION_SCOPES:
        found = scope(case)
        if found is not None:
            return found
    return None


def qad_view(*, actor: Actor, response: QadResponse, with_evidence: bool = True) -> QadView:
    """The applicable questions (by role, route and exemptions; for a re-qualification, in the named sections only)
    with answers and evidence: five queries, any size (one more for a re-qualification case).

    ``with_evidence=False`` leaves out the list of every uploaded file (``evidence`` is then empty; the files
    attached to each question are still in ``links``): a section page finds files through ``evidence_search``.
    """
    if not QadResponse.objects.visible_to(actor).filter(pk=response.pk).exists():
        raise NotFound("No such QAD.")
    participation = response.case.participation
    exemptions = exemption_kinds(participation)
    limited = section_scope(response.case)
    sections: dict[int, SectionView] = {}
    for section in QadSection.objects.filter(version_id=response.version_id).order_by("position"):
        sections[section.pk] = SectionView(section)
    answers = {a.question_id: a for a in Answer.objects.filter(response=response)}
    links: dict[str, list[EvidenceLink]] = defaultdict(list)
    for link in EvidenceLink.objects.filter(response=response).select_related("evidence"):
        links[link.question_id].append(link)
    for question in (
        QadQuestion.objects.filter(version_id=response.version_id).select_related("section").order_by("position")
    ):
        if not rules.applies(question, role=participation.role, route=participation.route, exemptions=exemptions):
            continue
        if limited is not None and question.section.number not in limited:
            continue
        view = sections[question.section_id]
        view.questions.append(question)
        view.total += 1
        answer = answers.get(question.qid)
        done = (answer is not None and answer.value is not None) or not question.mandatory
        if question.evidence_required and not links.get(question.qid):
            done = False
        view.answered += int(done)
    evidence = list(EvidenceFile.objects.filter(response=response).order_by("-created_at")) if with_evidence else []
    return QadView(
        response=response,
        sections=[s for s in sections.values() if s.questions],
        answers=answers,
        links=dict(links),
        evidence=evidence,
        exemptions=exemptions,
    )


def evidence_get(*, actor: Actor, uuid: object) -> EvidenceFile:
    public_id = parse_uuid(uuid)
    found = (
        EvidenceFile.objects.visible_to(actor)
        .select_related("response__case__participation")
        .filter(uuid=public_id)
        .first()
        if public_id
        else None
    )
    if found is None:
        raise NotFound("No such evidence file.")
    return found


@dataclass(frozen=True)
class EvidenceMatches:
    files: list[EvidenceFile]  # each with ``attached``: already attached to the question searched for
    more: bool  # more files match than were returned


def evidence_search(
    *, actor: Actor, response: QadResponse, question_id: str, search: str = "", limit: int = 20
) -> EvidenceMatches:
    """The response's uploaded files whose name contains ``search``, newest first, at most ``limit`` of them, each
    marked when it is already attached to the question: one query however many files there are."""
    attached = EvidenceLink.objects.filter(response=response, question_id=question_id, evidence=OuterRef("pk"))
    qs = (
        EvidenceFile.objects.visible_to(actor)
        .filter(response=response)
        .annotate(attached=Exists(attached))
        .order_by("-created_at", "-pk")
    )
    if search:
        qs = qs.filter(original_name__icontains=search)
    files = list(qs[: limit + 1])
    return EvidenceMatches(files=files[:limit], more=len(files) > limit)


def submission_list(*, actor: Actor, response: QadResponse) -> QuerySet[QadSubmission]:
    """A response's submissions, newest first, without their snapshots (tens of kilobytes each; lists name a
    submission and its hash, and ``submission_get`` reads the snapshot when one is opened)."""
    return (
        QadSubmission.objects.visible_to(actor)
        .filter(response=response)
        .defer("content")
        .select_related("case", "declaration")
        .order_by("-created_at", "-pk")
    )


def submission_get(*, actor: Actor, reference: str) -> QadSubmission:
    key = str(reference).strip().upper()
    found: QadSubmission | None = (
        QadSubmission.objects.visible_to(actor)
        .select_related("case__participation__organisation", "response__version")
        .filter(reference=key)
        .first()
    )
    if found is None:
        raise NotFound("No such QAD submission.")
    return found


def question_get(*, response: QadResponse, qid: str) -> QadQuestion:
    """A question of the response's version (the response was already fetched within the actor's scope)."""
    found: QadQuestion | None = (
        QadQuestion.objects.filter(version_id=response.version_id, qid=qid).select_related("section").first()
    )
    if found is None:
        raise NotFound(f"QAD v{response.version.version} has no question {qid!r}.")
    return found


def submission_questions(submission: QadSubmission) -> list[QadQuestion]:
    """The questions of the version a submission was made on (it keeps its version after a case moves on)."""
    version = QadVersion.objects.filter(version=submission.qad_version).first()
    return version_questions(version) if version is not None else []


def invitation_list(*, actor: Actor, case: QualificationCase) -> QuerySet[DeclarationInvitation]:
    """A case's declaration invitations, newest first, for the organisation's people and staff (each names its
    submission; the snapshot is not read)."""
    return (
        DeclarationInvitation.objects.visible_to(actor)
        .filter(case=case)
        .select_related("submission")
        .defer("submission__content")
        .order_by("-created_at", "-pk")
    )


def invitation_get(*, actor: Actor, uuid: str) -> DeclarationInvitation:
    """One invitation within the actor's scope (the lead cancels or re-sends it); NotFound otherwise."""
    key = parse_uuid(uuid)
    found: DeclarationInvitation | None = (
        DeclarationInvitation.objects.visible_to(actor)
        .select_related("case__participation__organisation", "submission")
        .filter(uuid=key)
        .first()
        if key is not None
        else None
    )
    if found is None:
        raise NotFound("No such invitation.")
    return found


def submission_evidence(*, submission: QadSubmission, uuid: object) -> EvidenceFile:
    """An evidence file as ``submission`` froze it (a submission the caller may already see): named in its snapshot,
    and the stored file with the SHA-256 the snapshot recorded; NotFound for anything else."""
    public_id = parse_uuid(uuid)
    frozen = (
        {
            str(e.get("uuid")): str(e.get("sha256"))
            for q in json.loads(submission.content).get("questions", [])
            for e in q.get("evidence", [])
        }
        if public_id is not None
        else {}
    )
    sha256 = frozen.get(str(public_id))
    found = (
        EvidenceFile.objects.filter(uuid=public_id, response_id=submission.response_id, sha256=sha256).first()
        if sha256 and public_id is not None
        else None
    )
    if found is None:
        raise NotFound("This submission holds no such evidence file.")
    return found
