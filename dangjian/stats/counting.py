"""Counting views and unique visitors on the server, without slowing a page.

A hit is one answered request for one object: ``count_view(request, obj)``.
It records a view and the visitor's daily hash under the key
``<content type>:<object id>:<day>:<channel>``, then returns.

* With Redis (``REDIS_URL``) a hit is one pipelined round trip: ``HINCRBY``
  on one hash of pending counts and ``PFADD`` of the visitor hash to that
  key's HyperLogLog. ``flush_views()`` renames the hash (atomic), adds the
  counts to ``DailyViews`` rows and sets their visitor numbers from
  ``PFCOUNT`` (HyperLogLog: about 1% error on large numbers, exact on small).
* Without Redis a hit goes to an in-process buffer (a dict under a lock).
  The buffer is flushed after ``DANGJIAN_VIEW_FLUSH_HITS`` hits or
  ``DANGJIAN_VIEW_FLUSH_SECONDS`` seconds, and at a normal interpreter exit.
  Visitor hashes of the last days are kept in ``DailyVisitor`` so unique
  visitors stay exact across processes.

Flushing happens after a response is finished (``request_finished``), so no
page waits for it; ``manage.py flush_views`` and the ``flush_views_task``
task flush on demand or on a schedule.

What can be lost, and when:

* Redis mode: hits that reach Redis are kept as long as Redis keeps them
  (its own persistence settings); a hit while Redis is unreachable is
  dropped and logged, never an error on the page. A flusher killed between
  its database commit and the deletion of the flushed batch leaves the batch
  to be counted again, so such a crash over-counts once, never under-counts.
* Buffer mode: a worker killed without a normal exit (SIGKILL, OOM, power
  loss) loses the hits in its buffer, at most the flush threshold (hits or
  seconds) per worker. A failed database write puts the batch back.

No raw IP address is stored: the visitor is a keyed hash (HMAC with the
secret key) of the person id when logged in, else of IP address and user
agent, together with the day, so hashes cannot be linked across days.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time
import uuid
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from dangjian.lib.redis import redis_client
from dangjian.stats.models import Channel, DailyViews, DailyVisitor

logger = logging.getLogger(__name__)

PREFIX = "stats:views:"
HITS_KEY = PREFIX + "hits"
FLUSHING_PREFIX = PREFIX + "flushing:"
FLUSH_LOCK = PREFIX + "flush-lock"
FLUSH_DUE = PREFIX + "flush-due"
VISITOR_TTL = 3 * 86400
KEEP_VISITOR_DAYS = 2

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
    return getattr(settings, "DANGJIAN_VIEW_COUNTING", True)


def _host_in(host: str, suffixes) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


def channel_of(request) -> str:
    """The channel a visit came through: the share parameter ``?from=`` first,
    then the referrer, then the in-app browser's user agent."""
    shared = request.GET.get("from", "").strip().lower()
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


