from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from dangjian.voting.views_admin import CampaignViewSet, review

register_snippet(CampaignViewSet)


@hooks.register("register_admin_urls")
def register_voting_admin_urls():
    return [path("voting/<int:campaign_id>/review/", review, name="voting_review")]


@hooks.register("register_log_actions")
def register_voting_log_actions(actions):
    for action, label in [
        ("dangjian.voting.void", _("作废投票")),
        ("dangjian.voting.dismiss", _("排除可疑标记")),
        ("dangjian.voting.finalise", _("公布最终结果")),
        ("dangjian.voting.scan", _("扫描可疑投票")),
    ]:
        actions.register_action(action, label, label)


@hooks.register("dangjian_my_page_panels")
def voting_my_page_panel(request):
    """Open campaigns the person may vote in, with what they have left today."""
    from dangjian.orgs.scope import scope_for
    from dangjian.voting.actions import voter_remaining
    from dangjian.voting.identity import voter_from_request
    from dangjian.voting.models import Campaign

    scope = scope_for(request.user)
    voter = voter_from_request(request)
    rows = []
    for campaign in Campaign.objects.open_at().prefetch_related(
        "eligible_organisations"
    ):
        eligible = campaign.open_to_public or scope.reaches(
            [o.pk for o in campaign.eligible_organisations.all()], True
        )
        if eligible:
            rows.append((campaign, voter_remaining(campaign, voter)))
    if not rows:
        return None
    html = render_to_string("voting/my_panel.html", {"rows": rows}, request=request)
    return {"title": "投票", "html": html}


# What the aggregators read of this app (dangjian/README.md, "Hooks").


@hooks.register("dangjian_publicity_sources")
def voting_publicity_sources():
    from dangjian.voting.plugins import publicity_sources

    return publicity_sources()


@hooks.register("dangjian_participation_figures")
def voting_participation_figures():
    from dangjian.voting.plugins import participation_figures

    return participation_figures()
