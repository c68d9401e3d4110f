"""What voting registers with Wagtail: the campaigns' admin, the review page,
its log actions, and the hooks the aggregators read (dangjian/README.md,
"Hooks"). The logic lives in viewsets.py, views_admin.py and plugins.py."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from dangjian.notify.kinds import KINDS_HOOK, REMINDERS_HOOK
from dangjian.voting import notices
from dangjian.voting.views_admin import review
from dangjian.voting.viewsets import CampaignViewSet

hooks.register(KINDS_HOOK, notices.notification_kinds)
hooks.register(REMINDERS_HOOK, notices.remind)

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
    from dangjian.voting.plugins import my_page_panel

    return my_page_panel(request)


@hooks.register("dangjian_publicity_sources")
def voting_publicity_sources():
    from dangjian.voting.plugins import publicity_sources

    return publicity_sources()


@hooks.register("dangjian_participation_figures")
def voting_participation_figures():
    from dangjian.voting.plugins import participation_figures

    return participation_figures()


@hooks.register("dangjian_home_sections")
def voting_home_sections():
    from dangjian.voting.plugins import home_sections

    return home_sections()


@hooks.register("dangjian_unit_page_sections")
def voting_unit_sections(organisation):
    from dangjian.voting.plugins import unit_sections

    return unit_sections(organisation)
