from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "qualify.testing"
    label = "testing"
    verbose_name = "Qualification Testing"

    def ready(self) -> None:
        # The Test Completion Report's transition table, registered for render_workflows and the lifecycle pages.
        from qualify.testing import report_workflow  # noqa: F401
