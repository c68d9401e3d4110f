"""The Wagtail admin's viewset for campaigns, scoped to the person's units.

Registered in ``wagtail_hooks.py``; the review page of a campaign (flags,
voiding, results) is a view in ``views_admin.py``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from dangjian.orgs.models import Role
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy
from dangjian.voting.models import Campaign


class ReviewColumn(Column):
    """Links each campaign to its review page (flags, voiding, results)."""

    cell_template_name = "voting/admin/review_cell.html"

    def get_value(self, instance):
        return reverse("voting_review", args=[instance.pk])


# Editors set campaigns up, approvers publish them, each in their own units.
# Registered before the viewset, which looks it up.
campaign_policy = register_unit_policy(
    Campaign,
    unit_field="organisation",
    roles=[Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER, Role.REVIEWER],
)


class CampaignViewSet(UnitScopedViewSetMixin, SnippetViewSet):
    model = Campaign
    icon = "check"  # Wagtail 8 has no "tick" icon (the menu showed none)
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
