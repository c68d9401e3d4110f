"""Reconciling the live tally in Redis with the ledger, which is the truth."""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.voting import store
from dangjian.voting.actions.tallies import ledger_tally


@dataclass
class Reconciliation:
    campaign_id: int
    ledger: int
    tally: int | None
    differences: dict[int, tuple[int, int | None]]
    fixed: bool

    @property
    def exact(self) -> bool:
        return not self.differences


def reconcile_campaign(campaign_id: int, *, fix: bool = True) -> Reconciliation:
    """Compares the live tally with the ledger and, with ``fix``, resets it."""
    truth = ledger_tally(campaign_id)
    live = store.redis_tally(campaign_id) if store.redis_client() else None
    differences: dict[int, tuple[int, int | None]] = {}
    if store.redis_client() is not None:
        seen = live or {}
        for candidate_id in set(truth) | set(seen):
            if truth.get(candidate_id, 0) != seen.get(candidate_id, 0) or live is None:
                differences[candidate_id] = (
                    truth.get(candidate_id, 0),
                    None if live is None else seen.get(candidate_id, 0),
                )
        if fix and (differences or live is None):
            store.redis_set_tally(campaign_id, truth)
    return Reconciliation(
        campaign_id=campaign_id,
        ledger=sum(truth.values()),
        tally=None if live is None else sum(live.values()),
        differences=differences,
        fixed=fix and bool(differences),
    )
