from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "qualify.search"
    label = "search"
    verbose_name = "Search"
