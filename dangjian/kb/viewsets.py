"""The admin's views of knowledge entries (registered in wagtail_hooks)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.views.snippets import SnippetViewSet

from dangjian.kb.forms import EntryForm
from dangjian.kb.models import Entry
from dangjian.orgs.permissions import UnitScopedViewSetMixin


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entry]:
        # The unit guard narrows this to the person's own units.
        return Entry.objects.select_related("owner")
