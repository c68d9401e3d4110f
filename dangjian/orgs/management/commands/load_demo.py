from django.core.management.base import BaseCommand

from dangjian.lib.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Builds the demo city (idempotent): organisations, people, and each app's content."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default="auto",
            help="folder of the real data sets (default: DANGJIAN_DATA_DIR or ../shared/data)",
        )
        parser.add_argument(
            "--builtin",
            action="store_true",
            help="ignore the real data sets and load the small built-in demo",
        )

    def handle(self, *args, data_dir, builtin, **options):
        from pathlib import Path

        if builtin:
            source = None
        elif data_dir == "auto":
            source = "auto"
        else:
            source = Path(data_dir)
            if not (source / "city" / "units.json").exists():
                self.stderr.write(f"{source} 中没有 city/units.json，改用自带示例。")
                source = None
        ctx = load_demo(write=self.stdout.write, data_dir=source)
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, description in ctx.logins:
            self.stdout.write(f"  {username:<10} {description}")
