"""Visits: page views and unique visitors of campaign and candidate pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangjian.lib.writebehind import WriteBehind
from dangjian.voting import store
from dangjian.voting.identity import keyed_hash
from dangjian.voting.models import Campaign, VisitDay, Visitor, campaign_day


def count_visit(campaign_id: int, candidate_id: int, visitor: str, now=None) -> None:
    """Counts a page view and, once a day per visitor, a unique visitor."""
    now = now or timezone.now()
    day = campaign_day(now)
    visitor_hash = keyed_hash("visitor", visitor, 16)
    client = store.redis_client()
    if client is not None:
        base = f"{store.PREFIX}{{{campaign_id}}}:visit:{candidate_id}:{day.isoformat()}"
        pipe = client.pipeline(transaction=False)
        pipe.incr(base + ":views")
        pipe.pfadd(base + ":uv", visitor_hash)
        pipe.expire(base + ":views", 3 * 86400)
        pipe.expire(base + ":uv", 3 * 86400)
        pipe.sadd(f"{store.PREFIX}visit-days", f"{campaign_id}:{candidate_id}:{day}")
        pipe.execute()
        return
    # Without Redis: an append in the request, written in batches by the
    # write-behind flusher (a stored campaign page costs no database write).
    visits.push([campaign_id, candidate_id, day.isoformat(), visitor_hash])


def _write_visits(rows: list) -> None:
    """Adds a batch of ``[campaign, candidate, day, visitor]`` rows: views
    counted, each visitor once a day per page."""
    groups: dict[tuple[int, int, str], list[str]] = defaultdict(list)
    for campaign_id, candidate_id, day, visitor_hash in rows:
        groups[(campaign_id, candidate_id, day)].append(visitor_hash)
    with transaction.atomic():
        for (campaign_id, candidate_id, day), hashes in groups.items():
            unique = set(hashes)
            known = set(
                Visitor.objects.filter(
                    campaign_id=campaign_id,
                    candidate_id=candidate_id,
                    day=day,
                    visitor_hash__in=unique,
                ).values_list("visitor_hash", flat=True)
            )
            new = unique - known
            Visitor.objects.bulk_create(
                [
                    Visitor(
                        campaign_id=campaign_id,
                        candidate_id=candidate_id,
                        day=day,
                        visitor_hash=h,
                    )
                    for h in new
                ],
                ignore_conflicts=True,
            )
            VisitDay.objects.bulk_create(
                [VisitDay(campaign_id=campaign_id, candidate_id=candidate_id, day=day)],
                ignore_conflicts=True,
            )
            VisitDay.objects.filter(
                campaign_id=campaign_id, candidate_id=candidate_id, day=day
            ).update(views=F("views") + len(hashes), visitors=F("visitors") + len(new))


visits = WriteBehind("voting-visits", _write_visits)


def sync_visits() -> int:
    """Copies the Redis visit counters into VisitDay rows (idempotent)."""
    client = store.redis_client()
    if client is None:
        return 0
    n = 0
    for member in client.smembers(f"{store.PREFIX}visit-days"):
        text = member.decode() if isinstance(member, bytes) else member
        campaign_id, candidate_id, day = text.split(":")
        base = f"{store.PREFIX}{{{campaign_id}}}:visit:{candidate_id}:{day}"
        views = int(client.get(base + ":views") or 0)
        visitors = client.pfcount(base + ":uv")
        if not Campaign.objects.filter(pk=campaign_id).exists():
            client.srem(f"{store.PREFIX}visit-days", member)
            continue
        VisitDay.objects.update_or_create(
            campaign_id=int(campaign_id),
            candidate_id=int(candidate_id),
            day=dt.date.fromisoformat(day),
            defaults={"views": views, "visitors": visitors},
        )
        if dt.date.fromisoformat(day) < campaign_day(timezone.now()) - dt.timedelta(1):
            client.srem(f"{store.PREFIX}visit-days", member)
        n += 1
    return n


def visit_totals(campaign_id: int) -> dict:
    """A campaign's views (all pages) and its own page's visitors by day."""
    sync_visits()
    visits.flush()
    rows = VisitDay.objects.filter(campaign_id=campaign_id)
    page = rows.filter(candidate_id=0)
    return {
        "views": sum(r.views for r in rows),
        "campaign_views": sum(r.views for r in page),
        "campaign_visitors_by_day": {
            r.day.isoformat(): r.visitors for r in page.order_by("day")
        },
    }
