"""Runs the fraud scan over campaigns' ledgers and raises flags for review."""

from django.core.management.base import BaseCommand

from dangjian.voting.fraud import scan_campaign
from dangjian.voting.models import Campaign


class Command(BaseCommand):
    help = "扫描可疑投票（同网段集中、大量新投票人、机器般规律间隔）"

    def add_arguments(self, parser):
        parser.add_argument("campaign", nargs="*", type=int)

    def handle(self, *args, campaign, **options):
        campaigns = Campaign.objects.live()
        if campaign:
            campaigns = Campaign.objects.filter(pk__in=campaign)
        for c in campaigns:
            found = scan_campaign(c.pk)
            summary = "，".join(f"{k} {v}" for k, v in found.items())
            self.stdout.write(f"#{c.pk} {c.title}: 新增标记 {summary}")
