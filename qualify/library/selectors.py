"""Reads of the library, always starting from what the actor may see (``visible_to``).

Anyone sees the published record (baselined and superseded versions and their files, consolidated comments logs
included); signed-in people also see versions in consultation or approved; staff also see drafts. Comments: a
participant's people see their own organisation's, drafts included; staff see submitted comments only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from qualify.core.actor import Actor
from qualify.core.errors import NotFound
from qualify.core.ids import parse_uuid
from qualify.core.listing import Column, Listing, Sort
from qualify.library.choices import CommentStatus, GovernanceDecision, VersionStatus
from qualify.library.models import (
    Artefact,
    ArtefactVersion,
    Comment,
    Consultation,
    GovernanceApproval,
    NoCommentsConfirmation,
    VersionFile,
    VersionTransition,
)
from qualify.library.permissions import can_comment_for, can_see_comments_log
from qualify.participants.models import Organisation


@dataclass(frozen=True)
class LibraryFilters:
    """The one filter set for the library list, shared by the public page and the API."""

    search: str = ""
    theme: str = ""
    subtype: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> LibraryFilters:
        return cls(**{f: str(data.get(f, "") or "").strip() for f in cls.__dataclass_fields__})

    def apply_to_artefacts(self, qs: QuerySet[Artefact]) -> QuerySet[Artefact]:
        if self.theme:
            qs = qs.filter(theme=self.theme)
        if self.subtype:
            qs = qs.filter(subtype=self.subtype)
        if self.search:
            term = self.search
            qs = qs.filter(
                Q(short_name__icontains=term) | Q(title__icontains=term) | Q(document_number__icontains=term)
            )
        return qs

    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _files() -> Prefetch[Any]:
    return Prefetch("files", queryset=VersionFile.objects.order_by("kind"))


def _baselined_on(version: ArtefactVersion) -> dt.date | None:
    return timezone.localtime(version.state_changed_at).date() if version.state_changed_at else None


# The library's columns. It stays grouped by theme, as on the Programme's site: a column sorts within each theme.
LIBRARY_LISTING: Listing[ArtefactVersion] = Listing(
    name="library",
    noun="Documents",
    default="document",
    group=("artefact__theme",),
    columns=(
        Column("Theme", lambda v: v.artefact.theme, on_page=False),
        Column("Document", lambda v: v.artefact.short_name, key="document", order=("artefact__short_name",)),
        Column("Title", lambda v: v.artefact.title, on_page=False),
        Column(
            "Number",
            lambda v: v.artefact.document_number,
            key="number",
            order=("artefact__document_number",),
        ),
        Column("Type", lambda v: v.artefact.subtype, key="type", order=("artefact__subtype", "artefact__short_name")),
        Column("Version", lambda v: v.version, key="version", order=("version", "artefact__short_name")),
        Column("Files"),
        Column("Baselined", _baselined_on, on_page=False),
    ),
)


def library_baselines(
    *, actor: Actor, filters: LibraryFilters | None = None, sort: Sort[ArtefactVersion] | None = None
) -> QuerySet[ArtefactVersion]:
    """The current baseline of each artefact in the order the library lists them: by theme, then short name or the
    column the person chose (the page groups each page's rows by theme, as on the Programme's site)."""
    artefacts: QuerySet[Artefact] = Artefact.objects.visible_to(actor)
    if filters:
        artefacts = filters.apply_to_artefacts(artefacts)
    qs = (
        ArtefactVersion.objects.visible_to(actor)
        .filter(status=VersionStatus.BASELINED, artefact__in=artefacts)
        .select_related("artefact")
        .prefetch_related(_files())
    )
    return LIBRARY_LISTING.order(qs, sort or LIBRARY_LISTING.sort_of(LIBRARY_LISTING.default))


def library_facets(*, actor: Actor) -> dict[str, list[str]]:
    """Themes and subtypes present in what the actor may see, for the filter menus (one query)."""
    pairs = set(Artefact.objects.visible_to(actor).values_list("theme", "subtype").order_by().distinct())
    return {"themes": sorted({t for t, _ in pairs}), "subtypes": sorted({s for _, s in pairs if s})}


def artefact_list(*, actor: Actor, filters: LibraryFilters | None = None) -> QuerySet[Artefact]:
    qs: QuerySet[Artefact] = Artefact.objects.visible_to(actor)
    if filters:
        qs = filters.apply_to_artefacts(qs)
    versions = (
        ArtefactVersion.objects.visible_to(actor)
        .select_related("artefact")
        .prefetch_related(_files())
        .order_by("-sequence")
    )
    return qs.prefetch_related(Prefetch("versions", queryset=versions, to_attr="visible_versions")).order_by(
        "theme", "short_name", "pk"
    )


def artefact_get(*, actor: Actor, document_number: str) -> Artefact:
    """By document number (MHHS-DEL1234, DEL1234, DEL-123; any letter case) or UUID; NotFound when absent or not
    visible."""
    key = str(document_number).strip()
    qs = Artefact.objects.visible_to(actor)
    artefact = qs.filter(document_number=key.upper()).first()
    if artefact is None and (public_id := parse_uuid(key)) is not None:
        artefact = qs.filter(uuid=public_id).first()
    if artefact is None:
        raise NotFound("No such artefact.")
    return artefact


def version_list(*, actor: Actor, artefact: Artefact) -> QuerySet[ArtefactVersion]:
    """The artefact's versions the actor may see, newest first, with their files."""
    return (
        ArtefactVersion.objects.visible_to(actor)
        .filter(artefact=artefact)
        .select_related("artefact")
        .prefetch_related(_files())
        .order_by("-sequence")
    )


