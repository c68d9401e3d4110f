from django.core.management.base import BaseCommand

from dangjian.lib.storage import move_private_files


class Command(BaseCommand):
    help = (
        "把早期版本存放在 MEDIA_ROOT 下的私有文件（文档附件、学习视频与封面、专员附件）"
        "移入私有存储，文件名不变；可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将移动的文件，不做改动"
        )

    def handle(self, *args, dry_run, **options):
        report = move_private_files(dry_run=dry_run, write=self.stdout.write)
        verb = "将移动" if dry_run else "已移动"
        self.stdout.write(
            f"{verb} {len(report.moved)} 个文件；"
            f"私有存储中已有相同文件 {len(report.already_there)} 个；"
            f"冲突 {len(report.conflicts)} 个。"
        )
        if report.conflicts:
            self.stderr.write("冲突的文件留在原处，请核对后手工处理。")
