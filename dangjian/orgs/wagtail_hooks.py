from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from dangjian.orgs.views_admin import OrgsViewSetGroup
from dangjian.orgs.views_axes import register_lockout_urls  # noqa: F401 (its hooks)


@hooks.register("register_admin_viewset")
def register_orgs_viewsets():
    return OrgsViewSetGroup()


@hooks.register("register_log_actions")
def register_orgs_log_actions(actions):
    actions.register_action("dangjian.role.grant", _("授予角色"), _("授予角色"))
    actions.register_action("dangjian.role.revoke", _("撤销角色"), _("撤销角色"))
