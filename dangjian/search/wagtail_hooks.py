from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from dangjian.search.models import Synonym


class SynonymViewSet(SnippetViewSet):  # type: ignore[misc]  # wagtail ships no types
    """Platform admins edit the synonym table (superusers only: no role has it).

    Synonyms are city-wide: one table for every unit's search. Pairs learned
    from use are listed as 待确认 with their counts and examples; an admin
    sets 审核 to 已确认 (or 已驳回) on the row.
    """

    model = Synonym
    icon = "resubmit"
    menu_label = _("检索同义词")
    menu_name = "search-synonyms"
    add_to_settings_menu = True
    list_display = ["terms", "review", "origin", "searches", "enabled", "updated_at"]
    list_filter = ["review", "origin", "enabled"]
    search_fields = ["terms"]


register_snippet(SynonymViewSet)
