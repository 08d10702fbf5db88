from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "qualify.library"
    label = "library"
    verbose_name = "Document library and consultations"

    # Uploads kept under these storage folders, and the field naming each (qualify/core/storedfiles.py sweeps them).
    stored_files = [("library/", "VersionFile", "file")]

    def ready(self) -> None:
        from qualify.library import choices
        from qualify.notifications.choices import register_kind

        register_kind(choices.NOTICE_CONSULTATION_OPENED, "A consultation opens")
        register_kind(choices.NOTICE_CONSULTATION_CLOSING, "A consultation closes in a week")
        register_kind(choices.NOTICE_VERSION_BASELINED, "A library document is baselined")