def version_get(*, actor: Actor, key: object) -> ArtefactVersion:
    public_id = parse_uuid(key)
    version = (
        ArtefactVersion.objects.visible_to(actor)
        .select_related("artefact")
        .prefetch_related(
            _files(),
            "approvals",
            Prefetch(
                "consultations",
                queryset=Consultation.objects.select_related("qwg_report", "comments_log").order_by("opens_at"),
            ),
        )
        .filter(uuid=public_id)
        .first()
        if public_id
        else None
    )
    if version is None:
        raise NotFound("No such version.")
    return version


def version_file_get(*, actor: Actor, key: object, kind: str) -> VersionFile:
    """A visible version's clean or red-lined copy (drafts' files only for staff, through version visibility)."""
    version = version_get(actor=actor, key=key)
    found = next((f for f in version.files.all() if f.kind == kind.upper()), None)
    if found is None:
        raise NotFound("This version has no such file.")
    return found


def approval_status(*, version: ArtefactVersion) -> list[tuple[str, str | None]]:
    """Each required body with its latest decision on the version (None while undecided)."""
    latest: dict[str, str] = {}
    for approval in sorted(version.approvals.all(), key=lambda a: (a.decided_on, a.recorded_at, a.pk)):
        latest[approval.body] = approval.decision
    return [(body, latest.get(body)) for body in version.artefact.required_bodies]


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    version: str
    what: str
    who: str
    note: str = ""
    kind: str = "step"


def artefact_timeline(*, actor: Actor, artefact: Artefact) -> list[TimelineEntry]:
    """The artefact's history, oldest first: versions drafted, consultations, status changes, governance decisions."""
    versions = list(ArtefactVersion.objects.visible_to(actor).filter(artefact=artefact))
    ids = [v.pk for v in versions]
    labels = dict(VersionStatus.choices)
    decisions = dict(GovernanceDecision.choices)
    entries = [
        TimelineEntry(v.created_at, v.version, "Version drafted", v.created_by_name, v.release_notes, "draft")
        for v in versions
        if actor.sees_everything
    ]
    for t in VersionTransition.objects.filter(version_id__in=ids).select_related("version"):
        entries.append(
            TimelineEntry(
                t.at,
                t.version.version,
                f"{labels[t.from_status]} → {labels[t.to_status]}",
                t.actor_name,
                t.comment,
                t.to_status.lower(),
            )
        )
    for a in GovernanceApproval.objects.filter(version_id__in=ids).select_related("version"):
        # placed when it was recorded (so it follows the approval it decides on); the decision's own date is shown
        entries.append(
            TimelineEntry(
                a.recorded_at,
                a.version.version,
                f"{a.get_body_display()}: {decisions[a.decision]}",
                a.recorded_by_name,
                f"Decided {a.decided_on:%-d %b %Y}; minutes {a.minutes_reference}",
                "decision",
            )
        )
    return sorted(entries, key=lambda e: e.at)


