"""Press conferences (新闻发布会): public listing and record, and their admin.

A record names its host unit; the unit's editors, approvers and admins keep
it in the Wagtail admin (snippets), and only their units' records are theirs.
Related disclosure items are shown only to people in each item's scope.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from dangjian.disclosure.models import DisclosureItemPage, PressConference
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.permissions import UnitPermissionPolicy
from dangjian.orgs.scope import managed_organisations

PRESS_ROLES = [Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER]
PAGE_SIZE = 20


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 10**9 else None


def press_list(request):
    unit = _int(request.GET.get("unit"))
    qs = PressConference.objects.published().select_related("host_unit")
    if unit:
        qs = qs.for_unit(unit).distinct()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    units = Organisation.objects.filter(
        pk__in=PressConference.objects.published().values("host_unit_id")
    ).order_by("path")
    return render(
        request,
        "disclosure/press_list.html",
        {"page_obj": page, "units": units, "unit": unit},
    )


def press_detail(request, pk: int):
    conference = (
        PressConference.objects.published()
        .select_related("host_unit", "cover")
        .filter(pk=pk)
        .first()
    )
    if conference is None:
        raise Http404
    related = (
        DisclosureItemPage.objects.visible_to(request.user)
        .filter(pk__in=conference.related_items.values("pk"))
        .select_related("subject_unit")
        .order_by("-first_published_at")
    )
    response = render(
        request,
        "disclosure/press_detail.html",
        {
            "conference": conference,
            "speakers": conference.speaker_list(),
            "units": conference.units.order_by("path"),
            "related": related,
            "share_title": conference.title,
            "share_description": conference.summary,
        },
    )
    if request.user.is_authenticated:
        # The related list depends on the person's scope.
        response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Cookie, Authorization"
    return response


# --- Admin --------------------------------------------------------------------

press_policy = UnitPermissionPolicy(
    PressConference, unit_field="host_unit", roles=PRESS_ROLES
)


class PressConferenceForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if user is not None and not user.is_superuser and "host_unit" in self.fields:
            self.fields["host_unit"].queryset = managed_organisations(user, PRESS_ROLES)


class OwnUnitOnly:
    """Refuses another unit's record even when its URL is typed by hand."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not press_policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "delete", "publish"], obj
        ):
            raise PermissionDenied
        return obj


def _own_unit(view_class):
    return type(f"PressOwnUnit{view_class.__name__}", (OwnUnitOnly, view_class), {})


class PressConferenceViewSet(SnippetViewSet):
    model = PressConference
    icon = "media"
    menu_label = _("新闻发布会")
    menu_name = "press-conferences"
    add_to_admin_menu = True
    menu_order = 310
    base_form_class = PressConferenceForm
    list_display = ["title", "held_at", "host_unit", "live"]
    list_filter = ["host_unit", "live"]
    search_fields = ["title"]
    edit_view_class = _own_unit(snippet_views.EditView)
    delete_view_class = _own_unit(snippet_views.DeleteView)
    copy_view_class = _own_unit(snippet_views.CopyView)
    history_view_class = _own_unit(snippet_views.HistoryView)
    unpublish_view_class = _own_unit(snippet_views.UnpublishView)
    revisions_view_class = _own_unit(snippet_views.PreviewRevisionView)
    revisions_compare_view_class = _own_unit(snippet_views.RevisionsCompareView)

    def get_queryset(self, request):
        return press_policy.instances_user_has_any_permission_for(
            request.user, ["change", "delete", "publish"]
        ).select_related("host_unit")
