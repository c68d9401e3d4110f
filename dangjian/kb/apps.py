from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "dangjian.kb"
    label = "kb"
    verbose_name = "12345 知识库"
