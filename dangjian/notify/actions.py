"""What a person does with their notifications, and an admin's retry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dangjian.notify.delivery import enqueue_batches
from dangjian.notify.kinds import OUTBOUND, registered_kinds
from dangjian.notify.models import Delivery, Notification, Preference


def do_mark_read(notification: Notification, *, acting_user) -> bool:
    """Marks the person's own notification read; True when it was unread."""
    if notification.recipient_id != acting_user.pk:
        raise PermissionDenied
    changed = Notification.objects.filter(
        pk=notification.pk, read_at__isnull=True
    ).update(read_at=timezone.now())
    return bool(changed)


def do_mark_all_read(*, acting_user) -> int:
    return (
        Notification.objects.for_person(acting_user)
        .unread()
        .update(read_at=timezone.now())
    )


def preferences_of(person) -> dict[str, dict[str, bool]]:
    """{kind key: {channel: receives}} for every registered kind."""
    stored = {
        (kind, channel): enabled
        for kind, channel, enabled in Preference.objects.filter(
            person=person
        ).values_list("kind", "channel", "enabled")
    }
    return {
        key: {
            channel: stored.get((key, channel), channel in kind.channels)
            for channel in OUTBOUND
        }
        for key, kind in registered_kinds().items()
    }


@transaction.atomic
def do_set_preferences(person, chosen: set[tuple[str, str]]) -> int:
    """Stores the person's choice: ``chosen`` holds the (kind, channel) pairs
    they receive; every other outbound pair of a registered kind is off.
    Returns how many pairs differ from the kinds' defaults."""
    rows = []
    for key, kind in registered_kinds().items():
        for channel in OUTBOUND:
            enabled = (key, channel) in chosen
            if enabled != (channel in kind.channels):
                rows.append(
                    Preference(
                        person=person, kind=key, channel=channel, enabled=enabled
                    )
                )
    Preference.objects.filter(person=person).delete()
    Preference.objects.bulk_create(rows)
    return len(rows)


def do_retry_deliveries(deliveries, *, acting_user) -> int:
    """Sends failed deliveries again now (an admin's retry)."""
    ids = list(deliveries.failed().values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING, due_at=timezone.now(), attempts=0
    )
    transaction.on_commit(lambda: enqueue_batches(ids))
    return len(ids)
