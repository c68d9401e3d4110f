"""Press conferences (新闻发布会): public listing and record, and their admin.

A record names its host unit; the unit's editors, approvers and admins
(``PRESS_ROLES``) keep it in the Wagtail admin (``viewsets.PressConferenceViewSet``,
registered with its unit policy in wagtail_hooks), and only their units'
records are theirs (the shared unit policy: the guard of
``UnitScopedViewSetMixin`` also offers only their units as host and only
items they may see as related items).
Related disclosure items are shown only to people in each item's scope.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from dangjian.disclosure.models import DisclosureItemPage, PressConference
from dangjian.lib import pagecache
from dangjian.orgs.models import Organisation, Role

PRESS_ROLES = [Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER]
PAGE_SIZE = 20


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 10**9 else None


@pagecache.public_page
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
    else:
        pagecache.mark_public(response)
    response["Vary"] = "Cookie, Authorization"
    return response
