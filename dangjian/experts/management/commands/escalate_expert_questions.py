from django.core.management.base import BaseCommand

from dangjian.experts.actions import escalate_overdue


class Command(BaseCommand):
    help = "督办超过答复时限的企业政策咨询（可反复运行，已督办的不再重复）"

    def handle(self, *args, **options):
        escalations = escalate_overdue()
        for escalation in escalations:
            self.stdout.write(
                f"督办 {escalation.question.reference}：通知 "
                f"{'、'.join(escalation.notified) or '（无单位管理员）'}"
            )
        self.stdout.write(f"共督办 {len(escalations)} 个问题")
