from django.apps import AppConfig


class DipConfig(AppConfig):
    name = "qualify.dip"
    label = "dip"
    verbose_name = "DIP message validation"

    # Uploaded interface specifications are kept under this storage folder (qualify/core/storedfiles.py sweeps it).
    stored_files = [("dip/", "Specification", "storage_name")]
