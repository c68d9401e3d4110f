from django.core.management.base import BaseCommand

from dangjian.notify.delivery import deliver_due


class Command(BaseCommand):
    help = (
        "排队到期的通知投递（重试、免打扰结束后的推迟投递）并发送汇总；每隔几分钟运行。"
    )

    def handle(self, *args, **options):
        result = deliver_due()
        self.stdout.write(f"排队 {result['queued']} 条，汇总 {result['digests']} 条")
