from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "qualify.testing"
    label = "testing"
    verbose_name = "Qualification Testing"

    def ready(self) -> None:
        # The Test Completion Report's transition table, registered for render_workflows and the lifecycle pages.
        # The defect and assurance tables live in defects_workflow.py, which autodiscovery (``workflow``) misses.
        # The results import's table is in imports_workflow.py for the same reason.
        # Pre-qualification and scoping wait for Qualification Testing's records (DOMAIN.md §4, §10a): the form must
        # be complete (and, for a new-entrant LDSO, inside Annex 3's window) and reliance decided; the Code Bodies
        # confirm scope, which freezes the required test set.
        from qualify.cases.workflow import CASE_WORKFLOW
        from qualify.testing import (
            defects_workflow,  # noqa: F401
            imports_workflow,  # noqa: F401
            report_workflow,  # noqa: F401
        )
        from qualify.testing.permissions import may_confirm_scope
        from qualify.testing.services.prequalification import (
            annex3_guard,
            prequalification_guard,
            submit_form_with_case,
        )
        from qualify.testing.services.reliance import undecided_reliance_guard
        from qualify.testing.services.scope_confirm import scope_effect

        CASE_WORKFLOW.add_guard("submit_prequalification", prequalification_guard)
        CASE_WORKFLOW.add_guard("submit_prequalification", annex3_guard)
        CASE_WORKFLOW.add_effect("submit_prequalification", submit_form_with_case)
        CASE_WORKFLOW.set_permission("scope", may_confirm_scope)
        CASE_WORKFLOW.add_guard("scope", undecided_reliance_guard)
        CASE_WORKFLOW.add_effect("scope", scope_effect)

        # Entering and leaving testing wait for the testing records (prerequisites, runs, RTTM, completion report);
        # the overview gains a filter by testing progress. The lower apps cannot import testing, so it hooks in here.
        from qualify.cases.selectors import ExtraFilter, register_case_filter
        from qualify.testing import prerequisites_workflow  # noqa: F401  # registers the workflow for the diagrams
        from qualify.testing.gates import entering_testing, leaving_testing
        from qualify.testing.selectors.overview import QT_PROGRESS_CHOICES, filter_by_qt_progress

        CASE_WORKFLOW.add_guard("start_testing", entering_testing)
        CASE_WORKFLOW.add_guard("complete_testing", leaving_testing)
        register_case_filter("qt", ExtraFilter("QT progress", QT_PROGRESS_CHOICES, filter_by_qt_progress))
