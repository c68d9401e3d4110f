"""The process's Redis clients, one per REDIS_URL (thread-safe, made lazily).

Apps that keep hot state in Redis (vote limits and tallies, the search log
queue) share these clients. ``redis_client()`` is None without REDIS_URL:
callers then fall back to the database."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from redis import Redis

_clients: dict[str, Redis] = {}
_lock = threading.Lock()


def redis_client() -> Redis | None:
    """The shared Redis client, or None when REDIS_URL is not set."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        with _lock:
            client = _clients.get(url)
            if client is None:
                client = redis.Redis.from_url(
                    url, socket_connect_timeout=1, socket_timeout=2
                )
                _clients[url] = client
    return client
