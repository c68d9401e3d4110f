"""Live tallies: counted votes per candidate, from Redis or from the ledger."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count

from dangjian.voting import store
from dangjian.voting.models import Vote


def _cache_key(campaign_id: int) -> str:
    return f"dj:v:tally:{campaign_id}"


def ledger_tally(campaign_id: int) -> dict[int, int]:
    """Counted votes per candidate, counted in the ledger (the truth)."""
    return dict(
        Vote.objects.counted()
        .filter(campaign_id=campaign_id)
        .values_list("candidate_id")
        .annotate(n=Count("id"))
        .values_list("candidate_id", "n")
    )


def forget_ledger_tally(campaign_id: int) -> None:
    """Drops this process's cached ledger tally after a change to the ledger."""
    cache.delete(_cache_key(campaign_id))


def tally(campaign_id: int) -> dict[int, int]:
    """Counted votes per candidate: from Redis when it holds a reconciled tally,
    else from the ledger (cached for a few seconds)."""
    if store.redis_client() is not None:
        live = store.redis_tally(campaign_id)
        if live is not None:
            return {k: v for k, v in live.items() if v}
    key = _cache_key(campaign_id)
    counts = cache.get(key)
    if counts is None:
        counts = ledger_tally(campaign_id)
        cache.set(key, counts, 3)
    return counts
