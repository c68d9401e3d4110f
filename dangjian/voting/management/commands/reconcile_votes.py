"""Recomputes live tallies from the ledger and reports any difference."""

from django.core.management.base import BaseCommand

from dangjian.voting.actions import reconcile_campaign, sync_visits
from dangjian.voting.models import Campaign


class Command(BaseCommand):
    help = "用账本核对并修正 Redis 中的实时计票（账本为准）"

    def add_arguments(self, parser):
        parser.add_argument("campaign", nargs="*", type=int)
        parser.add_argument("--check", action="store_true", help="只报告差异，不修正")

    def handle(self, *args, campaign, check, **options):
        campaigns = Campaign.objects.all()
        if campaign:
            campaigns = campaigns.filter(pk__in=campaign)
        differences = 0
        for c in campaigns:
            report = reconcile_campaign(c.pk, fix=not check)
            differences += len(report.differences)
            state = (
                "一致"
                if report.exact
                else (
                    f"差异 {len(report.differences)} 项"
                    + ("，已修正" if report.fixed else "")
                )
            )
            tally = (
                "无（未使用 Redis 或已丢失）" if report.tally is None else report.tally
            )
            self.stdout.write(
                f"#{c.pk} {c.title}: 账本 {report.ledger} 票，实时计票 {tally}，{state}"
            )
            for candidate, (truth, live) in sorted(report.differences.items()):
                self.stdout.write(f"    候选人 {candidate}: 账本 {truth}，计票 {live}")
        sync_visits()
        if check and differences:
            raise SystemExit(1)
