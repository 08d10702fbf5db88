from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "qualify.testing"
    label = "testing"
    verbose_name = "Qualification Testing"

    def ready(self) -> None:
        # The defect and assurance tables live in defects_workflow.py, which autodiscovery (``workflow``) misses.
        from qualify.testing import defects_workflow  # noqa: F401
