from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "qualify.testing"
    label = "testing"
    verbose_name = "Qualification Testing"

    def ready(self) -> None:
        # Entering and leaving testing wait for the testing records (prerequisites, runs, RTTM, completion report);
        # the overview gains a filter by testing progress. The lower apps cannot import testing, so it hooks in here.
        from qualify.cases.selectors import ExtraFilter, register_case_filter
        from qualify.cases.workflow import CASE_WORKFLOW
        from qualify.testing import prerequisites_workflow  # noqa: F401  # registers the workflow for the diagrams
        from qualify.testing.gates import entering_testing, leaving_testing
        from qualify.testing.selectors.overview import QT_PROGRESS_CHOICES, filter_by_qt_progress

        CASE_WORKFLOW.add_guard("start_testing", entering_testing)
        CASE_WORKFLOW.add_guard("complete_testing", leaving_testing)
        register_case_filter("qt", ExtraFilter("QT progress", QT_PROGRESS_CHOICES, filter_by_qt_progress))
