"""Verifies a campaign's hash-chained ledger against its published digest.

    python manage.py verify_votes <campaign id> --digest <hex> [--length N]

Without --digest it compares with the digest published in the database
(which an auditor should not trust: pass the one published to the public).
Exits with status 1 and lists the problems when any row was edited,
inserted or deleted.
"""

from django.core.management.base import BaseCommand, CommandError

from dangjian.voting.chain import verify
from dangjian.voting.models import Ledger


class Command(BaseCommand):
    help = "核验投票账本的哈希链与公布的最终摘要是否一致"

    def add_arguments(self, parser):
        parser.add_argument("campaign", type=int)
        parser.add_argument("--digest", help="公布的最终摘要（链头哈希）")
        parser.add_argument("--length", type=int, help="公布的记录数")

    def handle(self, *args, campaign, digest, length, **options):
        if digest is None:
            ledger = Ledger.objects.filter(campaign_id=campaign).first()
            if ledger is None or not ledger.final_digest:
                raise CommandError("该活动尚未公布最终摘要，请用 --digest 指定")
            digest, length = ledger.final_digest, ledger.final_length
        result = verify(campaign, digest=digest, length=length)
        self.stdout.write(
            f"记录 {result.length} 条，链头 {result.head_hash or '（空）'}，"
            f"未封存 {result.unsealed} 条"
        )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"  ✗ {problem}")
            raise CommandError("核验失败：账本与公布的摘要不符")
        self.stdout.write(self.style.SUCCESS("核验通过：账本与公布的摘要一致"))
