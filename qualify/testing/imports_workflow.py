"""The results import's state machine (STYLE.md rule 9): a results import is previewed, then applied (its runs
recorded) or discarded; an applied import never changes again."""

from __future__ import annotations

from typing import Any

from qualify.cases.choices import CaseState
from qualify.core.workflow import AppliedTransition, Transition, TransitionInput, Workflow, register
from qualify.testing.choices import ImportState
from qualify.testing.models import ResultImport, ScopeRecord
from qualify.testing.permissions import can_apply_import

I = ImportState  # noqa: E741 - the table reads better with a one-letter alias


def _case_in_testing(result_import: ResultImport, data: TransitionInput) -> str | None:
    """Runs are recorded only while the case is in testing (DOMAIN.md §4)."""
    if result_import.case.state != CaseState.TESTING:
        return (
            f"Test results are recorded only while the case is in testing; {result_import.case.reference} is "
            f"{result_import.case.get_state_display().lower()}."
        )
    return None


def _scope_unchanged(result_import: ResultImport, data: TransitionInput) -> str | None:
    """The preview was checked against the case's scope then; a re-scope since means previewing again."""
    current = (
        ScopeRecord.objects.filter(case_id=result_import.case_id).order_by("-sequence").values_list("pk", flat=True)
    ).first()
    if current != result_import.preview.get("scope_id"):
        return "The case's required test set changed after this preview; upload the file again to preview it afresh."
    return None


IMPORT_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        name="apply",
        label="Apply the import",
        sources=frozenset({I.PREVIEWED}),
        target=I.APPLIED,
        permission=can_apply_import,
        guards=(_case_in_testing, _scope_unchanged),
        confirm="I have checked the preview: record these runs on the case (they cannot be taken back).",
    ),
)


class ResultImportWorkflow(Workflow[ResultImport]):
    model = ResultImport
    transitions = IMPORT_TRANSITIONS

    def state_label(self, state: str) -> str:
        return str(ImportState(state).label).lower() if state in ImportState.values else state

    def organisation_id(self, instance: ResultImport) -> int:
        return int(instance.case.participation.organisation_id)

    def record(self, applied: AppliedTransition[ResultImport]) -> dict[str, Any]:
        """Keep the counts the service applied; drop the rows kept for the apply (they are runs now). The one audit
        event of the import carries the file's hash and the counts, not one event per row."""
        result_import = applied.instance
        counts = dict(applied.data.extra.get("counts", {}))
        result_import.rows_applied = int(counts.get("added", 0))
        result_import.applied_at = applied.at
        result_import.preview = {**result_import.preview, "rows": [], "applied": counts}
        result_import.save(update_fields=["rows_applied", "applied_at", "preview", "updated_at"])
        return {
            "case": result_import.case.reference,
            "file": result_import.source_name,
            "file_sha256": result_import.sha256,
            "kind": result_import.kind,
            **counts,
        }


RESULT_IMPORT_WORKFLOW = register("testing_result_import", ResultImportWorkflow())
