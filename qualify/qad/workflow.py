"""The QAD's conditions on case steps (added to the case workflow from QadConfig.ready()).

A case reaches "Initial QAD submitted" or "Final QAD submitted" only with a submitted snapshot of the QAD as it now
stands, and "signed" only with a declaration bound to the hash of the latest Final snapshot (DOMAIN.md §4, §5); a
declaration on an older, superseded snapshot is void and does not count. The submission steps are taken by
``submission_create`` and ``sign`` by ``declaration_make``; these guards stop anyone taking them by hand without the
snapshot or the declaration, and ``may_sign`` (put in place of the case table's permission for ``sign``) lets only
the person who declared take it.
"""

from __future__ import annotations

from qualify.cases.models import QualificationCase
from qualify.core.actor import Actor
from qualify.core.permissions import ALLOW, Decision, deny
from qualify.core.workflow import TransitionInput
from qualify.qad.choices import SubmissionKind
from qualify.qad.models import QadDeclaration, QadResponse, QadSubmission


def _current_submission(case: QualificationCase, kind: str) -> QadSubmission | None:
    response = QadResponse.objects.filter(case=case).first()
    if response is None:
        return None
    latest: QadSubmission | None = QadSubmission.objects.filter(response=response, kind=kind).order_by("-pk").first()
    if latest is None or latest.response_revision != response.revision:
        return None
    return latest


def latest_final(case: QualificationCase) -> QadSubmission | None:
    """The case's latest Final submission: the only snapshot a declaration counts on (older ones are superseded)."""
    found: QadSubmission | None = (
        QadSubmission.objects.filter(case=case, kind=SubmissionKind.FINAL).order_by("-pk").first()
    )
    return found


def needs_initial_snapshot(case: QualificationCase, data: TransitionInput) -> str | None:
    if _current_submission(case, SubmissionKind.INITIAL) is None:
        return "Submit the Initial QAD from the case's QAD page: this step needs a submitted snapshot of the QAD."
    return None


def needs_final_snapshot(case: QualificationCase, data: TransitionInput) -> str | None:
    if _current_submission(case, SubmissionKind.FINAL) is None:
        return "Submit the Final QAD from the case's QAD page: this step needs a submitted snapshot of the QAD."
    return None


def needs_declaration(case: QualificationCase, data: TransitionInput) -> str | None:
    submission = latest_final(case)
    if submission is None:
        return "Signing needs a submitted Final QAD and a director's declaration on it."
    declaration = QadDeclaration.objects.filter(submission=submission).first()
    if declaration is None or declaration.snapshot_sha256 != submission.sha256:
        return "Signing needs a director's declaration on the latest Final QAD submission."
    return None


def may_sign(actor: Actor, case: QualificationCase) -> Decision:
    """The director (or delegate) the qualification lead invited, by declaring on the Final QAD."""
    submission = latest_final(case)
    if (
        actor.user_id is not None
        and submission is not None
        and QadDeclaration.objects.filter(submission=submission, signatory_id=actor.user_id).exists()
    ):
        return ALLOW
    return deny(
        "Only the director (or delegate) the qualification lead invited can sign, by declaring on the Final QAD."
    )


CASE_GUARDS = {
    "submit_initial_qad": needs_initial_snapshot,
    "submit_final_qad": needs_final_snapshot,
    "resubmit_final_qad": needs_final_snapshot,
    "sign": needs_declaration,
}
