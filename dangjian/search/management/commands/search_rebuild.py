from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.search import get_index, registered


class Command(BaseCommand):
    help = "重建检索索引：请各应用重新提供全部文档（不指定名称时重建全部）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="index names (default: all)")

    def handle(self, *names: str, **options: Any) -> None:
        specs = registered()
        unknown = [n for n in names if n not in specs]
        if unknown:
            raise CommandError(
                f"未注册的索引：{', '.join(unknown)}（已注册：{', '.join(sorted(specs))}）"
            )
        for name in names or sorted(specs):
            self.stdout.write(self.rebuild_one(name))

    def rebuild_one(self, name: str) -> str:
        spec = registered()[name]
        if spec.feeder is None:
            return f"{name}: no feeder registered, skipped"
        count = get_index(name).rebuild()
        return f"{name}: {count} documents"
