from django.core.management.base import BaseCommand

from dangjian.notify.reminders import send_reminders


class Command(BaseCommand):
    help = "发送各功能登记的提醒（学习计划截止、竞赛开始等），可反复运行，不会重复。"

    def handle(self, *args, **options):
        for name, n in send_reminders().items():
            self.stdout.write(f"{name}: {n}")
