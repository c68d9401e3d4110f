"""A campaign's rule as the hot path needs it, cached briefly in each process.

Casting a vote reads the campaign (window, eligibility, rule, candidate ids)
thousands of times a second; a frozen snapshot kept for a few seconds spares
the database those reads. Saving a campaign or candidate clears the snapshot
in this process; other processes pick the change up within ``TTL`` seconds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from dangjian.voting.models import Campaign, next_midnight

TTL = 5.0
_cache: dict[int, tuple[float, CampaignRule | None]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class CampaignRule:
    id: int
    title: str
    live: bool
    starts_at: dt.datetime
    ends_at: dt.datetime
    open_to_public: bool
    eligible_ids: frozenset[int]
    votes_per_day: int
    votes_per_candidate_per_day: int
    votes_total: int
    candidate_ids: frozenset[int]

    def remaining(self, total: int, today: int, for_candidate: int) -> dict:
        """The voter's remaining votes after these counts, as the API shows them."""
        remaining_total = max(self.votes_total - total, 0) if self.votes_total else None
        remaining_today = max(self.votes_per_day - today, 0)
        if remaining_total is not None:
            remaining_today = min(remaining_today, remaining_total)
        return {
            "remaining_today": remaining_today,
            "remaining_for_candidate_today": min(
                max(self.votes_per_candidate_per_day - for_candidate, 0),
                remaining_today,
            ),
            "remaining_total": remaining_total,
        }

    def refusal(self, total: int, today: int, for_candidate: int, now) -> dict | None:
        """Which limit a further vote would break, or None when it is allowed."""
        if self.votes_total and total >= self.votes_total:
            return {"limit": "total", "next_vote_at": None}
        if today >= self.votes_per_day:
            return {"limit": "per_day", "next_vote_at": next_midnight(now)}
        if for_candidate >= self.votes_per_candidate_per_day:
            return {"limit": "per_candidate", "next_vote_at": next_midnight(now)}
        return None

    def ttl_seconds(self, now) -> int:
        """How long a voter's counters must live: until two days after the end."""
        return max(int((self.ends_at - now).total_seconds()), 0) + 2 * 86400


def load_rule(campaign_id: int) -> CampaignRule | None:
    campaign = (
        Campaign.objects.filter(pk=campaign_id)
        .prefetch_related("eligible_organisations")
        .first()
    )
    if campaign is None:
        return None
    return CampaignRule(
        id=campaign.pk,
        title=campaign.title,
        live=campaign.live,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        open_to_public=campaign.open_to_public,
        eligible_ids=frozenset(o.pk for o in campaign.eligible_organisations.all()),
        votes_per_day=campaign.votes_per_day,
        votes_per_candidate_per_day=campaign.votes_per_candidate_per_day,
        votes_total=campaign.votes_total,
        candidate_ids=frozenset(campaign.candidates.values_list("pk", flat=True)),
    )


def rule_for(campaign_id: int) -> CampaignRule | None:
    now = time.monotonic()
    hit = _cache.get(campaign_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    rule = load_rule(campaign_id)
    with _lock:
        _cache[campaign_id] = (now + TTL, rule)
    return rule


def forget_rules(**kwargs) -> None:
    with _lock:
        _cache.clear()
