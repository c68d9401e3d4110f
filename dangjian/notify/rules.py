"""The rules users expect of notifications: quiet hours, digests, retries.

Settings (read when used):

``DANGJIAN_NOTIFY_QUIET_HOURS``   (start hour, end hour) in Asia/Shanghai,
                                  default (22, 8); None turns them off
``DANGJIAN_NOTIFY_DIGEST_AFTER``  deliveries per person, channel and hour
                                  before the rest are folded into a digest,
                                  default 5
``DANGJIAN_NOTIFY_MAX_ATTEMPTS``  tries of one delivery, default 5
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

QUIET_ZONE = ZoneInfo("Asia/Shanghai")
# Seconds to wait before the 2nd, 3rd, … try of a failed delivery.
BACKOFF = (60, 300, 1800, 7200)


def quiet_until(now: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours ``now`` falls in, or None outside them."""
    hours = getattr(settings, "DANGJIAN_NOTIFY_QUIET_HOURS", (22, 8))
    if not hours:
        return None
    start, end = hours
    local = now.astimezone(QUIET_ZONE)
    if start > end:  # across midnight, e.g. 22:00–08:00
        if local.hour >= start:
            day = local.date() + dt.timedelta(days=1)
        elif local.hour < end:
            day = local.date()
        else:
            return None
    elif start <= local.hour < end:
        day = local.date()
    else:
        return None
    return dt.datetime.combine(day, dt.time(end), tzinfo=QUIET_ZONE)


def digest_after() -> int:
    return int(getattr(settings, "DANGJIAN_NOTIFY_DIGEST_AFTER", 5))


def max_attempts() -> int:
    return int(getattr(settings, "DANGJIAN_NOTIFY_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return dt.timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])
