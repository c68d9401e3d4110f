from django.core.management.base import BaseCommand

from dangjian.publicity.actions import do_send_digests


class Command(BaseCommand):
    help = "向已确认的订阅者发送每日更新摘要（每人一封，只含上次以来的新发布）。"

    def handle(self, *args, **options):
        sent = do_send_digests()
        self.stdout.write(f"已发送 {sent} 封摘要邮件。")
