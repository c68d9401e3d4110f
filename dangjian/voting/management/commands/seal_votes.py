"""Seals unsealed votes into each campaign's hash chain.

Run it next to the web servers: ``manage.py seal_votes --loop``.
"""

import time

from django.core.management.base import BaseCommand

from dangjian.voting.chain import seal_all
from dangjian.voting.models import Campaign, Vote


class Command(BaseCommand):
    help = "把新选票封存进各投票活动的哈希链（--loop 持续运行）"

    def add_arguments(self, parser):
        parser.add_argument("campaign", nargs="*", type=int)
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, campaign, loop, interval, **options):
        while True:
            sealed = self.seal_once(campaign)
            if sealed and options["verbosity"] > 0:
                self.stdout.write(f"sealed {sealed}")
            if not loop:
                return
            time.sleep(interval)

    def seal_once(self, campaign_ids) -> int:
        ids = campaign_ids or list(
            Vote.objects.unsealed().values_list("campaign_id", flat=True).distinct()
        )
        return sum(
            seal_all(pk) for pk in ids if Campaign.objects.filter(pk=pk).exists()
        )
