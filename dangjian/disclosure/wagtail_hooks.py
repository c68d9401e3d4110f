from __future__ import annotations

from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from dangjian.disclosure.models import (
    DisclosureAttachment,
    DisclosureCategory,
    DisclosureItemPage,
    ReleasePlan,
    SensitiveTerm,
)
from dangjian.disclosure.permissions import narrow_to_choosable_items
from dangjian.orgs.models import Role
from dangjian.orgs.permissions import (
    UnitScopedViewSetMixin,
    register_choice_scope,
    register_unit_policy,
)
from dangjian.orgs.scope import managed_organisations, scope_for


class CategoryViewSet(SnippetViewSet):
    model = DisclosureCategory
    icon = "tag"
    list_display = ["name", "description", "sort_order"]


class SensitiveTermViewSet(SnippetViewSet):
    model = SensitiveTerm
    icon = "warning"
    list_display = ["term", "note"]
    search_fields = ["term"]


# A unit admin keeps the plans of the units they manage; editors see them.
register_unit_policy(
    ReleasePlan, unit_field="organisation", roles=[Role.UNIT_ADMIN, Role.EDITOR]
)
# Forms and choosers offer only the items a person may see or works on.
register_choice_scope(DisclosureItemPage, narrow_to_choosable_items)


class ReleasePlanViewSet(UnitScopedViewSetMixin, SnippetViewSet):
    model = ReleasePlan
    icon = "date"
    list_display = ["title", "organisation", "frequency", "due_day", "owner"]

    def get_queryset(self, request):
        return ReleasePlan.objects.select_related("organisation", "owner")


class DisclosureViewSetGroup(SnippetViewSetGroup):
    items = (CategoryViewSet, SensitiveTermViewSet, ReleasePlanViewSet)
    menu_icon = "doc-full"
    menu_label = _("党务公开设置")
    menu_name = "disclosure-settings"


register_snippet(DisclosureViewSetGroup)


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
    from dangjian.disclosure.actions import can_withdraw

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


@hooks.register("construct_page_chooser_queryset")
def hide_other_units_items_from_choosers(pages, request):
    """Page choosers list every page's title; keep unreleased and 党内 items
    of other units out of them (the same rule as the forms' fields)."""
    return narrow_to_choosable_items(request.user, pages)


@hooks.register("before_serve_document")
def guard_disclosure_attachments(document, request):
    """Attachments of disclosure items follow the scope of the items.

    A document attached to a disclosure item is served only when a released
    item the person may see carries it, or the person works on such items
    in the item's unit (editors, reviewers, approvers) or is a superuser.
    """
    from dangjian.lib.documents import pages_using_document

    page_ids = pages_using_document(document, DisclosureAttachment, DisclosureItemPage)
    if not page_ids:
        return None
    user = request.user
    if DisclosureItemPage.objects.visible_to(user).filter(pk__in=page_ids).exists():
        return None
    if user.is_authenticated and user.is_superuser:
        return None
    if user.is_authenticated:
        roles = scope_for(user).roles
        units = set(
            DisclosureItemPage.objects.filter(pk__in=page_ids).values_list(
                "subject_unit_id", flat=True
            )
        )
        staff = {Role.EDITOR, Role.REVIEWER, Role.APPROVER, Role.UNIT_ADMIN}
        if any(org in units and role in staff for org, role in roles):
            return None
    raise Http404


def returned_to(user) -> list[dict]:
    """Items of the editor's units sent back for changes, with the reason."""
    from wagtail.models import WorkflowState

    units = [org for org, role in scope_for(user).roles if role == Role.EDITOR]
    if not units:
        return []
    ids = [
        str(pk)
        for pk in DisclosureItemPage.objects.filter(
            subject_unit_id__in=units
        ).values_list("pk", flat=True)
    ]
    rows = []
    for state in WorkflowState.objects.filter(
        status=WorkflowState.STATUS_NEEDS_CHANGES, object_id__in=ids
    ).select_related("current_task_state"):
        item = DisclosureItemPage.objects.get(pk=int(state.object_id))
        reason = state.current_task_state.comment if state.current_task_state else ""
        rows.append({"item": item, "reason": reason})
    return rows


@hooks.register("dangjian_my_page_panels")
def my_disclosure_panel(request):
    from dangjian.disclosure.calendar import late_for
    from dangjian.disclosure.views import _task_rows

    user = request.user
    scope = scope_for(user)
    internal = (
        DisclosureItemPage.objects.visible_to(user)
        .filter(scope=DisclosureItemPage.Scope.INTERNAL)
        .order_by("-first_published_at")[:5]
    )
    tasks = _task_rows(user)
    late = []
    admin_units = managed_organisations(user, [Role.UNIT_ADMIN])
    if admin_units.exists():
        late = late_for(
            ReleasePlan.objects.filter(is_active=True, organisation__in=admin_units)
        )
    returned = returned_to(user)
    if not (internal or tasks or late or returned) and not scope.member_of:
        return None
    html = render_to_string(
        "disclosure/my_panel.html",
        {"internal": internal, "tasks": tasks, "late": late, "returned": returned},
        request=request,
    )
    return {"title": "党务公开", "html": html}


# Press conferences (新闻发布会): records kept by each host unit.
from dangjian.disclosure.press import PressConferenceViewSet  # noqa: E402

register_snippet(PressConferenceViewSet)


# What the aggregators read of this app (dangjian/README.md, "Hooks").


@hooks.register("dangjian_publicity_sources")
def disclosure_publicity_sources():
    from dangjian.disclosure.plugins import publicity_sources

    return publicity_sources()


@hooks.register("dangjian_participation_figures")
def disclosure_participation_figures():
    from dangjian.disclosure.plugins import participation_figures

    return participation_figures()


@hooks.register("dangjian_viewed_kinds")
def disclosure_viewed_kinds():
    from dangjian.disclosure.plugins import viewed_kinds

    return viewed_kinds()
