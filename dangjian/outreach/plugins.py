"""What outreach hands to stats and the portal (through the hooks registered
in wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dangjian.lib import plugins
from dangjian.outreach.models import Event, GridWorker
from dangjian.outreach.permissions import can_see_figures


def _events_owned_by(organisations: object) -> list[int]:
    return list(
        Event.objects.filter(team__unit__in=organisations).values_list("pk", flat=True)
    )


def _visible_events(person: object, ids: list[int]) -> set[int]:
    return set(Event.objects.public().filter(pk__in=ids).values_list("pk", flat=True))


def viewed_kinds() -> list[plugins.ViewedKind]:
    return [
        plugins.ViewedKind(
            model=Event,
            owned_by=_events_owned_by,
            visible_ids=_visible_events,
            hidden_label="未公开的宣讲活动 %(n)d 项",
        )
    ]


def my_page_panel(request: HttpRequest) -> dict[str, str] | None:
    """Grid workers' phone page; unit admins' outreach figures."""
    user = request.user
    links = []
    if GridWorker.objects.of(user).exists():
        links.append(
            format_html(
                '<a href="{}">{}</a>', reverse("outreach:grid"), _("网格员：推送与走访")
            )
        )
    if can_see_figures(user):
        links.append(
            format_html(
                '<a href="{}">{}</a>', reverse("outreach:figures"), _("宣讲与网格统计")
            )
        )
    if not links:
        return None
    return {
        "title": _("宣讲与网格"),
        "html": format_html(
            "<p>{}</p>", format_html(" · ".join(["{}"] * len(links)), *links)
        ),
    }
