"""Moves pending view counts into DailyViews, once or every N seconds
(``flush_buffers`` writes every write-behind buffer, views included)."""

import time

from django.core.management.base import BaseCommand

from dangjian.stats.counting import flush_views


class Command(BaseCommand):
    help = "把缓冲中的浏览计数写入数据库"

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="每隔多少秒写一次（0 表示只写一次）"
        )

    def handle(self, *args, every=0, **options):
        while True:
            moved = flush_views()
            if options["verbosity"] > 0:
                self.stdout.write(f"flushed {moved} views")
            if not every:
                return
            time.sleep(every)
