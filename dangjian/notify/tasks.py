"""The notification tasks, named for a scheduler (defined beside their work)."""

from __future__ import annotations

from dangjian.notify.delivery import (
    deliver_batch_task,
    deliver_due_task,
    fan_out_task,
)
from dangjian.notify.reminders import send_reminders_task

__all__ = [
    "deliver_batch_task",
    "deliver_due_task",
    "fan_out_task",
    "send_reminders_task",
]
