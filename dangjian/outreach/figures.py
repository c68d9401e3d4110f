"""Outreach figures: for the dashboards (through ``dangjian_participation_figures``)
and for the unit's own report, its API and its Excel export.

Every report function takes querysets the caller already scoped to the
person (``orgs.permissions.scoped_queryset``), so a district admin's report,
API answer and spreadsheet hold only their own teams, venues and grids.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Avg, Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dangjian.lib import plugins
from dangjian.orgs.models import Organisation
from dangjian.outreach.actions import content_type_of_kind
from dangjian.outreach.models import Event, Grid, GridViews, Push, Rating, Visit

# Dashboards -------------------------------------------------------------------------


def _by(qs: QuerySet, field: str, value: Any = None) -> dict[int, int]:
    rows = qs.values_list(field).annotate(n=value if value is not None else Count("pk"))
    return {pk: int(n or 0) for pk, n in rows if pk is not None}


def count_for_dashboards(window: plugins.Window) -> dict[str, dict[int, int]]:
    events = Event.objects.filter(starts_at__gte=window.start, starts_at__lt=window.end)
    ratings = Rating.objects.filter(
        created_at__gte=window.start, created_at__lt=window.end
    )
    pushes = Push.objects.filter(
        created_at__gte=window.start, created_at__lt=window.end
    )
    visits = Visit.objects.filter(day__gte=window.first_day, day__lte=window.last_day)
    views = GridViews.objects.filter(
        day__gte=window.first_day, day__lte=window.last_day
    )
    return {
        "outreach_events": _by(events, "team__unit_id"),
        "outreach_reached": _by(events, "team__unit_id", Sum("people_reached")),
        "outreach_ratings": _by(ratings, "event__team__unit_id"),
        "outreach_pushes": _by(pushes, "grid__unit_id"),
        "outreach_push_views": _by(views, "grid__unit_id", Sum("views")),
        "outreach_visits": _by(visits, "grid__unit_id"),
        "outreach_households": _by(visits, "grid__unit_id", Sum("households")),
    }


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(
                plugins.Metric("outreach_events", "宣讲活动", 200),
                plugins.Metric("outreach_reached", "宣讲受众人数", 201),
                plugins.Metric("outreach_ratings", "宣讲评价", 202),
                plugins.Metric("outreach_pushes", "网格员推送", 210),
                plugins.Metric("outreach_push_views", "推送带来的浏览", 211),
                plugins.Metric("outreach_visits", "入户走访", 212),
                plugins.Metric("outreach_households", "走访户数", 213),
            ),
            per="organisation",
            count=count_for_dashboards,
        )
    ]


# Districts --------------------------------------------------------------------------


class Districts:
    """The district (区) above any organisation, by path."""

    def __init__(self) -> None:
        self.by_path = dict(
            Organisation.objects.filter(kind=Organisation.Kind.DISTRICT).values_list(
                "path", "name"
            )
        )
        self.steplen = Organisation.steplen

    def of_path(self, path: str) -> str:
        for end in range(len(path), 0, -self.steplen):
            name = self.by_path.get(path[:end])
            if name:
                return name
        return "—"


# The unit's report ------------------------------------------------------------------


def parse_month(raw: str | None) -> dt.date:
    """The first day of the month ``YYYY-MM`` (default: this month);
    ValueError with a Chinese message for anything else."""
    if not raw:
        return timezone.localdate().replace(day=1)
    try:
        year, month = raw.split("-")
        day = dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(
            f"月份格式不对：{raw[:20]}（应为 YYYY-MM，如 2026-11）"
        ) from None
    if not 2000 <= day.year <= 2100:
        raise ValueError("月份超出范围（2000 至 2100 年）")
    return day


def month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def events_by_district_month(events: QuerySet[Event]) -> list[dict[str, Any]]:
    """Events held, people reached and ratings, per district and month."""
    districts = Districts()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    found = (
        events.annotate(month=TruncMonth("starts_at"))
        .values("month", "venue__district__path")
        .annotate(events=Count("pk"), reached=Sum("people_reached"))
    )
    for row in found:
        district = districts.of_path(row["venue__district__path"])
        month = row["month"].strftime("%Y-%m")
        entry = rows.setdefault(
            (district, month),
            {
                "district": district,
                "month": month,
                "events": 0,
                "reached": 0,
                "ratings": 0,
                "score": None,
            },
        )
        entry["events"] += row["events"]
        entry["reached"] += row["reached"] or 0
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    rated = (
        Rating.objects.filter(event__in=events)
        .annotate(month=TruncMonth("event__starts_at"))
        .values("month", "event__venue__district__path")
        .annotate(n=Count("pk"), avg=Avg("score"))
    )
    for row in rated:
        key = (
            districts.of_path(row["event__venue__district__path"]),
            row["month"].strftime("%Y-%m"),
        )
        if key in rows:
            rows[key]["ratings"] += row["n"]
            scores[key] += [float(row["avg"])] * row["n"]
    for key, values in scores.items():
        rows[key]["score"] = round(sum(values) / len(values), 2)
    return sorted(
        rows.values(), key=lambda r: (r["month"], r["district"]), reverse=True
    )


def grid_rows(
    grids: QuerySet[Grid], first: dt.date, last: dt.date
) -> list[dict[str, Any]]:
    """Per grid (with its community and district): pushes, the views they
    brought, visits and households in the period."""
    districts = Districts()
    ids = list(grids.values_list("pk", flat=True))
    pushes = _by(
        Push.objects.filter(
            grid_id__in=ids, created_at__date__gte=first, created_at__date__lte=last
        ),
        "grid_id",
    )
    views = _by(
        GridViews.objects.filter(grid_id__in=ids, day__gte=first, day__lte=last),
        "grid_id",
        Sum("views"),
    )
    visits = Visit.objects.filter(grid_id__in=ids, day__gte=first, day__lte=last)
    visit_counts = _by(visits, "grid_id")
    households = _by(visits, "grid_id", Sum("households"))
    rows = []
    for grid in grids.select_related("unit"):
        rows.append(
            {
                "district": districts.of_path(grid.unit.path),
                "unit": grid.unit.name,
                "community": grid.community,
                "grid": grid.name,
                "pushes": pushes.get(grid.pk, 0),
                "views": views.get(grid.pk, 0),
                "visits": visit_counts.get(grid.pk, 0),
                "households": households.get(grid.pk, 0),
            }
        )
    return rows


def roll_up(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Grid rows summed by community or district."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        label = row[key] if key == "district" else f"{row['unit']}·{row['community']}"
        entry = totals.setdefault(
            label,
            {key: label, "pushes": 0, "views": 0, "visits": 0, "households": 0},
        )
        for field in ("pushes", "views", "visits", "households"):
            entry[field] += row[field]
    return sorted(totals.values(), key=lambda r: (-r["pushes"], r[key]))


def top_items(
    grids: QuerySet[Grid], first: dt.date, last: dt.date, limit: int = 10
) -> list[dict[str, Any]]:
    """The most pushed items of the period, with the views grid links brought.
    Only public items are ever pushed, so their titles may be shown."""
    ids = list(grids.values_list("pk", flat=True))
    rows = list(
        Push.objects.filter(
            grid_id__in=ids, created_at__date__gte=first, created_at__date__lte=last
        )
        .values("kind", "object_id")
        .annotate(pushes=Count("pk"))
        .order_by("-pushes", "object_id")[:limit]
    )
    titles = {
        (p["kind"], p["object_id"]): p["title"]
        for p in Push.objects.filter(
            grid_id__in=ids, object_id__in=[r["object_id"] for r in rows]
        ).values("kind", "object_id", "title")
    }
    for row in rows:
        row["title"] = titles.get((row["kind"], row["object_id"]), "")
        type_id = content_type_of_kind(row["kind"])
        if type_id is None:
            row["views"] = 0
            continue
        row["views"] = (
            GridViews.objects.filter(
                grid_id__in=ids,
                content_type_id=type_id,
                object_id=row["object_id"],
                day__gte=first,
                day__lte=last,
            ).aggregate(n=Sum("views"))["n"]
            or 0
        )
    return rows


TABLES = {
    "events": (
        "宣讲活动（按区、月）",
        [
            ("district", "区"),
            ("month", "月份"),
            ("events", "活动场次"),
            ("reached", "受众人数"),
            ("ratings", "评价数"),
            ("score", "平均评分"),
        ],
    ),
    "grids": (
        "网格推送与走访",
        [
            ("district", "区"),
            ("unit", "街道/镇"),
            ("community", "社区/村"),
            ("grid", "网格"),
            ("pushes", "推送次数"),
            ("views", "带来的浏览"),
            ("visits", "走访次数"),
            ("households", "走访户数"),
        ],
    ),
    "communities": (
        "按社区汇总",
        [
            ("community", "社区/村"),
            ("pushes", "推送次数"),
            ("views", "带来的浏览"),
            ("visits", "走访次数"),
            ("households", "走访户数"),
        ],
    ),
    "districts": (
        "按区汇总",
        [
            ("district", "区"),
            ("pushes", "推送次数"),
            ("views", "带来的浏览"),
            ("visits", "走访次数"),
            ("households", "走访户数"),
        ],
    ),
    "top": (
        "推送最多的内容",
        [
            ("title", "标题"),
            ("kind", "类型"),
            ("pushes", "推送次数"),
            ("views", "带来的浏览"),
        ],
    ),
}


def report(
    events: QuerySet[Event], grids: QuerySet[Grid], month: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """Every table of the report for these (already scoped) rows."""
    last = month_end(month)
    rows = grid_rows(grids, month, last)
    return {
        "events": events_by_district_month(events),
        "grids": rows,
        "communities": roll_up(rows, "community"),
        "districts": roll_up(rows, "district"),
        "top": top_items(grids, month, last),
    }