def consultation_list(*, actor: Actor) -> QuerySet[Consultation]:
    return (
        Consultation.objects.visible_to(actor)
        .select_related("qwg_report", "comments_log")
        .prefetch_related(
            Prefetch("versions", queryset=ArtefactVersion.objects.select_related("artefact").order_by("pk"))
        )
        .order_by("-closes_at", "reference")
    )


def consultation_get(*, actor: Actor, key: object) -> Consultation:
    key_text = str(key).strip().upper()
    qs = consultation_list(actor=actor)
    consultation = qs.filter(reference=key_text).first() if key_text.startswith("CON-") else None
    if consultation is None and (public_id := parse_uuid(key)) is not None:
        consultation = qs.filter(uuid=public_id).first()
    if consultation is None:
        raise NotFound("No such consultation.")
    return consultation


def comment_list(
    *, actor: Actor, consultation: Consultation | None = None, version: ArtefactVersion | None = None
) -> QuerySet[Comment]:
    """Comments the actor may see: its own organisation's (drafts too), or, for staff, submitted ones."""
    qs = Comment.objects.visible_to(actor).select_related("organisation", "version__artefact", "consultation")
    if consultation is not None:
        qs = qs.filter(consultation=consultation)
    if version is not None:
        qs = qs.filter(version=version)
    return qs.order_by("submitted_at", "created_at", "pk")


def comment_get(*, actor: Actor, key: object) -> Comment:
    public_id = parse_uuid(key)
    comment = comment_list(actor=actor).filter(uuid=public_id).first() if public_id else None
    if comment is None:
        raise NotFound("No such comment.")
    return comment


def consultation_log(*, actor: Actor, consultation: Consultation) -> QuerySet[Comment]:
    """The consolidated comments log of a consultation, for staff: every submitted comment with its answer."""
    if not can_see_comments_log(actor):
        raise NotFound("No such consultation log.")
    return comment_list(actor=actor, consultation=consultation).filter(status=CommentStatus.SUBMITTED)


def comments_logs_of(*, actor: Actor, version: ArtefactVersion) -> list[tuple[Consultation, ArtefactVersion | None]]:
    """Each consultation of the version (from ``version_get``) with the current version of its published consolidated
    comments log, or None before the outcome is reported to QWG."""
    consultations = list(version.consultations.all())
    log_ids = [c.comments_log_id for c in consultations if c.comments_log_id]
    current = {
        v.artefact_id: v
        for v in ArtefactVersion.objects.visible_to(actor)
        .filter(artefact_id__in=log_ids, status=VersionStatus.BASELINED)
        .select_related("artefact")
        .prefetch_related(_files())
    }
    return [(c, current.get(c.comments_log_id) if c.comments_log_id else None) for c in consultations]


def log_subject(*, actor: Actor, version: ArtefactVersion) -> tuple[Consultation, list[ArtefactVersion]] | None:
    """For a version of a consolidated comments log: its consultation and the versions it concerns that the actor may
    see (None for any other document).

    The consultation is read without tenancy: the published log names it (reference and title) for everyone.
    """
    consultation = Consultation.objects.filter(comments_log_id=version.artefact_id).select_related("qwg_report").first()
    if consultation is None:
        return None
    concerned = list(
        ArtefactVersion.objects.visible_to(actor)
        .filter(consultations=consultation)
        .select_related("artefact")
        .order_by("artefact__short_name", "sequence")
    )
    return consultation, concerned


def no_comments_confirmations(*, actor: Actor, consultation: Consultation) -> QuerySet[NoCommentsConfirmation]:
    return (
        NoCommentsConfirmation.objects.visible_to(actor)
        .filter(consultation=consultation)
        .select_related("organisation")
        .order_by("confirmed_at")
    )


def responding_organisation(*, actor: Actor) -> Organisation | None:
    """The organisation a participant responds for: the first where they lead or contribute (None for others)."""
    organisation_id = next((org for org in sorted(actor.memberships) if can_comment_for(actor, org)), None)
    if organisation_id is None:
        return None
    return Organisation.objects.visible_to(actor).filter(pk=organisation_id).first()
