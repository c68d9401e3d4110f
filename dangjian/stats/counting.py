"""Storing view counts: the writer of ``dangjian.lib.counting``.

Counting itself (``count_view``, its write-behind buffer, flushing) lives
in the foundation so that any app can count a view without importing
stats; its names are re-exported here for existing callers. This module adds
batches of counts to ``DailyViews`` and ``DailyVisitor``; ``StatsConfig.ready``
sets ``apply_counts`` as the writer.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from dangjian.lib.counting import (  # noqa: F401  (re-exported)
    KEEP_VISITOR_DAYS,
    channel_of,
    count_view,
    counting_enabled,
    flush_views,
    hit_key,
    isinstance_redis,
    parse_key,
    pending_views,
    reset_pending,
    visitor_hash,
)
from dangjian.stats.models import DailyViews, DailyVisitor


def apply_counts(counts: dict[str, int], *, seen: dict[str, set[str]]) -> None:
    """Adds a batch of view counts to DailyViews in one transaction.

    ``seen`` maps a key to the visitor hashes of the batch; they are merged
    into DailyVisitor, whose rows give each day's exact unique visitors.
    """
    parsed = {key: parse_key(key) for key in counts}
    with transaction.atomic():
        DailyViews.objects.bulk_create(
            [
                DailyViews(content_type_id=ct, object_id=obj, day=day, channel=ch)
                for ct, obj, day, ch in parsed.values()
            ],
            ignore_conflicts=True,
        )
        DailyVisitor.objects.bulk_create(
            [
                DailyVisitor(
                    content_type_id=ct, object_id=obj, day=day, channel=ch, visitor=v
                )
                for key, (ct, obj, day, ch) in parsed.items()
                for v in seen.get(key, ())
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        days = {day for _ct, _obj, day, _ch in parsed.values()}
        types = {ct for ct, _obj, _day, _ch in parsed.values()}
        objects = {obj for _ct, obj, _day, _ch in parsed.values()}
        unique = {
            (r["content_type_id"], r["object_id"], r["day"], r["channel"]): r["n"]
            for r in DailyVisitor.objects.filter(
                content_type_id__in=types, object_id__in=objects, day__in=days
            )
            .values("content_type_id", "object_id", "day", "channel")
            .annotate(n=Count("id"))
        }
        for key, n in counts.items():
            ct, obj, day, ch = parsed[key]
            DailyViews.objects.filter(
                content_type_id=ct, object_id=obj, day=day, channel=ch
            ).update(views=F("views") + n, visitors=unique.get(parsed[key], 0))
        old = timezone.localdate() - dt.timedelta(days=KEEP_VISITOR_DAYS)
        DailyVisitor.objects.filter(day__lt=old).delete()
