"""The admin's views of the column's settings and press conferences
(registered in wagtail_hooks)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from dangjian.disclosure.models import (
    DisclosureCategory,
    PressConference,
    ReleasePlan,
    SensitiveTerm,
)
from dangjian.orgs.permissions import UnitScopedViewSetMixin


class CategoryViewSet(SnippetViewSet):
    model = DisclosureCategory
    icon = "tag"
    list_display = ["name", "description", "sort_order"]


class SensitiveTermViewSet(SnippetViewSet):
    model = SensitiveTerm
    icon = "warning"
    list_display = ["term", "note"]
    search_fields = ["term"]


class ReleasePlanViewSet(UnitScopedViewSetMixin, SnippetViewSet):
    model = ReleasePlan
    icon = "date"
    list_display = ["title", "organisation", "frequency", "due_day", "owner"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReleasePlan]:
        return ReleasePlan.objects.select_related("organisation", "owner")


class DisclosureViewSetGroup(SnippetViewSetGroup):
    items = (CategoryViewSet, SensitiveTermViewSet, ReleasePlanViewSet)
    menu_icon = "doc-full"
    menu_label = _("党务公开设置")
    menu_name = "disclosure-settings"


class PressConferenceViewSet(UnitScopedViewSetMixin, SnippetViewSet):
    """Press conference records (新闻发布会), kept by each host unit."""

    model = PressConference
    icon = "media"
    menu_label = _("新闻发布会")
    menu_name = "press-conferences"
    add_to_admin_menu = True
    menu_order = 310
    list_display = ["title", "held_at", "host_unit", "live"]
    list_filter = ["host_unit", "live"]
    search_fields = ["title"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PressConference]:
        # The unit guard narrows this to the person's own units.
        return PressConference.objects.select_related("host_unit")
