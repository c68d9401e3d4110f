"""Counting views and unique visitors on the server, without slowing a page.

Foundation: any app counts a view of what it serves with ``count_view``
(no app imports stats for it). The stats app stores the counts: it sets the
writer (``set_writer``) that adds a batch to its ``DailyViews`` rows.

A hit is one answered request for one object: ``count_view(request, obj)``.
It keeps the row ``[key, visitor hash]`` with the key
``<content type>:<object id>:<day>:<channel>`` in the ``views`` write-behind
buffer (``dangjian.lib.writebehind``: an append in the request; Redis or the
process's flusher thread carry it to the database) and returns. A flush adds
the batch's views to the daily rows and its visitor hashes to
``DailyVisitor`` (kept for the last days), so unique visitors are exact
across processes and flushes.

``manage.py flush_buffers`` (or ``flush_views``) and the
``flush_buffers_task`` task flush on demand or on a schedule; what can be
lost, and when, is said in ``dangjian.lib.writebehind``.

No raw IP address is stored: the visitor is a keyed hash (HMAC with the
secret key) of the person id when logged in, else of IP address and user
agent, together with the day, so hashes cannot be linked across days.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from dangjian.lib import pagecache
from dangjian.lib.clientaddr import client_ip
from dangjian.lib.redis import redis_client
from dangjian.lib.writebehind import Row, WriteBehind

logger = logging.getLogger(__name__)

KEEP_VISITOR_DAYS = 2


class Channel:
    """The channels a visit can come through (the stats app's ``Channel``
    choices use the same values and label them)."""

    WECHAT = "wechat"
    WEIBO = "weibo"
    SEARCH = "search"
    INTERNAL = "internal"
    DIRECT = "direct"
    OTHER = "other"
    values = (WECHAT, WEIBO, SEARCH, INTERNAL, DIRECT, OTHER)


class CountWriter(Protocol):
    """Adds a batch of counts (views per key, visitor hashes per key)."""

    def __call__(
        self, counts: dict[str, int], *, seen: dict[str, set[str]]
    ) -> None: ...


# Whoever stores the counts (the stats app, at start-up) sets the writer:
# ``writer(counts, seen=…)`` (see ``dangjian.stats.counting.apply_counts``).
_writer: CountWriter | None = None


def set_writer(writer: CountWriter) -> None:
    """Sets the function that adds a batch of counts to the database."""
    global _writer
    _writer = writer


def apply_counts(counts: dict[str, int], *, seen: dict[str, set[str]]) -> None:
    if _writer is None:
        raise RuntimeError("no view-count writer is set (is the stats app installed?)")
    _writer(counts, seen=seen)


# What WeChat appends to shared links, and a few short names people use.
FROM_ALIASES = {
    "singlemessage": Channel.WECHAT,
    "groupmessage": Channel.WECHAT,
    "timeline": Channel.WECHAT,
    "weixin": Channel.WECHAT,
    "wx": Channel.WECHAT,
    "wb": Channel.WEIBO,
}
SEARCH_HOSTS = (
    "baidu.",
    "so.com",
    "sogou.",
    "bing.",
    "google.",
    "sm.cn",
    "yandex.",
    "duckduckgo.",
)
WECHAT_HOSTS = ("weixin.qq.com", "wx.qq.com", "servicewechat.com")
WEIBO_HOSTS = ("weibo.com", "weibo.cn", "t.cn")


def counting_enabled() -> bool:
    return bool(getattr(settings, "DANGJIAN_VIEW_COUNTING", True))


def _host_in(host: str, suffixes: Iterable[str]) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


def channel_of(request: HttpRequest) -> str:
    """The channel a visit came through: the share parameter ``?from=`` first,
    then the referrer, then the in-app browser's user agent. A tag after the
    channel (``?from=wechat.grid12``, see ``view_tag``) leaves it unchanged."""
    shared = request.GET.get("from", "").strip().lower().partition(".")[0]
    if shared:
        if shared in Channel.values:
            return shared
        return FROM_ALIASES.get(shared, Channel.OTHER)
    referrer = request.META.get("HTTP_REFERER", "")
    host = (urlsplit(referrer).hostname or "").lower() if referrer else ""
    if host:
        if host == request.get_host().split(":")[0].lower():
            return Channel.INTERNAL
        if _host_in(host, WECHAT_HOSTS):
            return Channel.WECHAT
        if _host_in(host, WEIBO_HOSTS):
            return Channel.WEIBO
        if any(s in host for s in SEARCH_HOSTS):
            return Channel.SEARCH
        return Channel.OTHER
    # WeChat's and Weibo's in-app browsers often send no referrer.
    agent = request.META.get("HTTP_USER_AGENT", "")
    if "MicroMessenger" in agent:
        return Channel.WECHAT
    if "Weibo" in agent:
        return Channel.WEIBO
    return Channel.DIRECT


def view_tag(request: HttpRequest) -> str:
    """The tag of a tagged share link (``?from=wechat.grid12``: ``grid12``)."""
    _channel, dot, tag = request.GET.get("from", "").strip().lower().partition(".")
    return tag[:40] if dot else ""


_view_tags: list[Any] | None = None


def _tag_listeners() -> list[Any]:
    """The ``dangjian_view_tags`` hook's ``ViewTag`` objects, read once."""
    global _view_tags
    if _view_tags is None:
        from dangjian.lib.plugins import VIEW_TAGS, registered

        _view_tags = registered(VIEW_TAGS)
    return _view_tags


