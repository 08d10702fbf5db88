"""The QAD's conditions on case steps (added to the case workflow from QadConfig.ready()).

A case reaches "Initial QAD submitted" or "Final QAD submitted" only with a submitted snapshot of the QAD as it now
stands, and "signed" only with a director's declaration bound to the hash of the latest Final snapshot of an
unchanged QAD (DOMAIN.md §4, §5). The steps are taken by ``submission_create``; these guards stop anyone taking them
by hand without the snapshot.
"""

from __future__ import annotations

from qualify.cases.models import QualificationCase
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


def needs_initial_snapshot(case: QualificationCase, data: TransitionInput) -> str | None:
    if _current_submission(case, SubmissionKind.INITIAL) is None:
        return "Submit the Initial QAD from the case's QAD page: this step needs a submitted snapshot of the QAD."
    return None


def needs_final_snapshot(case: QualificationCase, data: TransitionInput) -> str | None:
    if _current_submission(case, SubmissionKind.FINAL) is None:
        return "Submit the Final QAD from the case's QAD page: this step needs a submitted snapshot of the QAD."
    return None


def needs_declaration(case: QualificationCase, data: TransitionInput) -> str | None:
    submission = _current_submission(case, SubmissionKind.FINAL)
    if submission is None:
        return "The QAD changed after the Final submission (or was never submitted): submit it again and declare."
    declaration = QadDeclaration.objects.filter(submission=submission).first()
    if declaration is None or declaration.snapshot_sha256 != submission.sha256:
        return "Signing needs a director's declaration on the latest Final QAD submission."
    return None


CASE_GUARDS = {
    "submit_initial_qad": needs_initial_snapshot,
    "submit_final_qad": needs_final_snapshot,
    "sign": needs_declaration,
}
