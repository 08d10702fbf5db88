from django.apps import AppConfig


class GatingConfig(AppConfig):
    name = "qualify.gating"
    label = "gating"
    verbose_name = "Market gating"
    # A job's events file and its result (sweep_orphan_files removes what a killed upload left in the folder).
    stored_files = [("gating/jobs/", "GatingJob", ("input_name", "result_name"))]

    def ready(self) -> None:
        from qualify.gating import services  # noqa: F401  (registers the gating job kind for the job recovery)
