"""Gives every active unit its section of the disclosure column (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangjian.disclosure import actions
from dangjian.lib.site import home_page
from dangjian.orgs.models import Organisation


class Command(BaseCommand):
    help = "为每个单位建立党务公开专栏，并授予其角色组相应的页面权限。"

    def handle(self, *args, **options):
        home = home_page()
        if home is None:
            raise CommandError("没有首页：请先运行 load_demo 或在后台建立首页。")
        column = actions.do_ensure_column(home)
        created = actions.do_ensure_sections(
            Organisation.objects.units().filter(is_active=True), column
        )
        self.stdout.write(f"新建单位专栏 {created} 个。")
