from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "dangjian.stats"
    label = "stats"
    verbose_name = "数据统计"

    def ready(self):
        from dangjian.lib import counting
        from dangjian.stats.counting import apply_counts

        # Counting lives in the foundation (any app counts a view); stats
        # stores the counts. Pending views are written by the write-behind
        # flusher (dangjian.lib.writebehind), never on the request path.
        counting.set_writer(apply_counts)
