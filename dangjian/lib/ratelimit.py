"""One rate limiter: a token bucket per (scope, key), in Redis when there is
one, else in the process.

A bucket holds up to ``limit`` tokens and gains ``limit`` tokens per
``window`` seconds (one every ``window / limit`` seconds); each hit takes a
token, and a hit that finds none is refused. So a client may use its whole
allowance at once, then one more every ``window / limit`` seconds: unlike a
fixed window there is no double burst across a window's edge.

With Redis (``REDIS_URL``) a hit is one Lua script (read, refill, take,
write and expire in one atomic step), shared by every process. Without it
the bucket lives in Django's cache (the in-process local-memory cache) under
a process lock. If Redis fails, the hit is allowed and the failure logged: a
rate limit is never worth a failed request.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import TYPE_CHECKING

from django.core.cache import cache

from dangjian.lib.redis import redis_client

if TYPE_CHECKING:
    from redis import Redis
    from redis.commands.core import Script

logger = logging.getLogger(__name__)

PREFIX = "dangjian:ratelimit:"

# KEYS[1] bucket; ARGV limit, seconds per token, now. Returns 1 (allowed) or 0.
_TAKE = """
local limit = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or limit
local at = tonumber(state[2]) or now
tokens = math.min(limit, tokens + math.max(0, now - at) / per)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(limit * per * 1000) + 1000)
return allowed
"""

_scripts: dict[int, Script] = {}
_local_lock = threading.Lock()


def _take_redis(client: Redis, bucket: str, limit: int, per: float, now: float) -> bool:
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_TAKE)
    return bool(script(keys=[bucket], args=[limit, per, now]))


def _take_local(bucket: str, limit: int, per: float, now: float) -> bool:
    with _local_lock:
        tokens, at = cache.get(bucket) or (float(limit), now)
        tokens = min(limit, tokens + max(0.0, now - at) / per)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        cache.set(bucket, (tokens, now), timeout=math.ceil(limit * per) + 1)
    return allowed


def allow(scope: str, key: str, limit: int, window: float) -> bool:
    """Takes one token from the bucket of ``key`` in ``scope``; False when the
    bucket is empty (``limit`` hits per ``window`` seconds, in the long run)."""
    if limit <= 0:
        return False
    bucket = f"{PREFIX}{scope}:{key}"
    per = window / limit
    now = time.time()
    client = redis_client()
    if client is None:
        return _take_local(bucket, limit, per, now)
    try:
        return _take_redis(client, bucket, limit, per, now)
    except Exception:
        logger.exception("rate limit %s unavailable; allowing", scope)
        return True
