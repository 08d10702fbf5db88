from django.apps import AppConfig


class QadConfig(AppConfig):
    name = "qualify.qad"
    label = "qad"
    verbose_name = "Qualification Assessment Document"

    def ready(self) -> None:
        # The case steps that a QAD submission or declaration stands behind cannot be taken without them.
        from qualify.cases.workflow import CASE_WORKFLOW
        from qualify.qad.workflow import CASE_GUARDS

        for name, guard in CASE_GUARDS.items():
            CASE_WORKFLOW.add_guard(name, guard)
