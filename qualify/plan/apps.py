from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "qualify.plan"
    label = "plan"
    verbose_name = "Plan: milestones and waves"
