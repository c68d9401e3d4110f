"""Reminders: each capability contributes through ``dangjian_notification_reminders``.

A capability registers, in its own ``wagtail_hooks.py``, a function
``remind(now) -> int`` that calls ``notify()`` for what is due at ``now``
(a deadline in three days, a contest opening) and returns how many events
it notified. Event keys make a reminder idempotent, so the pass may run as
often as wished: ``manage.py send_reminders`` or ``send_reminders_task``,
e.g. every 15 minutes.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from dangjian.notify.kinds import REMINDERS_HOOK

logger = logging.getLogger(__name__)


def send_reminders(now: dt.datetime | None = None) -> dict[str, int]:
    """Runs every registered reminder; one failing does not stop the others."""
    from wagtail import hooks

    now = now or timezone.now()
    counts: dict[str, int] = {}
    for fn in hooks.get_hooks(REMINDERS_HOOK):
        name = f"{fn.__module__}.{fn.__qualname__}"
        try:
            counts[name] = int(fn(now) or 0)
        except Exception:
            logger.exception("reminder %s failed", name)
            counts[name] = -1
    return counts


@task()
def send_reminders_task() -> dict[str, int]:
    return send_reminders()
