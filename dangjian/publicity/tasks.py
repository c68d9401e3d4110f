"""Background work (django-tasks): webhook attempts and the daily digest."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    from dangjian.publicity.actions import do_attempt_delivery

    delivery = do_attempt_delivery(delivery_id)
    return delivery.status if delivery is not None else "skipped"


@task()
def send_digests() -> int:
    """Mails every subscriber their digest; schedule it daily (see README)."""
    from dangjian.publicity.actions import do_send_digests

    return do_send_digests()
