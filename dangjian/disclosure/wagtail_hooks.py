"""What the disclosure column registers with Wagtail: its admin views, log
actions, menu items and buttons, the guard of its attachments, and what it
hands to the aggregators (dangjian/README.md, "Hooks")."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet

from dangjian.disclosure import dashboard, notices, plugins
from dangjian.disclosure.actions import can_withdraw
from dangjian.disclosure.models import DisclosureItemPage, PressConference, ReleasePlan
from dangjian.disclosure.permissions import narrow_to_choosable_items
from dangjian.disclosure.press import PRESS_ROLES
from dangjian.disclosure.viewsets import DisclosureViewSetGroup, PressConferenceViewSet
from dangjian.lib import plugins as lib_plugins
from dangjian.notify.kinds import KINDS_HOOK
from dangjian.orgs.models import Role
from dangjian.orgs.permissions import register_choice_scope, register_unit_policy

# A unit admin keeps the plans of the units they manage; editors see them.
register_unit_policy(
    ReleasePlan, unit_field="organisation", roles=[Role.UNIT_ADMIN, Role.EDITOR]
)
# Press conference records are kept by their host unit.
register_unit_policy(PressConference, unit_field="host_unit", roles=PRESS_ROLES)
# Forms and choosers offer only the items a person may see or works on.
register_choice_scope(DisclosureItemPage, narrow_to_choosable_items)

hooks.register(KINDS_HOOK, notices.notification_kinds)
register_snippet(DisclosureViewSetGroup)
register_snippet(PressConferenceViewSet)


@hooks.register("register_log_actions")
def register_disclosure_log_actions(actions):
    for action, label in [
        ("dangjian.disclosure.scan", _("自动保密扫描")),
        ("dangjian.disclosure.flag_decision", _("保密审查结论")),
        ("dangjian.disclosure.release", _("发布")),
        ("dangjian.disclosure.direct_publish", _("未经流程直接发布")),
        ("dangjian.disclosure.scope_change", _("公开范围变更")),
        ("dangjian.disclosure.correct", _("更正")),
        ("dangjian.disclosure.withdraw", _("撤回")),
        ("dangjian.disclosure.import", _("导入历史公开事项")),
    ]:
        actions.register_action(action, label, label)


@hooks.register("register_admin_menu_item")
def register_review_desk_menu_item():
    return MenuItem(
        _("审查审批台"),
        reverse("disclosure:review"),
        icon_name="tasks",
        order=210,
    )


@hooks.register("register_admin_menu_item")
def register_calendar_menu_item():
    return MenuItem(
        _("例行发布日历"),
        reverse("disclosure:calendar"),
        icon_name="date",
        order=211,
    )


@hooks.register("register_page_header_buttons")
def withdraw_button(page, user, view_name, next_url=None):
    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page
    if (
        isinstance(specific, DisclosureItemPage)
        and page.live
        and can_withdraw(specific, user)
    ):
        yield Button(
            _("撤回"),
            url=reverse("disclosure:withdraw", args=[page.pk]),
            icon_name="cross",
            priority=62,
        )


@hooks.register("before_serve_document")
def guard_disclosure_attachments(document, request):
    """Attachments of disclosure items follow the scope of the items
    (``plugins.guard_attachment``: a 404 for anyone outside it)."""
    plugins.guard_attachment(document, request)
    return None


# The admin's home page: what waits for the person, their flagged items and
# drafts, their units' figures (dashboard.py). After orgs' summary pruning.
hooks.register("construct_homepage_panels", dashboard.add_panels)
hooks.register(
    "construct_homepage_summary_items", dashboard.add_summary_items, order=110
)


# What the aggregators and the portal read of this app.


@hooks.register("dangjian_my_page_panels")
def my_disclosure_panel(request):
    return plugins.my_page_panel(request)


@hooks.register("dangjian_publicity_sources")
def disclosure_publicity_sources():
    return plugins.publicity_sources()


@hooks.register("dangjian_participation_figures")
def disclosure_participation_figures():
    return plugins.participation_figures()


@hooks.register("dangjian_viewed_kinds")
def disclosure_viewed_kinds():
    return plugins.viewed_kinds()


@hooks.register("dangjian_home_sections")
def disclosure_home_sections():
    return plugins.home_sections()


@hooks.register("dangjian_unit_page_sections")
def disclosure_unit_sections(organisation):
    return plugins.unit_sections(organisation)


@hooks.register(lib_plugins.DISCLOSURE)
def disclosure_interface():
    from dangjian.disclosure.interface import disclosure

    return disclosure
