from django.core.management.base import BaseCommand

from dangjian.publicity.actions import do_deliver_due


class Command(BaseCommand):
    help = "发送所有到期的 Webhook 推送（含待重试的）；可每分钟运行一次作为兜底。"

    def handle(self, *args, **options):
        sent = do_deliver_due()
        self.stdout.write(f"尝试推送 {sent} 条。")
