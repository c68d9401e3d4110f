"""What organisation life hands to the aggregators, the portal, notify, the
study assessment and ``lib.workdays`` (registered in wagtail_hooks)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from dangjian.lib import plugins
from dangjian.orglife import dues
from dangjian.orglife.models import (
    RATING_SCORES,
    Attendance,
    BranchRating,
    DuesDeclaration,
    EvaluationCampaign,
    HolidayOverride,
    Meeting,
)
from dangjian.orglife.permissions import managed_branches
from dangjian.orgs.models import Membership


def _by(qs, field: str) -> dict[int, int]:
    return {pk: n for pk, n in qs.values_list(field).annotate(n=Count("pk")).order_by()}


def count_for_dashboards(window: plugins.Window) -> dict[str, dict[int, int]]:
    held = Meeting.objects.filter(
        held_on__gte=window.first_day, held_on__lte=window.last_day, cancelled=False
    )
    present = Attendance.objects.filter(
        meeting__held_on__gte=window.first_day,
        meeting__held_on__lte=window.last_day,
        status=Attendance.Status.PRESENT,
    )
    return {
        "orglife_meetings": _by(held, "branch_id"),
        "orglife_attended": _by(present, "person_id"),
    }


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(plugins.Metric("orglife_meetings", "三会一课召开次数", 220),),
            per="organisation",
            count=lambda w: {
                "orglife_meetings": count_for_dashboards(w)["orglife_meetings"]
            },
        ),
        plugins.ParticipationFigures(
            metrics=(plugins.Metric("orglife_attended", "参加三会一课人次", 221),),
            per="person",
            count=lambda w: {
                "orglife_attended": count_for_dashboards(w)["orglife_attended"]
            },
        ),
    ]


def my_page_panel(request: HttpRequest) -> dict[str, str] | None:
    """A member's coming meetings and dues owed; a secretary's branches."""
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    lines = []
    branch_ids = list(
        Membership.objects.active()
        .filter(person_id=user.pk)
        .values_list("organisation_id", flat=True)
    )
    coming = Meeting.objects.filter(
        branch_id__in=branch_ids,
        held_on__isnull=True,
        cancelled=False,
        planned_on__gte=today,
    ).order_by("planned_on")[:3]
    for m in coming:
        lines.append(
            format_html(
                "{} {}：{}", f"{m.planned_on:%m-%d}", m.get_kind_display(), m.topic
            )
        )
    for a in dues.arrears(DuesDeclaration.objects.filter(person_id=user.pk), today):
        lines.append(
            format_html(
                _("党费欠缴 {} 个月，共 {} 元"), len(a.months), dues.money(a.owed)
            )
        )
    links = [(reverse("orglife:mine"), _("我的组织生活"))]
    if managed_branches(user).exists():
        links.append((reverse("orglife:index"), _("支部三会一课")))
    if not lines and len(links) == 1 and not branch_ids:
        return None
    return {
        "title": _("组织生活"),
        "html": format_html(
            "{}<p>{}</p>",
            format_html_join("", "<p>{}</p>", ((line,) for line in lines)),
            format_html_join(" · ", '<a href="{}">{}</a>', links),
        ),
    }


def workday_overrides() -> dict[dt.date, bool]:
    return dict(HolidayOverride.objects.values_list("day", "is_workday"))


class EvaluationResults:
    """The 民主评议 ratings of finished campaigns, as assessment scores."""

    def scores(self, year: int) -> dict[int, float]:
        rows = BranchRating.objects.filter(
            campaign__year=year, campaign__status=EvaluationCampaign.Status.FINISHED
        ).values_list("person_id", "rating")
        return {pk: RATING_SCORES[rating] for pk, rating in rows}


evaluation_results = EvaluationResults()
