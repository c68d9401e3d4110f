from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.kb.actions import import_file
from dangjian.orgs.models import Organisation


class Command(BaseCommand):
    help = "导入知识条目（CSV/XLSX/JSONL）：整体导入，有错误行则全部不导入并列出；按外部编号更新。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--as", dest="username", help="以此用户的身份导入（默认：第一个超级用户）"
        )
        parser.add_argument("--default-owner", help="文件未写责任单位时使用的单位名称")

    def handle(self, file, username=None, default_owner=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        people = get_user_model().objects
        user = (
            people.filter(username=username).first()
            if username
            else people.filter(is_superuser=True).order_by("pk").first()
        )
        if user is None:
            raise CommandError("找不到导入用户：请用 --as 指定，或先创建超级用户。")
        owner = None
        if default_owner:
            owner = (
                Organisation.objects.maintaining_kb().filter(name=default_owner).first()
            )
            if owner is None:
                raise CommandError(f"单位“{default_owner}”不存在或不维护知识库。")
        try:
            result = import_file(
                path.name, path.read_bytes(), user=user, default_owner=owner
            )
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"文件未导入：{len(exc.messages)} 处错误。") from None
        self.stdout.write(
            f"导入完成：新增 {result.created} 条，更新 {result.updated} 条。"
        )
