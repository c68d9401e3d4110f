"""The Wagtail admin for campaigns and the review of flagged votes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.log_actions import log
from wagtail.snippets.views.snippets import SnippetViewSet

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy
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


class ReviewColumn(Column):
    """Links each campaign to its review page (flags, voiding, results)."""

    cell_template_name = "voting/admin/review_cell.html"

    def get_value(self, instance):
        return reverse("voting_review", args=[instance.pk])


# Editors set campaigns up, approvers publish them, each in their own units.
campaign_policy = register_unit_policy(
    Campaign,
    unit_field="organisation",
    roles=[Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER, Role.REVIEWER],
)


class CampaignViewSet(UnitScopedViewSetMixin, SnippetViewSet):
    model = Campaign
    icon = "tick"
    menu_label = _("投票活动")
    menu_name = "voting"
    add_to_admin_menu = True
    menu_order = 320
    list_display = [
        "title",
        "organisation",
        "starts_at",
        "ends_at",
        "live",
        ReviewColumn("review", label=_("审核与结果")),
    ]
    list_filter = ["organisation"]
    search_fields = ["title"]
    copy_view_enabled = False

    def get_queryset(self, request):
        # The unit guard narrows this, and every view, to the person's units.
        return Campaign.objects.select_related("organisation")


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
                    request, f"扫描完成：新增标记 {sum(found.values())} 条"
                )
            elif action == "void":
                n = do_void_votes(
                    campaign,
                    ids,
                    reason=request.POST.get("reason", ""),
                    acting_user=request.user,
                )
                messages.success(request, f"已作废 {n} 票")
            elif action == "dismiss":
                n = do_dismiss_flags(campaign, ids, acting_user=request.user)
                messages.success(request, f"已排除 {n} 条标记")
            elif action == "finalise":
                ledger = do_finalise_campaign(campaign, acting_user=request.user)
                messages.success(request, f"最终摘要已公布：{ledger.final_digest}")
            elif action == "reconcile":
                report = reconcile_campaign(campaign.pk)
                fixed = "（已修正）" if report.fixed else ""
                messages.success(
                    request,
                    f"账本 {report.ledger} 票；差异 {len(report.differences)} 项{fixed}",
                )
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
