from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "qualify.participants"
    label = "participants"
    verbose_name = "Participants"
