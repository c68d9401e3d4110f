from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "dangjian.study"
    label = "study"
    verbose_name = "学习"
