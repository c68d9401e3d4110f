from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.members.importer import import_roster


class Command(BaseCommand):
    help = (
        "导入党员名册（CSV UTF-8/GBK 或 XLSX）：整体导入，有错误行则全部不导入并逐行列出；"
        "按身份证号更新已登记的党员。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--as", dest="username", help="以此用户的身份导入（默认：第一个超级用户）"
        )

    def handle(self, file, username=None, **options):
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
        try:
            result = import_roster(path.name, path.read_bytes(), user=user)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"文件未导入：{len(exc.messages)} 处错误。") from None
        self.stdout.write(
            f"导入完成：新登记 {result.created} 人，更新 {result.updated} 人。"
        )
