from django.core.management.base import BaseCommand

from dangjian.kb.actions import do_sweep_expired


class Command(BaseCommand):
    help = "把已失效或未生效的条目移出检索索引（建议每日运行一次）。"

    def handle(self, **options):
        self.stdout.write(f"移出 {do_sweep_expired()} 条。")
