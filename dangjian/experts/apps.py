from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "dangjian.experts"
    label = "experts"
    verbose_name = "政策专员"
