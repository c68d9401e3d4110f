"""A fixed-window rate limit kept in the cache (Redis in production)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    # Behind a trusted proxy the deployment sets DANGJIAN_TRUST_X_FORWARDED_FOR.
    if getattr(settings, "DANGJIAN_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def question_limit() -> tuple[int, int]:
    """(questions, seconds) one client may submit; DANGJIAN_EXPERTS_SUBMIT_RATE."""
    return getattr(settings, "DANGJIAN_EXPERTS_SUBMIT_RATE", (10, 3600))


def allow(scope: str, key: str, limit: int, window: int) -> bool:
    """Counts one hit; False once the client has used up the window's allowance."""
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key expired between add() and incr(): a fresh window.
        cache.add(cache_key, 1, timeout=window + 1)
        return True
    return count <= limit


def allow_question(request) -> bool:
    limit, window = question_limit()
    return allow("experts-question", client_ip(request), limit, window)