def _tell_tag(tag: str, content_type_id: int, object_id: int, day: dt.date) -> None:
    for listener in _tag_listeners():
        if tag.startswith(listener.prefix):
            listener.record(
                tag.removeprefix(listener.prefix), content_type_id, object_id, day
            )


def visitor_hash(request: HttpRequest, day: dt.date) -> str:
    """A daily keyed hash standing for the visitor; the IP is never kept."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        value = f"u:{user.pk}"
    else:
        agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        value = f"a:{client_ip(request)}|{agent}"
    return salted_hmac(VISITOR_SALT, f"{day.isoformat()}|{value}").hexdigest()[:16]


# The salt of visitor hashes (it was the stats app's until counting moved to
# the foundation; a new salt only starts a new set of daily hashes).
VISITOR_SALT = "dangjian.lib.counting.visitor"


def hit_key(content_type_id: int, object_id: int, day: dt.date, channel: str) -> str:
    return f"{content_type_id}:{object_id}:{day.isoformat()}:{channel}"


def parse_key(key: str) -> tuple[int, int, dt.date, str]:
    ct, obj, day, channel = key.split(":")
    return int(ct), int(obj), dt.date.fromisoformat(day), channel


def count_view(request: HttpRequest, obj: models.Model | None) -> None:
    """Counts one view of ``obj`` by this request's visitor. Call it only for
    an answer the visitor was allowed to see (a 200). Never raises."""
    if not counting_enabled() or obj is None or obj.pk is None:
        return
    try:
        content_type = ContentType.objects.get_for_model(obj)
        _count(request, content_type.pk, obj.pk)
    except Exception:
        # Counting is never worth a failed page.
        logger.exception("view counting failed")
        return
    # A stored public page is answered without its view: each visitor it is
    # served to is counted the same (dangjian/lib/pagecache.py).
    pagecache.repeat_on_hit(request, count_view_again, content_type.pk, obj.pk)


def count_view_again(
    request: HttpRequest, response: object, content_type_id: int, object_id: int
) -> None:
    """`count_view` for a page served from the page cache."""
    if counting_enabled():
        _count(request, content_type_id, object_id)


def _count(request: HttpRequest, content_type_id: int, object_id: int) -> None:
    """The view in its channel, and for the share link's tag if it has one."""
    day = timezone.localdate()
    key = hit_key(content_type_id, object_id, day, channel_of(request))
    views.push([key, visitor_hash(request, day)])
    tag = view_tag(request)
    if tag:
        _tell_tag(tag, content_type_id, object_id, day)


# The buffer ---------------------------------------------------------------------


def _write_views(rows: list[Row]) -> None:
    """Adds a batch of ``[key, visitor]`` rows to the daily counts."""
    counts: dict[str, int] = defaultdict(int)
    seen: dict[str, set[str]] = defaultdict(set)
    for key, visitor in rows:
        counts[key] += 1
        seen[key].add(visitor)
    apply_counts(dict(counts), seen=seen)


views = WriteBehind("views", _write_views)


def flush_views() -> int:
    """Moves every pending view of this process and (with Redis) of all
    processes into DailyViews; returns the number of views moved."""
    return views.flush()


def isinstance_redis() -> bool:
    """Whether pending views go through Redis (else they stay in the process)."""
    return redis_client() is not None


def pending_views() -> int:
    return views.pending()


def reset_pending() -> None:
    """Forgets pending views (tests)."""
    views.reset()
