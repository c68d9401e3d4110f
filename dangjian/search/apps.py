from __future__ import annotations

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dangjian.search"
    label = "search"
    verbose_name = "中文检索"

    def ready(self) -> None:
        from dangjian.search import signals  # noqa: F401
