"""The review of a campaign in the Wagtail admin: flagged votes, voiding,
finalising and reconciling (the campaigns' viewset is in ``viewsets.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from dangjian.voting.actions import (
    VoteRefused,
    do_dismiss_flags,
    do_finalise_campaign,
    do_void_votes,
    reconcile_campaign,
    visit_totals,
    void_summary,
)
from dangjian.voting.chain import seal_all
from dangjian.voting.fraud import scan_campaign
from dangjian.voting.models import Campaign, Ledger, Vote, VoteFlag
from dangjian.voting.viewsets import campaign_policy


def _reviewable(request, campaign_id: int) -> Campaign:
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    user = request.user
    if not user.has_perm("voting.void_vote"):
        raise PermissionDenied
    if not campaign_policy.is_reachable(user, campaign):
        raise PermissionDenied
    return campaign


def review(request, campaign_id: int):
    """Flagged votes of a campaign, with actions to scan, void, dismiss, finalise."""
    campaign = _reviewable(request, campaign_id)
    if request.method == "POST":
        action = request.POST.get("action")
        ids = [int(i) for i in request.POST.getlist("vote") if i.isdigit()]
        try:
            if action == "scan":
                found = scan_campaign(campaign.pk)
                log(campaign, "dangjian.voting.scan", user=request.user, data=found)
                messages.success(
                    request,
                    _("扫描完成：新增标记 %(n)d 条") % {"n": sum(found.values())},
                )
            elif action == "void":
                n = do_void_votes(
                    campaign,
                    ids,
                    reason=request.POST.get("reason", ""),
                    acting_user=request.user,
                )
                messages.success(request, _("已作废 %(n)d 票") % {"n": n})
            elif action == "dismiss":
                n = do_dismiss_flags(campaign, ids, acting_user=request.user)
                messages.success(request, _("已排除 %(n)d 条标记") % {"n": n})
            elif action == "finalise":
                ledger = do_finalise_campaign(campaign, acting_user=request.user)
                messages.success(
                    request,
                    _("最终摘要已公布：%(digest)s") % {"digest": ledger.final_digest},
                )
            elif action == "reconcile":
                report = reconcile_campaign(campaign.pk)
                text = _("账本 %(ledger)d 票；差异 %(n)d 项") % {
                    "ledger": report.ledger,
                    "n": len(report.differences),
                }
                if report.fixed:
                    text += _("（已修正）")
                messages.success(request, text)
        except VoteRefused as exc:
            messages.error(request, exc.detail)
        return redirect("voting_review", campaign_id=campaign.pk)

    seal_all(campaign.pk)
    flags = (
        VoteFlag.objects.filter(vote__campaign=campaign, reviewed_at__isnull=True)
        .select_related("vote", "vote__candidate")
        .order_by("vote__cast_at")[:500]
    )
    counts = Vote.objects.filter(campaign=campaign).aggregate(
        total=Count("id"),
        voided=Count("id", filter=Q(voided_at__isnull=False)),
    )
    return render(
        request,
        "voting/admin/review.html",
        {
            "campaign": campaign,
            "flags": flags,
            "counts": counts,
            "voids": void_summary(campaign.pk),
            "ledger": Ledger.objects.filter(campaign=campaign).first(),
            "visits": visit_totals(campaign.pk),
            "status": campaign.status(),
        },
    )
