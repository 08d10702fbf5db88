from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "qualify.register"
    label = "register"
    verbose_name = "Qualification register"
    # A register import job's uploaded file (sweep_orphan_files removes what a killed upload left in the folder).
    stored_files = [("register/imports/", "RegisterImportJob", "input_name")]

    def ready(self) -> None:
        from qualify.register import import_jobs  # noqa: F401  (registers the import job kind for the recovery)
