import csv
import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.kb.importer import COLUMNS, EXPORT_HEADINGS
from dangjian.kb.models import Entry


def entry_row(entry) -> list:
    values = []
    for field in COLUMNS:
        value = entry.owner.name if field == "owner" else getattr(entry, field)
        values.append("" if value is None else str(value))
    return values


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
        rows = [entry_row(e) for e in entries.iterator()]
        suffix = path.suffix.lower()
        if suffix == ".csv":
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(EXPORT_HEADINGS)
            writer.writerows(rows)
            path.write_text(buf.getvalue(), encoding="utf-8-sig")
        elif suffix == ".jsonl":
            with path.open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(
                        json.dumps(
                            dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False
                        )
                        + "\n"
                    )
        elif suffix == ".xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("知识条目")
            sheet.append(EXPORT_HEADINGS)
            for row in rows:
                sheet.append(row)
            book.save(path)
        else:
            raise CommandError("请使用 .csv、.xlsx 或 .jsonl 文件名。")
        self.stdout.write(f"已导出 {len(rows)} 条到 {path}")
