from django.apps import AppConfig


class QadConfig(AppConfig):
    name = "qualify.qad"
    label = "qad"
    verbose_name = "Qualification Assessment Document"

    # Uploads kept under these storage folders, and the field naming each (qualify/core/storedfiles.py sweeps them).
    stored_files = [("evidence/", "EvidenceFile", "storage_name")]

    def ready(self) -> None:
        # The case steps that a QAD submission or declaration stands behind cannot be taken without them.
        from qualify.cases.workflow import CASE_WORKFLOW
        from qualify.notifications.choices import register_kind
        from qualify.qad.workflow import CASE_GUARDS, may_sign

        for name, guard in CASE_GUARDS.items():
            CASE_WORKFLOW.add_guard(name, guard)
        # Only the invited person who declared signs (the case app cannot know who that is).
        CASE_WORKFLOW.set_permission("sign", may_sign)
        register_kind("qad.declaration_invited", "You are invited to declare on a Final QAD")
        register_kind("qad.declaration_made", "A director declared on your Final QAD")
