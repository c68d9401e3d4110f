from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dangjian.search"
    label = "search"
    verbose_name = "中文检索"

    def ready(self):
        from dangjian.search import signals  # noqa: F401
