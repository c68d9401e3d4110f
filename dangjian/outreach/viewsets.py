"""Wagtail admin of outreach (registered in wagtail_hooks): a unit's lecture
teams, lecturers, venues, events, grids and grid workers. Every viewset is
scoped to the person's units (``UnitScopedViewSetMixin``); Wagtail's own
create/edit/delete views log each change."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from dangjian.orgs.permissions import UnitScopedViewSetMixin
from dangjian.outreach.models import (
    Event,
    Grid,
    GridWorker,
    Lecturer,
    LectureTeam,
    Push,
    Rating,
    Venue,
    Visit,
)


class TeamViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = LectureTeam
    icon = "group"
    menu_label = _("宣讲团")
    copy_view_enabled = False
    list_display = ["name", "unit", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    form_fields = ["unit", "name", "description", "is_active"]


class LecturerViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Lecturer
    icon = "user"
    menu_label = _("宣讲员")
    copy_view_enabled = False
    list_display = ["__str__", "team", "title", "phone"]
    search_fields = ["name", "title"]
    form_fields = ["team", "person", "name", "phone", "title"]


class VenueViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Venue
    icon = "site"
    menu_label = _("宣讲场所")
    copy_view_enabled = False
    list_display = ["name", "kind", "district", "unit"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    form_fields = ["unit", "district", "kind", "name", "address"]


class EventViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Event
    icon = "date"
    menu_label = _("宣讲活动")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["topic", "team", "format", "venue", "starts_at", "people_reached"]
    list_filter = ["format", "is_public"]
    search_fields = ["topic", "summary"]
    edit_handler = ObjectList(
        [
            FieldPanel("team"),
            FieldPanel("topic"),
            FieldRowPanel([FieldPanel("format"), FieldPanel("venue")]),
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            FieldPanel("summary"),
            FieldPanel("is_public"),
            FieldPanel("people_reached", heading=_("活动后：受众人数")),
            FieldPanel("report"),
            InlinePanel("photos", heading=_("活动照片"), label=_("照片")),
            InlinePanel("questions", heading=_("群众提问与解答"), label=_("提问")),
        ]
    )


class GridViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = Grid
    icon = "table"
    menu_label = _("网格")
    copy_view_enabled = False
    list_display = ["name", "community", "unit", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "community"]
    form_fields = ["unit", "community", "name", "is_active"]


class GridWorkerViewSet(UnitScopedViewSetMixin, ModelViewSet):
    model = GridWorker
    icon = "user"
    menu_label = _("网格员")
    copy_view_enabled = False
    list_display = ["person", "grid", "is_active"]
    list_filter = ["is_active"]
    form_fields = ["grid", "person", "is_active"]


class ReadOnlyViewSet(UnitScopedViewSetMixin, ModelViewSet):
    """What grid workers and residents logged: listed and inspected, never
    edited here (the policy refuses add, change and delete)."""

    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields: list[str] = []


class VisitViewSet(ReadOnlyViewSet):
    model = Visit
    icon = "home"
    menu_label = _("入户走访")
    list_display = ["day", "grid", "worker", "households", "topics"]
    search_fields = ["topics", "note"]
    inspect_view_fields = ["day", "grid", "worker", "households", "topics", "note"]


class PushViewSet(ReadOnlyViewSet):
    model = Push
    icon = "link"
    menu_label = _("点对点推送")
    list_display = ["title", "grid", "worker", "channel", "created_at"]
    list_filter = ["channel", "kind"]
    search_fields = ["title"]
    inspect_view_fields = ["title", "grid", "worker", "channel", "url", "created_at"]


class RatingViewSet(ReadOnlyViewSet):
    model = Rating
    icon = "pick"
    menu_label = _("群众评价")
    list_display = ["event", "score", "comment", "created_at"]
    list_filter = ["score"]
    inspect_view_fields = ["event", "score", "comment", "created_at"]


class OutreachViewSetGroup(ViewSetGroup):
    menu_label = _("宣讲与网格")
    menu_icon = "date"
    menu_order = 550
    items = (
        EventViewSet("outreach_events", url_prefix="outreach/events"),
        TeamViewSet("outreach_teams", url_prefix="outreach/teams"),
        LecturerViewSet("outreach_lecturers", url_prefix="outreach/lecturers"),
        VenueViewSet("outreach_venues", url_prefix="outreach/venues"),
        GridViewSet("outreach_grids", url_prefix="outreach/grids"),
        GridWorkerViewSet("outreach_grid_workers", url_prefix="outreach/grid-workers"),
        VisitViewSet("outreach_visits", url_prefix="outreach/visits"),
        PushViewSet("outreach_pushes", url_prefix="outreach/pushes"),
        RatingViewSet("outreach_ratings", url_prefix="outreach/ratings"),
    )
