"""Background work (django-tasks): webhook attempts and the daily digest."""

from __future__ import annotations

from django_tasks import task

from dangjian.publicity.actions import do_attempt_delivery, do_send_digests


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = do_attempt_delivery(delivery_id)
    return delivery.status if delivery is not None else "skipped"


@task()
def send_digests() -> int:
    """Mails every subscriber their digest; schedule it daily (see README)."""
    return do_send_digests()
