"""Review after the fact: voiding flagged votes, dismissing flags, and
finalising a campaign's results (the published ledger digest)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.voting import store
from dangjian.voting.actions.errors import VoteRefused
from dangjian.voting.actions.tallies import forget_ledger_tally
from dangjian.voting.chain import seal_all
from dangjian.voting.models import Campaign, Ledger, Vote, VoteFlag


@transaction.atomic
def do_void_votes(campaign: Campaign, vote_ids, *, reason: str, acting_user) -> int:
    """Voids votes: they stay in the ledger, marked, and leave the tally."""
    reason = (reason or "").strip()
    if not reason:
        raise VoteRefused(400, "reason_required", _("请填写作废原因"))
    now = timezone.now()
    votes = Vote.objects.select_for_update().filter(
        campaign=campaign, pk__in=list(vote_ids), voided_at__isnull=True
    )
    changes: dict[int, int] = {}
    ids = []
    for vote in votes:
        changes[vote.candidate_id] = changes.get(vote.candidate_id, 0) - 1
        ids.append(vote.pk)
    if not ids:
        return 0
    Vote.objects.filter(pk__in=ids).update(
        voided_at=now, void_reason=reason[:200], voided_by=acting_user
    )
    VoteFlag.objects.filter(vote_id__in=ids, reviewed_at__isnull=True).update(
        reviewed_at=now
    )
    transaction.on_commit(lambda: forget_ledger_tally(campaign.pk))
    log(
        campaign,
        "dangjian.voting.void",
        user=acting_user,
        data={"votes": len(ids), "reason": reason[:200], "first_ids": ids[:20]},
    )
    if store.redis_client() is not None:
        transaction.on_commit(lambda: store.redis_adjust_tally(campaign.pk, changes))
    return len(ids)


@transaction.atomic
def do_dismiss_flags(campaign: Campaign, vote_ids, *, acting_user) -> int:
    n = VoteFlag.objects.filter(
        vote__campaign=campaign, vote_id__in=list(vote_ids), reviewed_at__isnull=True
    ).update(reviewed_at=timezone.now())
    if n:
        log(campaign, "dangjian.voting.dismiss", user=acting_user, data={"flags": n})
    return n


@transaction.atomic
def do_finalise_campaign(campaign: Campaign, *, acting_user, now=None) -> Ledger:
    """Seals the whole ledger after the end and publishes its digest."""
    now = now or timezone.now()
    if campaign.status(now) != "ended":
        raise VoteRefused(409, "not_ended", _("投票结束后才能公布最终结果"))
    seal_all(campaign.pk)
    ledger = Ledger.objects.select_for_update().get(campaign=campaign)
    if ledger.finalised_at:
        raise VoteRefused(409, "already_final", _("最终结果已经公布"))
    ledger.final_length = ledger.length
    ledger.final_digest = ledger.head_hash
    ledger.finalised_at = now
    ledger.finalised_by = acting_user
    ledger.save(
        update_fields=["final_length", "final_digest", "finalised_at", "finalised_by"]
    )
    log(
        campaign,
        "dangjian.voting.finalise",
        user=acting_user,
        data={"length": ledger.length, "digest": ledger.head_hash},
    )
    return ledger


def void_summary(campaign_id: int) -> list[tuple[str, int]]:
    """How many votes were voided for each reason, the most frequent first."""
    return list(
        Vote.objects.voided()
        .filter(campaign_id=campaign_id)
        .values_list("void_reason")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("void_reason", "n")
    )
