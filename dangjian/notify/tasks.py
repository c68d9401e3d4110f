"""The notification tasks, named for a scheduler (defined in ``delivery``)."""

from __future__ import annotations

from dangjian.notify.delivery import (
    deliver_batch_task,
    deliver_due_task,
    fan_out_task,
)

__all__ = ["deliver_batch_task", "deliver_due_task", "fan_out_task"]
