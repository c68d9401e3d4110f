"""Proposes synonym pairs and question → entry associations from the search log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dangjian.kb.learning import DEFAULT_DAYS, MIN_SEARCHES, learn
from dangjian.kb.searchlog import flush


class Command(BaseCommand):
    help = (
        "从检索日志（市民点击、话务员选择）学习同义词和问法，"
        "作为待确认的建议交管理员在后台确认"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
        parser.add_argument("--min-searches", type=int, default=MIN_SEARCHES)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1 or options["min_searches"] < 1:
            self.stderr.write("天数和最少检索次数须为正整数")
            return
        flush()  # the buffered log first
        out = learn(days=options["days"], min_searches=options["min_searches"])
        self.stdout.write(
            f"新建议问法 {out.answers_proposed} 条（更新 {out.answers_updated} 条），"
            f"新建议同义词 {out.synonyms_proposed} 组（更新 {out.synonyms_updated} 组）"
        )
        for word, official, count in out.pairs:
            self.stdout.write(f"  {word} / {official}：{count} 次检索")
