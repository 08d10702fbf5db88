from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "qualify.changes"
    label = "changes"
    verbose_name = "Maintenance of qualification"

    def ready(self) -> None:
        from qualify.cases.workflow import CASE_WORKFLOW
        from qualify.changes.choices import NOTICE_KINDS
        from qualify.changes.services import requalification_approved, requalification_sections
        from qualify.notifications.choices import register_kind
        from qualify.qad.selectors import register_section_scope

        for kind, label in NOTICE_KINDS.items():
            register_kind(kind, label)
        # A re-qualification case's approval settles the change that opened it (the register's note goes).
        CASE_WORKFLOW.add_effect("approve", requalification_approved)
        # A re-qualification case's QAD asks only the sections the Code Bodies named; the rest carries over.
        register_section_scope(requalification_sections)
