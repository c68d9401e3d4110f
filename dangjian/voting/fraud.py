"""The fraud scan: raises flags on ledger votes for a reviewer to look at.

Rate limits and the captcha stop abuse as it happens; this scan looks back
over the ledger for patterns a single request cannot show:

* ``burst``: more than ``burst_per_minute`` votes from one network in a minute;
* ``new_voters``: more than ``new_voters_per_10min`` voters whose first vote
  came from one network within ten minutes;
* ``regular``: a voter whose last ``regular_run`` votes came at intervals
  equal within ``regular_jitter`` seconds, like a script on a timer.

Flags are rows, never changes to votes; voiding stays a human decision.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.db.models.functions import TruncMinute
from django.utils import timezone

from dangjian.voting.models import Vote, VoteFlag

DEFAULTS = {
    "burst_per_minute": 60,
    "new_voters_per_10min": 30,
    "regular_run": 5,
    "regular_jitter": 1.0,
}


def thresholds() -> dict:
    return {**DEFAULTS, **getattr(settings, "VOTING_FRAUD_THRESHOLDS", {})}


def _flag(vote_ids, kind: str, detail: str) -> int:
    now = timezone.now()
    have = set(
        VoteFlag.objects.filter(vote_id__in=vote_ids, kind=kind).values_list(
            "vote_id", flat=True
        )
    )
    VoteFlag.objects.bulk_create(
        [
            VoteFlag(vote_id=i, kind=kind, detail=detail, created_at=now)
            for i in vote_ids
            if i not in have
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(set(vote_ids) - have)


def scan_campaign(campaign_id: int) -> dict[str, int]:
    """Flags suspicious votes of a campaign; returns how many of each kind.

    Running it again adds nothing new for the same votes.
    """
    limits = thresholds()
    votes = Vote.objects.filter(campaign_id=campaign_id)
    found = {kind: 0 for kind in VoteFlag.Kind.values}
    with transaction.atomic():
        # Bursts: votes per network and minute.
        bursts = (
            votes.annotate(minute=TruncMinute("cast_at"))
            .values("network_hash", "minute")
            .annotate(n=Count("id"))
            .filter(n__gt=limits["burst_per_minute"])
        )
        for row in bursts:
            ids = votes.filter(
                network_hash=row["network_hash"],
                cast_at__gte=row["minute"],
                cast_at__lt=row["minute"] + dt.timedelta(minutes=1),
            ).values_list("id", flat=True)
            found["burst"] += _flag(
                list(ids), "burst", f"同一网络一分钟内 {row['n']} 票"
            )

        # Many new voters: first votes per network within any ten minutes (a
        # sliding window, so a burst is caught even across a clock boundary).
        firsts = votes.values("voter_hash").annotate(first=Min("id"))
        first_ids = [row["first"] for row in firsts]
        by_network: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
        for start in range(0, len(first_ids), 5000):
            for vote_id, net, cast_at in Vote.objects.filter(
                pk__in=first_ids[start : start + 5000]
            ).values_list("id", "network_hash", "cast_at"):
                by_network[net].append((cast_at, vote_id))
        window = dt.timedelta(minutes=10)
        for firsts_of_net in by_network.values():
            firsts_of_net.sort()
            suspicious: set[int] = set()
            left = 0
            for right in range(len(firsts_of_net)):
                while firsts_of_net[right][0] - firsts_of_net[left][0] >= window:
                    left += 1
                if right - left + 1 > limits["new_voters_per_10min"]:
                    suspicious.update(i for _t, i in firsts_of_net[left : right + 1])
            if suspicious:
                found["new_voters"] += _flag(
                    sorted(suspicious),
                    "new_voters",
                    f"同一网络十分钟内 {len(suspicious)} 个新投票人",
                )

        # Machine-regular intervals, among voters with enough votes.
        run = limits["regular_run"]
        busy = (
            votes.values("voter_hash")
            .annotate(n=Count("id"))
            .filter(n__gte=run)
            .values_list("voter_hash", flat=True)
        )
        for voter in busy:
            times = list(
                votes.filter(voter_hash=voter)
                .order_by("cast_at")
                .values_list("id", "cast_at")
            )
            for end in range(run, len(times) + 1):
                recent = times[end - run : end]
                gaps = [
                    (b[1] - a[1]).total_seconds()
                    for a, b in zip(recent, recent[1:], strict=False)
                ]
                if max(gaps) - min(gaps) <= limits["regular_jitter"] and min(gaps) > 0:
                    found["regular"] += _flag(
                        [i for i, _t in recent],
                        "regular",
                        f"连续 {run} 票间隔均约 {sum(gaps) / len(gaps):.0f} 秒",
                    )
    return found
