"""Grades attempts whose time ran out while nobody submitted them (run from cron)."""

from django.core.management.base import BaseCommand

from dangjian.quiz.actions import do_close_expired_attempts


class Command(BaseCommand):
    help = "为超时未交卷的答题判分（可由定时任务运行）"

    def handle(self, *args, **options):
        closed = do_close_expired_attempts()
        self.stdout.write(f"已为 {closed} 份超时答卷判分")
