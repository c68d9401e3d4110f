from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.tickets.training import messages_path, train_and_store


class Command(BaseCommand):
    help = (
        "Trains the 12345 dispatch classifier (domain and type) on the labelled "
        "citizen messages and the operators' corrections, stores it as a new "
        "version, and prints accuracy and macro-F1 on its own held-out split."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            default="",
            help="messages.jsonl (default: DANGJIAN_DATA_DIR/hotline_kb_bj/messages.jsonl)",
        )

    def handle(self, *args, file: str, **options):
        path = Path(file) if file else messages_path()
        if not path.exists():
            raise CommandError(f"找不到训练数据：{path}")
        trained, stored = train_and_store(path)
        m = trained.metrics
        self.stdout.write(f"派单模型 v{stored.version}：{stored.method}")
        self.stdout.write(
            f"训练样本 {trained.training_rows} 条（含话务员更正 {stored.corrections} 条），"
            f"用时 {trained.seconds:.1f} 秒"
        )
        for key, label in (("domain", "领域"), ("type", "类型")):
            self.stdout.write(
                f"{label}：留出集 {m[key]['rows']} 条，准确率 {m[key]['accuracy']:.3f}，"
                f"宏平均 F1 {m[key]['macro_f1']:.3f}"
            )
