from django.apps import AppConfig

# The case steps a QAD submission takes (qad/services.py SUBMISSION_STEPS): each tells the owning bodies.
SUBMISSION_STEPS = (
    "submit_initial_qad",
    "submit_final_qad",
    "answer_initial_clarification",
    "answer_final_clarification",
    "resubmit_final_qad",
)


class AssessmentConfig(AppConfig):
    name = "qualify.assessment"
    label = "assessment"
    verbose_name = "Assessment and approval"

    # Uploads kept under these storage folders, and the field naming each (qualify/core/storedfiles.py sweeps them).
    stored_files = [("activation/", "ActivationStep", "evidence_storage_name")]

    def ready(self) -> None:
        # The lifecycle waits for the assessment: its steps are guarded by the assessment's records, and a QAD
        # arriving for review is announced to the bodies that own its sections.
        from qualify.assessment.choices import NOTICE_KINDS
        from qualify.assessment.rules import CASE_GUARDS
        from qualify.assessment.services import FINAL_SUBMISSION_STEPS, approvals_void, submission_received
        from qualify.cases.workflow import CASE_WORKFLOW
        from qualify.notifications.choices import register_kind

        for name, guard in CASE_GUARDS.items():
            CASE_WORKFLOW.add_guard(name, guard)
        for name in SUBMISSION_STEPS:
            CASE_WORKFLOW.add_effect(name, submission_received)
        # A new Final QAD voids the approvals recorded on the earlier one (DOMAIN.md §6).
        for name in FINAL_SUBMISSION_STEPS:
            CASE_WORKFLOW.add_effect(name, approvals_void)
        for kind, label in NOTICE_KINDS.items():
            register_kind(kind, label)
        # A participant's "Next" and "Due" put an open query's answer ahead of the wave's dates.
        from qualify.assessment.selectors import queries_owed
        from qualify.cases.selectors import register_owed

        register_owed(queries_owed)
