from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "qualify.oversight"
    label = "oversight"
    verbose_name = "Programme oversight"

    def ready(self) -> None:
        # Non-completion (QA&P Annex 4) hangs off the case's own steps: recording it opens the record that runs the
        # ladder, and the case resumes only when that record is resolved (not by hand while it is open).
        from qualify.cases.workflow import CASE_WORKFLOW
        from qualify.notifications.choices import register_kind
        from qualify.oversight.choices import NOTICE_KINDS
        from qualify.oversight.services import record_opened
        from qualify.oversight.services.guards import no_open_record

        CASE_WORKFLOW.add_effect("record_non_completion", record_opened)
        CASE_WORKFLOW.add_guard("accept_remediation", no_open_record)
        for kind, label in NOTICE_KINDS.items():
            register_kind(kind, label)
