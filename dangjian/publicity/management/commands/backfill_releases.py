from django.core.management.base import BaseCommand

from dangjian.publicity.actions import do_backfill_releases


class Command(BaseCommand):
    help = (
        "为已公开但尚无发布记录的内容补建记录（不推送 Webhook），供订阅源和摘要使用。"
    )

    def handle(self, *args, **options):
        created = do_backfill_releases()
        self.stdout.write(f"补建 {created} 条发布记录。")
