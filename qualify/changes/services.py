"""Every write about disclosed changes (maintenance of qualification; DOMAIN.md §4, §6, §11).

- ``change_disclose``: a qualified participant's lead discloses a change with its effective date and description;
  the Code Bodies that approve the role are told. The participant stays qualified: the register's status is left
  as it is, and the participation is marked so the register shows the disclosure beside it.
- ``change_assess``: each of those bodies' assessors records whether the change needs re-qualification and of what
  (its own QAD sections, QT test cases). When every body has assessed, the platform closes the disclosure (none
  requires it) or opens a re-qualification case for the same participation, linked to the qualified one, scoped to
  the named test cases only (the rest carries over) and starting at "scoped".
- ``change_withdraw``: the lead withdraws a disclosure that is still undecided.
- ``requalification_approved`` (an effect on the case step ``approve``): the re-qualification case's approval
  settles its disclosure, and the register's note goes.

Each write checks its permission, runs in one transaction and is audited; state moves go through the engine.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from qualify.assessment.choices import APPROVER_NAMES, approvals_needed
from qualify.assessment.rules import body_assessors, participant_editors
from qualify.audit.services import audit_record
from qualify.cases.models import QualificationCase
from qualify.cases.services import case_open_requalification, case_transition
from qualify.changes import choices as ch
from qualify.changes.models import ChangeAssessment, ChangeDisclosure
from qualify.changes.permissions import can_assess, can_disclose
from qualify.changes.workflow import DISCLOSURE_WORKFLOW
from qualify.core import clock
from qualify.core.actor import Actor, system_actor
from qualify.core.errors import TransitionNotAllowed, ValidationFailed
from qualify.core.text import clean_text, one_line
from qualify.core.workflow import TransitionInput, apply_transition
from qualify.notifications.services import notify
from qualify.participants.models import MarketParticipation
from qualify.qad.models import QadResponse, QadSection
from qualify.qad.selectors import latest_published_version
from qualify.testing.models import CatalogueCase
from qualify.testing.services.scoping import requalification_catalogue, scope_freeze_requalification

S = ch.DisclosureState


def disclosure_link(disclosure: ChangeDisclosure) -> str:
    return reverse("changes:detail", args=[disclosure.reference])


def _org_id(case: QualificationCase) -> int:
    return int(case.participation.organisation_id)


def _step(disclosure: ChangeDisclosure, name: str, *, actor: Actor, comment: str = "") -> ChangeDisclosure:
    return apply_transition(
        DISCLOSURE_WORKFLOW, actor=actor, instance=disclosure, name=name, data=TransitionInput(comment=comment)
    )


def register_note_refresh(participation: MarketParticipation) -> None:
    """Mark the participation with its oldest change still open (undecided, or being re-qualified), or clear it.

    The register's in-memory copy reads these fields with the participation, so the hot read gains no query; saving
    the row moves the register's change marker, so every copy picks the note up.
    """
    still_open = (
        ChangeDisclosure.objects.filter(case__participation=participation, state__in=list(ch.REGISTER_STATUS))
        .order_by("disclosed_at", "pk")
        .first()
    )
    locked = MarketParticipation.objects.select_for_update().get(pk=participation.pk)
    on = timezone.localdate(still_open.disclosed_at) if still_open is not None else None
    status = ch.REGISTER_STATUS[ch.DisclosureState(still_open.state)] if still_open is not None else ""
    if (locked.change_disclosed_on, locked.change_status) == (on, status):
        return
    locked.change_disclosed_on = on
    locked.change_status = status
    locked.save(update_fields=["change_disclosed_on", "change_status", "updated_at"])


@transaction.atomic
def change_disclose(
    *, actor: Actor, case: QualificationCase, kind: str, effective_on: dt.date | None, description: str
) -> ChangeDisclosure:
    """A qualified participant's lead discloses a change (DOMAIN.md §6: a decided approval is void if what it
    approved changes, so the Code Bodies must hear of it and judge whether to re-qualify)."""
    case = QualificationCase.objects.select_for_update().select_related("participation__organisation").get(pk=case.pk)
    can_disclose(actor, case).enforce()
    if case.requalifies_id is not None:
        raise ValidationFailed(
            "Disclose changes on the qualified case itself, not on its re-qualification.",
            details={"case": "is_requalification"},
        )
    if case.state not in ch.DISCLOSABLE_CASE_STATES:
        raise TransitionNotAllowed(
            f"A change is disclosed once qualified; {case.reference} is {case.get_state_display().lower()}.",
            details={"state": case.state},
        )
    problems: dict[str, str] = {}
    if kind not in ch.ChangeKind.values:
        problems["kind"] = "unknown"
    if effective_on is None:
        problems["effective_on"] = "required"
    text = clean_text(description, limit=ch.MAX_DESCRIPTION)
    if not text:
        problems["description"] = "required"
    elif len(str(description).strip()) > ch.MAX_DESCRIPTION:
        problems["description"] = "too_long"
    if problems:
        raise ValidationFailed("The disclosure is incomplete: " + ", ".join(sorted(problems)) + ".", details=problems)
    assert effective_on is not None  # checked just above, for the type checker
    bodies = sorted(approvals_needed(case.participation.role))
    disclosure = ChangeDisclosure.objects.create(
        reference=f"CHG-{uuid.uuid4().hex[:12]}",  # the unique column's placeholder until the id is known
        case=case,
        kind=kind,
        effective_on=effective_on,
        description=text,
        disclosed_at=clock.now(),
        disclosed_by_id=actor.user_id,
        disclosed_by_name=actor.display_name[:200],
        bodies=bodies,
    )
    disclosure.reference = f"CHG-{disclosure.pk:06d}"
    disclosure.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action="changes.disclosure.disclose",
        target=disclosure,
        organisation_id=_org_id(case),
        changes={
            "disclosure": disclosure.reference,
            "case": case.reference,
            "kind": kind,
            "effective_on": effective_on.isoformat(),
        },
    )
    register_note_refresh(case.participation)
    p = case.participation
    notify(
        recipients=sorted({u for b in bodies for u in body_assessors(case, b)}),
        kind=ch.NOTICE_DISCLOSED,
        title=f"{disclosure.reference}: {p.organisation.name} disclosed a change ({p.mpid} {p.get_role_display()})",
        body=f"{ch.ChangeKind(kind).label}, effective {effective_on:%d %B %Y}: {one_line(text, limit=300)}\n"
        "Each approving body assesses whether it needs re-qualification. The participant stays qualified meanwhile.",
        link=disclosure_link(disclosure),
        subject=case.reference,
    )
    return disclosure


def _clean_list(values: Iterable[Any], field: str) -> list[str]:
    items = sorted({one_line(v, limit=20).upper() for v in values if one_line(v, limit=20)})
    if len(items) > ch.MAX_SCOPE_ITEMS:
        raise ValidationFailed(f"At most {ch.MAX_SCOPE_ITEMS} {field}.", details={field: "too_many"})
    return items


def _body_sections(case: QualificationCase, body: str) -> dict[str, str]:
    """The QAD sections the body owns, in the version the case answered (or the latest published)."""
    response = QadResponse.objects.filter(case=case).select_related("version").first()
    version = response.version if response is not None else latest_published_version()
    if version is None:
        return {}
    return dict(QadSection.objects.filter(version=version, owner=body).values_list("number", "title"))


def _catalogue_ids(case: QualificationCase) -> set[str]:
    catalogue = requalification_catalogue(case)
    if catalogue is None:
        return set()
    return set(CatalogueCase.objects.filter(catalogue=catalogue).values_list("case_id", flat=True))


@transaction.atomic
def change_assess(
    *,
    actor: Actor,
    disclosure: ChangeDisclosure,
    body: str,
    requalification_needed: bool,
    reason: str,
    sections: Iterable[str] = (),
    test_cases: Iterable[str] = (),
) -> ChangeAssessment:
    """One Code Body's assessment of a disclosed change, recorded by one of its assessors.

    Re-qualification names at least one of the body's own QAD sections or a QT test case of the catalogue the
    qualified case was scoped against; "not needed" names none. The last body's assessment decides the disclosure.
    """
    disclosure = (
        ChangeDisclosure.objects.select_for_update().select_related("case__participation").get(pk=disclosure.pk)
    )
    can_assess(actor, disclosure, body).enforce()
    if disclosure.state not in ch.UNDECIDED:
        raise TransitionNotAllowed(
            f"{disclosure.reference} is {disclosure.get_state_display().lower()}: it is no longer assessed.",
            details={"state": disclosure.state},
        )
    if ChangeAssessment.objects.filter(disclosure=disclosure, body=body).exists():
        raise TransitionNotAllowed(
            f"The {APPROVER_NAMES[body]} has already assessed {disclosure.reference}.", code="already_assessed"
        )
    case = disclosure.case
    why = clean_text(reason, limit=ch.MAX_REASON)
    named_sections = _clean_list(sections, "sections")
    named_tests = _clean_list(test_cases, "test_cases")
    problems: dict[str, str] = {}
    if not why:
        problems["reason"] = "required"
    if requalification_needed and not (named_sections or named_tests):
        problems["sections"] = "name_what_to_requalify"
    if not requalification_needed and (named_sections or named_tests):
        problems["sections"] = "only_when_needed"
    owned = _body_sections(case, body)
    unknown_sections = [s for s in named_sections if s not in owned]
    if unknown_sections:
        problems["sections"] = "not_the_bodys: " + ", ".join(unknown_sections[:10])
    known_tests = _catalogue_ids(case) if named_tests else set()
    unknown_tests = [t for t in named_tests if t not in known_tests]
    if unknown_tests:
        problems["test_cases"] = "not_in_catalogue: " + ", ".join(unknown_tests[:10])
    if problems:
        raise ValidationFailed(
            "The assessment cannot be recorded: " + "; ".join(f"{k} {v}" for k, v in sorted(problems.items())) + ".",
            details=problems,
        )
    if disclosure.state == S.DISCLOSED:
        disclosure = _step(disclosure, "start_assessment", actor=actor)
    try:
        with transaction.atomic():  # two assessors of one body at once: the second hears it is already assessed
            assessment = ChangeAssessment.objects.create(
                disclosure=disclosure,
                body=body,
                requalification_needed=requalification_needed,
                reason=why,
                sections=named_sections,
                test_cases=named_tests,
                assessed_at=clock.now(),
                assessed_by_id=actor.user_id,
                assessed_by_name=actor.display_name[:200],
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            f"The {APPROVER_NAMES[body]} has already assessed {disclosure.reference}.", code="already_assessed"
        ) from None
    audit_record(
        actor=actor,
        action="changes.disclosure.assess",
        target=disclosure,
        organisation_id=_org_id(case),
        changes={
            "disclosure": disclosure.reference,
            "body": body,
            "requalification_needed": requalification_needed,
            "sections": named_sections,
            "test_cases": named_tests,
        },
    )
    verdict = "requires re-qualification" if requalification_needed else "needs no re-qualification"
    notify(
        recipients=[*participant_editors(case), *(u for b in disclosure.bodies for u in body_assessors(case, b))],
        kind=ch.NOTICE_ASSESSED,
        title=f"{disclosure.reference}: the {APPROVER_NAMES[body]} assessed the change — {verdict}",
        body=why,
        link=disclosure_link(disclosure),
        subject=case.reference,
    )
    _decide_when_every_body_has(disclosure)
    return assessment


def _decide_when_every_body_has(disclosure: ChangeDisclosure) -> None:
    assessments = list(ChangeAssessment.objects.filter(disclosure=disclosure).order_by("body"))
    if {a.body for a in assessments} != set(disclosure.bodies):
        return
    case = disclosure.case
    platform = system_actor(f"Change {disclosure.reference}")
    requiring = [a for a in assessments if a.requalification_needed]
    if not requiring:
        disclosure = _step(
            disclosure, "close_no_requalification", actor=platform, comment="No Code Body requires re-qualification."
        )
        outcome = "no re-qualification is needed"
    else:
        sections = sorted({s for a in requiring for s in a.sections})
        tests = sorted({t for a in requiring for t in a.test_cases})
        names = ", ".join(APPROVER_NAMES[a.body] for a in requiring)
        reason = f"{disclosure.reference}: re-qualification required by {names}."
        new_case = case_open_requalification(actor=platform, first=case, reason=reason)
        scope_freeze_requalification(
            actor=platform, case=new_case, first=case, named=tests, reason=reason, body=requiring[0].body
        )
        case_transition(
            actor=platform,
            case=new_case,
            name="open_requalification",
            comment=f"{reason} QAD sections: {', '.join(sections) or 'none'}; test cases: {', '.join(tests) or 'none'}."
            f" Everything else carries over from {case.reference}.",
        )
        disclosure.requalification_case = new_case
        disclosure.save(update_fields=["requalification_case", "updated_at"])
        disclosure = _step(disclosure, "require_requalification", actor=platform, comment=reason)
        outcome = f"re-qualification is required: {new_case.reference} is opened for it"
    register_note_refresh(case.participation)
    notify(
        recipients=[*participant_editors(case), *(u for b in disclosure.bodies for u in body_assessors(case, b))],
        kind=ch.NOTICE_DECIDED,
        title=f"{disclosure.reference}: {outcome}",
        body=f"Every approving body has assessed the change to {case.reference}: {outcome}. "
        f"{case.participation.mpid} stays qualified meanwhile.",
        link=disclosure_link(disclosure),
        subject=case.reference,
    )


@transaction.atomic
def change_withdraw(*, actor: Actor, disclosure: ChangeDisclosure, reason: str) -> ChangeDisclosure:
    """The lead withdraws a disclosure the Code Bodies have not yet decided (the workflow checks who and when)."""
    disclosure = _step(disclosure, "withdraw", actor=actor, comment=clean_text(reason, limit=ch.MAX_REASON))
    register_note_refresh(disclosure.case.participation)
    case = disclosure.case
    notify(
        recipients=sorted({u for b in disclosure.bodies for u in body_assessors(case, b)}),
        kind=ch.NOTICE_DECIDED,
        title=f"{disclosure.reference}: withdrawn by the participant",
        body=clean_text(reason, limit=ch.MAX_REASON),
        link=disclosure_link(disclosure),
        subject=case.reference,
    )
    return disclosure


def requalification_approved(applied: Any) -> None:
    """Case workflow effect on ``approve``: a re-qualification case's approval settles the change that opened it."""
    case: QualificationCase = applied.instance
    if case.requalifies_id is None:
        return
    disclosure = ChangeDisclosure.objects.filter(requalification_case=case, state=S.REQUALIFICATION_REQUIRED).first()
    if disclosure is None:
        return
    _step(
        disclosure,
        "complete_requalification",
        actor=system_actor(f"Approval of {case.reference}"),
        comment=f"{case.reference} approved.",
    )
    register_note_refresh(case.participation)


def requalification_sections(case: QualificationCase) -> frozenset[str] | None:
    """The QAD sections a re-qualification case asks (those the requiring bodies named); None for any other case.

    Registered with the QAD app (``qad.selectors.register_section_scope``), so a first case costs no query.
    """
    if case.requalifies_id is None:
        return None
    named = ChangeAssessment.objects.filter(
        disclosure__requalification_case=case, requalification_needed=True
    ).values_list("sections", flat=True)
    return frozenset(section for sections in named for section in sections)
