from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "dangjian.stats"
    label = "stats"
    verbose_name = "数据统计"

    def ready(self):
        from django.core.signals import request_finished

        from dangjian.stats.counting import maybe_flush

        request_finished.connect(maybe_flush, dispatch_uid="dangjian.stats.flush")
