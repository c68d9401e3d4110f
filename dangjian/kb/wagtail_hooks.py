from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from dangjian.kb import admin_views
from dangjian.kb.forms import EntryForm
from dangjian.kb.models import Entry
from dangjian.kb.permissions import EntryPermissionPolicy
from dangjian.orgs.permissions import UnitScopedViewSetMixin, register_unit_policy

entry_policy = register_unit_policy(Entry, EntryPermissionPolicy(Entry))


class EntryViewSet(UnitScopedViewSetMixin, SnippetViewSet):
    model = Entry
    icon = "help"
    menu_label = _("12345 知识库")
    menu_name = "kb-entries"
    add_to_admin_menu = True
    menu_order = 250
    base_form_class = EntryForm
    list_display = ["matter", "owner", "valid_until", "live", "updated_at"]
    list_filter = ["owner", "live", "category"]
    search_fields = ["matter", "question"]
    panels = [
        FieldPanel("matter"),
        FieldPanel("question"),
        FieldPanel("answer"),
        MultiFieldPanel(
            [FieldPanel("policy_basis"), FieldPanel("policy_links")],
            heading=_("政策依据"),
        ),
        FieldRowPanel([FieldPanel("handling_unit"), FieldPanel("contact")]),
        FieldRowPanel([FieldPanel("area"), FieldPanel("category")]),
        FieldPanel("keywords"),
        FieldRowPanel(
            [FieldPanel("valid_from"), FieldPanel("valid_until")], heading=_("有效期")
        ),
        FieldPanel("owner"),
        FieldPanel("external_id"),
    ]

    def get_queryset(self, request):
        # The unit guard narrows this to the person's own units.
        return Entry.objects.select_related("owner")


register_snippet(EntryViewSet)


@hooks.register("register_admin_urls")
def register_kb_admin_urls():
    return [
        path("kb/import/", admin_views.import_entries, name="kb_import"),
        path("kb/export.<str:fmt>", admin_views.export_entries, name="kb_export"),
    ]


@hooks.register("register_admin_menu_item")
def register_kb_import_menu_item():
    return MenuItem(
        _("知识库导入"),
        reverse("kb_import"),
        icon_name="upload",
        order=251,
        # Shown to whoever may add entries; the view checks the units again.
    )


@hooks.register("register_log_actions")
def register_kb_log_actions(actions):
    actions.register_action("dangjian.kb.import", _("导入知识条目"), _("导入知识条目"))


@hooks.register("dangjian_my_page_panels")
def kb_my_page_panel(request):
    from django.utils.html import format_html

    from dangjian.kb.actions import editable_units
    from dangjian.orgs.models import Role
    from dangjian.orgs.scope import managed_organisations

    user = request.user
    if not user.is_authenticated:
        return None
    units = editable_units(user)
    if not units.exists():
        return None
    soon = Entry.objects.owned_by(units).filter(live=True).expiring_within().count()
    links = [format_html('<a href="{}">话务员工作台</a>', reverse("kb:console"))]
    links.append(
        format_html('<a href="{}">{} 条即将到期</a>', reverse("kb:expiring"), soon)
    )
    if user.is_superuser or managed_organisations(user, [Role.UNIT_ADMIN]).exists():
        links.append(format_html('<a href="{}">热点问题与缺口</a>', reverse("kb:hot")))
    return {
        "title": "12345 知识库",
        "html": format_html(
            "<p>{}</p>", format_html(" · ".join(["{}"] * len(links)), *links)
        ),
    }


# What the aggregators read of this app (dangjian/README.md, "Hooks").


@hooks.register("dangjian_publicity_sources")
def kb_publicity_sources():
    from dangjian.kb.plugins import publicity_sources

    return publicity_sources()


@hooks.register("dangjian_participation_figures")
def kb_participation_figures():
    from dangjian.kb.plugins import participation_figures

    return participation_figures()


@hooks.register("dangjian_viewed_kinds")
def kb_viewed_kinds():
    from dangjian.kb.plugins import viewed_kinds

    return viewed_kinds()
