from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.kb.export import FORMATS, export_bytes
from dangjian.kb.models import Entry


class Command(BaseCommand):
    help = "导出知识条目为 CSV（UTF-8 带 BOM，Excel 可直接打开）、XLSX 或 JSONL；可再次导入。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", help="只导出此单位的条目（单位名称）")

    def handle(self, file, unit=None, **options):
        entries = Entry.objects.select_related("owner").order_by("pk")
        if unit:
            entries = entries.filter(owner__name=unit)
        path = Path(file)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CommandError("请使用 .csv、.xlsx 或 .jsonl 文件名。")
        rows = list(entries)
        path.write_bytes(export_bytes(rows, fmt))
        self.stdout.write(f"已导出 {len(rows)} 条到 {path}")
