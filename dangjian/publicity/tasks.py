"""Background work (django-tasks): webhook attempts and the daily digest.

The tasks are defined in ``actions.py`` (queuing an attempt is an action);
this module is the name schedulers and the README use.
"""

from __future__ import annotations

from dangjian.publicity.actions import deliver_webhook, send_digests

__all__ = ["deliver_webhook", "send_digests"]
