"""Hot questions and gaps: what citizens ask, and what the knowledge base misses."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.utils import timezone

from dangjian.kb import searchlog
from dangjian.kb.models import SearchLog
from dangjian.orgs.models import Organisation

logger = logging.getLogger(__name__)

ROWS = 20


@dataclass
class Row:
    query: str
    count: int
    unit: str
    extra: str = ""


def _unit_names(ids) -> dict:
    return dict(
        Organisation.objects.filter(pk__in=[i for i in ids if i]).values_list(
            "pk", "name"
        )
    )


FALLBACK_UNIT = "市12345政务服务便民热线中心（待分派）"


def _rows(qs, *, extra=None) -> list[Row]:
    grouped = list(
        qs.values("normalized")
        .annotate(n=Count("id"), unit=Max("routed_unit"), sample=Max("query"))
        .order_by("-n", "normalized")[:ROWS]
    )
    names = _unit_names([g["unit"] for g in grouped])
    return [
        Row(
            g["sample"],
            g["n"],
            names.get(g["unit"], FALLBACK_UNIT),
            extra(g) if extra else "",
        )
        for g in grouped
    ]


def build(units: list | None, now: datetime.datetime | None = None) -> dict:
    """The dashboard's tables; `units` limits it to queries routed to them."""
    now = now or timezone.now()
    try:
        searchlog.flush()  # Searches still in the Redis buffer count too.
    except Exception:
        logger.exception("search log flush failed")
    logs = SearchLog.objects.all()
    if units is not None:
        scope = Q(routed_unit__in=units)
        if any("12345" in u.name for u in units):
            # The hotline centre dispatches what no unit's entries answer.
            scope |= Q(routed_unit__isnull=True)
        logs = logs.filter(scope)
    week = now - datetime.timedelta(days=7)
    month = now - datetime.timedelta(days=30)
    fortnight = now - datetime.timedelta(days=14)

    this_week = logs.since(week)
    rising = []
    counts = list(
        logs.since(fortnight)
        .values("normalized")
        .annotate(
            now_n=Count("id", filter=Q(created_at__gte=week)),
            before_n=Count("id", filter=Q(created_at__lt=week)),
            unit=Max("routed_unit"),
            sample=Max("query"),
        )
        .filter(now_n__gte=3)
    )
    counts.sort(
        key=lambda g: (
            -(g["now_n"] - g["before_n"]) / (g["before_n"] + 1),
            g["normalized"],
        )
    )
    names = _unit_names([g["unit"] for g in counts[:ROWS]])
    for g in counts[:ROWS]:
        if g["now_n"] > g["before_n"]:
            rising.append(
                Row(
                    g["sample"],
                    g["now_n"],
                    names.get(g["unit"], FALLBACK_UNIT),
                    f"上周 {g['before_n']} 次",
                )
            )
    return {
        "week": _rows(this_week),
        "month": _rows(logs.since(month)),
        "rising": rising,
        "no_result": _rows(logs.since(month).without_results()),
        "no_click": _rows(logs.since(month).without_click()),
        "total_week": this_week.count(),
        "feedback": feedback_summary(units, month),
    }


def feedback_summary(units: list | None, since: datetime.datetime) -> dict:
    """ "这个回答有帮助吗" for the units' entries since a moment: the counts,
    and the latest comments with their entries (to improve the answers)."""
    from dangjian.kb.models import AnswerFeedback

    rows = AnswerFeedback.objects.filter(created_at__gte=since)
    if units is not None:
        rows = rows.filter(entry__owner__in=units)
    helpful = rows.filter(helpful=True).count()
    return {
        "helpful": helpful,
        "not_helpful": rows.count() - helpful,
        "comments": list(rows.exclude(comment="").select_related("entry")[:20]),
    }


def hot_entries(days: int = 7, limit: int = 8, units=None) -> list:
    """The public entries citizens and operators opened most from a search in
    the last ``days`` days: the week's hot questions, shown to anyone (the
    searches themselves, which may hold personal details, never are)."""
    from dangjian.kb.models import Entry

    since = timezone.now() - datetime.timedelta(days=days)
    clicks = SearchLog.objects.since(since).filter(clicked_entry__isnull=False)
    if units is not None:
        clicks = clicks.filter(clicked_entry__owner__in=units)
    ranked = list(
        clicks.values_list("clicked_entry")
        .annotate(n=Count("id"))
        .order_by("-n", "clicked_entry")[: limit * 3]
    )
    entries = (
        Entry.objects.searchable()
        .select_related("owner")
        .in_bulk([pk for pk, _n in ranked])
    )
    return [entries[pk] for pk, _n in ranked if pk in entries][:limit]


def landing() -> dict:
    """What the knowledge base's landing page shows: the week's hot
    questions, the categories and the units that answer, with counts."""
    from dangjian.kb.models import Entry

    live = Entry.objects.searchable()
    categories = list(
        live.exclude(category="")
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by("-n", "category")[:12]
    )
    units = list(
        live.values_list("owner_id", "owner__name")
        .annotate(n=Count("id"))
        .order_by("-n", "owner__name")[:16]
    )
    return {
        "hot": hot_entries(limit=10),
        "categories": categories,
        "unit_counts": units,
    }