def _client_ip(request) -> str:
    if getattr(settings, "DANGJIAN_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def visitor_hash(request, day: dt.date) -> str:
    """A daily keyed hash standing for the visitor; the IP is never kept."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        value = f"u:{user.pk}"
    else:
        agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        value = f"a:{_client_ip(request)}|{agent}"
    return salted_hmac(
        "dangjian.stats.visitor", f"{day.isoformat()}|{value}"
    ).hexdigest()[:16]


def hit_key(content_type_id: int, object_id: int, day: dt.date, channel: str) -> str:
    return f"{content_type_id}:{object_id}:{day.isoformat()}:{channel}"


def parse_key(key: str) -> tuple[int, int, dt.date, str]:
    ct, obj, day, channel = key.split(":")
    return int(ct), int(obj), dt.date.fromisoformat(day), channel


def count_view(request, obj) -> None:
    """Counts one view of ``obj`` by this request's visitor. Call it only for
    an answer the visitor was allowed to see (a 200). Never raises."""
    if not counting_enabled() or obj is None or obj.pk is None:
        return
    try:
        day = timezone.localdate()
        content_type = ContentType.objects.get_for_model(obj)
        key = hit_key(content_type.pk, obj.pk, day, channel_of(request))
        _backend().add(key, visitor_hash(request, day))
    except Exception:
        # Counting is never worth a failed page.
        logger.exception("view counting failed")


# Backends ---------------------------------------------------------------------


class RedisCounter:
    def __init__(self, client):
        self.client = client  # the process's shared client (dangjian.lib.redis)
        self.last_check = time.monotonic()

    def add(self, key: str, visitor: str) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.hincrby(HITS_KEY, key, 1)
        pipe.pfadd(PREFIX + "uv:" + key, visitor)
        pipe.expire(PREFIX + "uv:" + key, VISITOR_TTL)
        pipe.execute()

    def flush_if_due(self, seconds: float) -> int:
        # One local clock check per request; Redis is asked at most once per
        # interval per process, and only one process wins the interval.
        now = time.monotonic()
        if now - self.last_check < seconds:
            return 0
        self.last_check = now
        if not self.client.set(FLUSH_DUE, "1", nx=True, ex=max(1, int(seconds))):
            return 0
        return self.flush()

    def flush(self) -> int:
        """Moves pending counts into DailyViews; returns the views moved."""
        token = uuid.uuid4().hex
        if not self.client.set(FLUSH_LOCK, token, nx=True, ex=300):
            return 0
        try:
            # A batch left by a flusher that died midway goes first.
            names = [n.decode() for n in self.client.scan_iter(FLUSHING_PREFIX + "*")]
            fresh = FLUSHING_PREFIX + token
            try:
                self.client.rename(HITS_KEY, fresh)
                names.append(fresh)
            except Exception as exc:  # no pending hits at all
                if "no such key" not in str(exc).lower():
                    raise
            moved = 0
            for name in names:
                raw = self.client.hgetall(name)
                counts = {k.decode(): int(v) for k, v in raw.items()}
                pipe = self.client.pipeline(transaction=False)
                for key in counts:
                    pipe.pfcount(PREFIX + "uv:" + key)
                visitors = dict(zip(counts, pipe.execute(), strict=True))
                apply_counts(counts, visitors=visitors)
                self.client.delete(name)
                moved += sum(counts.values())
            return moved
        finally:
            if self.client.get(FLUSH_LOCK) == token.encode():
                self.client.delete(FLUSH_LOCK)

    def pending(self) -> int:
        return sum(int(v) for v in self.client.hvals(HITS_KEY))

    def reset(self) -> None:
        keys = list(self.client.scan_iter(PREFIX + "*"))
        if keys:
            self.client.delete(*keys)


class BufferCounter:
    def __init__(self):
        self.lock = threading.Lock()
        self.flush_lock = threading.Lock()
        self.hits: dict[str, int] = defaultdict(int)
        self.visitors: dict[str, set[str]] = defaultdict(set)
        self.count = 0
        self.last_flush = time.monotonic()

    def add(self, key: str, visitor: str) -> None:
        with self.lock:
            self.hits[key] += 1
            self.visitors[key].add(visitor)
            self.count += 1

    def _take(self):
        with self.lock:
            hits, visitors = self.hits, self.visitors
            self.hits, self.visitors = defaultdict(int), defaultdict(set)
            self.count = 0
            self.last_flush = time.monotonic()
        return hits, visitors

    def _put_back(self, hits, visitors) -> None:
        with self.lock:
            for key, n in hits.items():
                self.hits[key] += n
                self.count += n
            for key, seen in visitors.items():
                self.visitors[key] |= seen

    def flush_if_due(self, seconds: float, hits: int | None = None) -> int:
        limit = hits or getattr(settings, "DANGJIAN_VIEW_FLUSH_HITS", 500)
        if not self.count:
            return 0
        if self.count < limit and time.monotonic() - self.last_flush < seconds:
            return 0
        return self.flush()

    def flush(self) -> int:
        with self.flush_lock:
            hits, visitors = self._take()
            if not hits:
                return 0
            try:
                apply_counts(dict(hits), seen=visitors)
            except IntegrityError:
                # A batch the database refuses (a content type that no longer
                # exists) would fail forever; it is dropped, not retried.
                logger.exception(
                    "dropped %d views the database refused", sum(hits.values())
                )
                return 0
            except Exception:
                self._put_back(hits, visitors)
                raise
            return sum(hits.values())

    def pending(self) -> int:
        return self.count

    def reset(self) -> None:
        self._take()


_backends: dict[str, RedisCounter | BufferCounter] = {}
_backends_lock = threading.Lock()


def _backend():
    url = getattr(settings, "REDIS_URL", "") or ""
    backend = _backends.get(url)
    if backend is None:
        with _backends_lock:
            backend = _backends.get(url)
            if backend is None:
                backend = RedisCounter(redis_client()) if url else BufferCounter()
                _backends[url] = backend
    return backend


# Writing batches ------------------------------------------------------------------


def apply_counts(counts: dict[str, int], *, visitors=None, seen=None) -> None:
    """Adds a batch of view counts to DailyViews in one transaction.

    ``visitors`` (Redis mode) maps a key to its absolute unique count for the
    day; ``seen`` (buffer mode) maps a key to the visitor hashes of the batch,
    which are merged into DailyVisitor and counted exactly.
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
        if seen is not None:
            DailyVisitor.objects.bulk_create(
                [
                    DailyVisitor(
                        content_type_id=ct,
                        object_id=obj,
                        day=day,
                        channel=ch,
                        visitor=visitor,
                    )
                    for key, (ct, obj, day, ch) in parsed.items()
                    for visitor in seen.get(key, ())
                ],
                ignore_conflicts=True,
                batch_size=500,
            )
        for key, n in counts.items():
            ct, obj, day, ch = parsed[key]
            row = DailyViews.objects.filter(
                content_type_id=ct, object_id=obj, day=day, channel=ch
            )
            if seen is not None:
                unique = DailyVisitor.objects.filter(
                    content_type_id=ct, object_id=obj, day=day, channel=ch
                ).count()
                row.update(views=F("views") + n, visitors=unique)
            else:
                unique = (visitors or {}).get(key, 0)
                row.update(
                    views=F("views") + n,
                    visitors=Greatest(F("visitors"), Value(unique)),
                )
        if seen is not None:
            old = timezone.localdate() - dt.timedelta(days=KEEP_VISITOR_DAYS)
            DailyVisitor.objects.filter(day__lt=old).delete()


def flush_views() -> int:
    """Moves every pending count of this process (buffer mode) or of all
    processes (Redis mode) into DailyViews; returns the number of views moved."""
    return _backend().flush()


def maybe_flush(**kwargs) -> None:
    """``request_finished`` receiver: flushes when a batch is due, after the
    answer has gone out."""
    if not counting_enabled():
        return
    seconds = getattr(settings, "DANGJIAN_VIEW_FLUSH_SECONDS", 10)
    if not seconds:
        return
    try:
        _backend().flush_if_due(seconds)
    except Exception:
        logger.exception("flushing view counts failed")


def isinstance_redis() -> bool:
    """Whether counts go to Redis (else to the in-process buffer)."""
    return isinstance(_backend(), RedisCounter)


def pending_views() -> int:
    return _backend().pending()


def reset_pending() -> None:
    """Forgets pending counts (tests)."""
    _backend().reset()


def _flush_at_exit() -> None:
    for backend in list(_backends.values()):
        if isinstance(backend, BufferCounter) and backend.count:
            try:
                backend.flush()
            except Exception:
                logger.exception("flushing view counts at exit failed")


atexit.register(_flush_at_exit)
