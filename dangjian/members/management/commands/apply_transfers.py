from django.core.management.base import BaseCommand

from dangjian.members.transfers import do_apply_due_transfers


class Command(BaseCommand):
    help = "办理到生效日期的组织关系转接（每日运行）：党员的所在党组织随之变更。"

    def handle(self, **options):
        done = do_apply_due_transfers()
        self.stdout.write(f"已生效 {done} 件转接。")
