"""What the knowledge base registers with Wagtail: the entry policy and
viewset, admin URLs and menu items, log actions, and the hooks the
aggregators and the portal read (dangjian/README.md, "Hooks")."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogActionRegistry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from dangjian.kb import admin_views
from dangjian.kb.models import Entry, LearnedAnswer
from dangjian.kb.permissions import EntryPermissionPolicy
from dangjian.kb.viewsets import EntryViewSet
from dangjian.lib import plugins
from dangjian.orgs.permissions import register_unit_policy

# The policy first: the viewset's unit guard reads it.
register_unit_policy(Entry, EntryPermissionPolicy(Entry))
register_snippet(EntryViewSet)


@hooks.register("register_admin_urls")
def register_kb_admin_urls() -> list[URLPattern]:
    return [
        path("kb/import/", admin_views.import_entries, name="kb_import"),
        path("kb/export.<str:fmt>", admin_views.export_entries, name="kb_export"),
    ]


@hooks.register("register_admin_menu_item")
def register_kb_import_menu_item() -> MenuItem:
    return MenuItem(
        _("知识库导入"),
        reverse("kb_import"),
        icon_name="upload",
        order=251,
        # Shown to whoever may add entries; the view checks the units again.
    )


@hooks.register("register_log_actions")
def register_kb_log_actions(actions: LogActionRegistry) -> None:
    actions.register_action("dangjian.kb.import", _("导入知识条目"), _("导入知识条目"))


@hooks.register(plugins.KNOWLEDGE_BASE)
def kb_interface():
    from dangjian.kb.interface import knowledge_base

    return knowledge_base


@hooks.register("dangjian_my_page_panels")
def kb_my_page_panel(request: HttpRequest) -> dict[str, str] | None:
    from dangjian.kb.plugins import my_page_panel

    return my_page_panel(request)


# What the aggregators read of this app (dangjian/README.md, "Hooks").


@hooks.register("dangjian_publicity_sources")
def kb_publicity_sources() -> list[plugins.PublicitySource]:
    from dangjian.kb.plugins import publicity_sources

    return publicity_sources()


@hooks.register("dangjian_participation_figures")
def kb_participation_figures() -> list[plugins.ParticipationFigures]:
    from dangjian.kb.plugins import participation_figures

    return participation_figures()


@hooks.register("dangjian_viewed_kinds")
def kb_viewed_kinds() -> list[plugins.ViewedKind]:
    from dangjian.kb.plugins import viewed_kinds

    return viewed_kinds()


@hooks.register("dangjian_home_sections")
def kb_home_sections() -> list[plugins.PortalSection]:
    from dangjian.kb.plugins import home_sections

    return home_sections()


@hooks.register("dangjian_unit_page_sections")
def kb_unit_sections(organisation: object) -> list[plugins.PortalSection]:
    from dangjian.kb.plugins import unit_sections

    return unit_sections(organisation)


class LearnedAnswerViewSet(SnippetViewSet):  # type: ignore[misc]  # wagtail ships no types
    """Questions learned from the search log (``manage.py kb_learn``): an admin
    confirms or rejects each. City-wide like the synonym table: superusers
    only (no role has these permissions)."""

    model = LearnedAnswer
    icon = "help"
    menu_label = _("学习到的问法")
    menu_name = "kb-learned-answers"
    add_to_settings_menu = True
    list_display = ["query", "entry", "searches", "review", "updated_at"]
    list_filter = ["review"]
    search_fields = ["query"]


register_snippet(LearnedAnswerViewSet)
