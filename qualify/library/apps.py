from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "qualify.library"
    label = "library"
    verbose_name = "Document library and consultations"
