from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "qualify.testing"
    label = "testing"
    verbose_name = "Qualification Testing"

    def ready(self) -> None:
        # The Test Completion Report's transition table, registered for render_workflows and the lifecycle pages.
        # The defect and assurance tables live in defects_workflow.py, which autodiscovery (``workflow``) misses.
        from qualify.testing import (
            defects_workflow,  # noqa: F401
            report_workflow,  # noqa: F401
        )
