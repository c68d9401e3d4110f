"""Tickets' figures: the statistics dashboards' per-unit counts (through
``dangjian_participation_figures``) and the console's own breakdowns by
unit, domain and type, on-time rates, satisfaction, send-backs and the
week's top topics."""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from dangjian.lib import plugins
from dangjian.tickets.models import Action, Satisfaction, Ticket, TicketEvent

SIGNED_ON_TIME = Q(signed_at__isnull=False, signed_at__date__lte=F("sign_due"))
ANSWERED_ON_TIME = Q(replied_at__isnull=False, replied_at__date__lte=F("reply_due"))
SATISFIED = Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY])


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(
                plugins.Metric("tickets_dispatched", "12345 工单（派至本单位）", 300),
                plugins.Metric("tickets_signed_on_time", "按期签收工单", 301),
                plugins.Metric("tickets_answered_on_time", "按期答复工单", 302),
                plugins.Metric("tickets_satisfied", "回访满意工单", 303),
                plugins.Metric("tickets_sent_back", "退回热线工单", 304),
            ),
            per="organisation",
            count=count_for_dashboards,
        )
    ]


def count_for_dashboards(window: plugins.Window) -> dict[str, dict[int, int]]:
    dispatched = Ticket.objects.filter(
        unit__isnull=False,
        dispatched_at__gte=window.start,
        dispatched_at__lt=window.end,
    )
    rows = dispatched.values("unit_id").annotate(
        n=Count("pk"),
        signed=Count("pk", filter=SIGNED_ON_TIME),
        answered=Count("pk", filter=ANSWERED_ON_TIME),
        satisfied=Count("pk", filter=SATISFIED),
    )
    out: dict[str, dict[int, int]] = {
        "tickets_dispatched": {},
        "tickets_signed_on_time": {},
        "tickets_answered_on_time": {},
        "tickets_satisfied": {},
        "tickets_sent_back": {},
    }
    for r in rows:
        unit = r["unit_id"]
        out["tickets_dispatched"][unit] = r["n"]
        out["tickets_signed_on_time"][unit] = r["signed"]
        out["tickets_answered_on_time"][unit] = r["answered"]
        out["tickets_satisfied"][unit] = r["satisfied"]
    backs = (
        TicketEvent.objects.filter(
            action=Action.SEND_BACK,
            unit__isnull=False,
            created_at__gte=window.start,
            created_at__lt=window.end,
        )
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    for r in backs:
        out["tickets_sent_back"][r["unit_id"]] = r["n"]
    return out


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def summary(tickets: QuerySet[Ticket], *, days: int = 30) -> dict[str, Any]:
    """The console's figures over the tickets the person sees, last ``days``."""
    since = timezone.now() - dt.timedelta(days=days)
    recent = tickets.filter(created_at__gte=since)
    dispatched = recent.filter(dispatched_at__isnull=False)
    totals = dispatched.aggregate(
        n=Count("pk"),
        signed=Count("pk", filter=Q(signed_at__isnull=False)),
        signed_on_time=Count("pk", filter=SIGNED_ON_TIME),
        answered=Count("pk", filter=Q(replied_at__isnull=False)),
        answered_on_time=Count("pk", filter=ANSWERED_ON_TIME),
        sent_back=Count("pk", filter=Q(send_backs__gt=0)),
    )
    followed = recent.exclude(satisfaction="")
    satisfaction = dict(
        followed.values_list("satisfaction").annotate(n=Count("pk")).order_by()
    )
    n_followed = sum(satisfaction.values())
    return {
        "days": days,
        "total": recent.count(),
        "by_status": _pairs(recent, "status"),
        "by_unit": _pairs(dispatched, "unit__name"),
        "by_domain": _pairs(recent, "domain"),
        "by_type": _pairs(recent, "message_type"),
        "signed_on_time": _rate(totals["signed_on_time"], totals["signed"]),
        "answered_on_time": _rate(totals["answered_on_time"], totals["answered"]),
        "send_back_rate": _rate(totals["sent_back"], totals["n"]),
        "satisfaction": {
            label: _rate(satisfaction.get(value, 0), n_followed)
            for value, label in Satisfaction.choices
        },
        "top_topics": top_topics(tickets),
    }


def _pairs(rows: QuerySet[Ticket], field: str) -> list[tuple[str, int]]:
    return [
        (str(key or "—"), n)
        for key, n in rows.values_list(field)
        .annotate(n=Count("pk"))
        .order_by("-n")[:12]
    ]


def top_topics(tickets: QuerySet[Ticket], limit: int = 10) -> list[tuple[str, int]]:
    """This week's most frequent words of the tickets' texts (nouns and
    verbs of two characters or more, stop words left out)."""
    from dangjian.search.analysis import stopwords, words

    since = timezone.now() - dt.timedelta(days=7)
    stop = stopwords()
    counts: collections.Counter[str] = collections.Counter()
    for text in tickets.filter(created_at__gte=since).values_list("text", flat=True)[
        :2000
    ]:
        seen = {
            w
            for w in words(text.replace("*", " "))
            if len(w) >= 2 and w not in stop and w not in GENERIC
        }
        counts.update(seen)
    return counts.most_common(limit)


# Words every citizen message has: they name no topic.
GENERIC = frozenset(
    "您好 你好 领导 请问 问题 我们 你们 他们 现在 没有 什么 怎么 是否 可以 "
    "希望 能够 相关 部门 解决 情况 反映 一下 谢谢 感谢 这个 那个 已经 还是 "
    "但是 因为 所以 如果 进行 需要 要求 目前 一直 多次 时间 工作 建议 咨询 "
    "投诉 求助 市民 居民 本人 自己 不能 不是 为什么 怎么办 请求 关于 以及 "
    "影响 开始 很多 知道 而且 或者 服务 存在 发现 导致 造成 其他 一些 还有 "
    "所有 这些 那些 之后 之前 以后 以前 然后 同时 只是 非常 特别 严重 经常 "
    "每天 这样 那样 出现 无法 告诉 通知 联系 表示 认为 根据 按照 对于 由于 "
    "虽然 而是 甚至 可能 应该 必须 尽快 一个 不到 不了 得到 这里 那里".split()
)
