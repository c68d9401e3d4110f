"""manage.py import_questions FILE [--owner 单位] [--status reviewed] [--category 分类]"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dangjian.orgs.models import Organisation
from dangjian.quiz.actions import check_import_questions
from dangjian.quiz.importing import ImportFileError, read_file
from dangjian.quiz.models import Question


class Command(BaseCommand):
    help = (
        "导入试题（Excel .xlsx、CSV（UTF-8 或 GBK）、JSONL）。有错误时列出每一行，"
        "且不导入任何试题；重复题目跳过并报告。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--owner", default="市委宣传部", help="所属单位名称")
        parser.add_argument(
            "--status",
            default=Question.Status.DRAFT,
            choices=[Question.Status.DRAFT, Question.Status.REVIEWED],
            help="导入后的状态（默认待审核）",
        )
        parser.add_argument("--category", default="", help="统一设置分类")
        parser.add_argument("--user", default="", help="记入审计日志的操作人账号")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        owner = Organisation.objects.filter(name=options["owner"]).first()
        if owner is None:
            raise CommandError(f"单位不存在：{options['owner']}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
        report = self.import_file(
            path, owner, options["status"], options["category"], user
        )
        for line, message in report.warnings[:50]:
            self.stdout.write(f"  第 {line} 行：{message}")
        if len(report.warnings) > 50:
            self.stdout.write(f"  ……另有 {len(report.warnings) - 50} 条提示")
        if report.errors:
            for line, message in report.errors:
                self.stderr.write(f"  第 {line} 行：{message}")
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def import_file(self, path, owner, status, category="", user=None):
        try:
            rows = read_file(path.name, path.read_bytes())
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        return check_import_questions(
            rows, owner=owner, status=status, category=category, acting_user=user
        )
