"""Background work: fanning an event out to people, and delivering it.

1. ``fan_out(dispatch_id)`` claims the event, resolves its audience (minus
   anyone outside a 党内 scope), writes every person's inbox copy and one
   ``Delivery`` per outbound channel the person receives this kind on, and
   queues the deliveries due now in batches (``deliver_batch``).
2. ``deliver_batch(ids)`` claims the batch's rows and sends each one; a
   person who got ``digest_after()`` messages on a channel in the last hour
   has the rest held for one digest; a failure is logged and retried later.
3. ``deliver_due()`` (run every few minutes: ``manage.py send_notifications``
   or the ``deliver_due_task`` task) queues retries and deliveries deferred
   by quiet hours, and sends the digests that are due.

The tasks are defined here, beside the work they run; ``tasks.py`` names
them for a scheduler.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from dangjian.notify import channels, rules
from dangjian.notify.kinds import OUTBOUND, get_kind, registered_kinds
from dangjian.notify.models import Delivery, Dispatch, Notification, Preference
from dangjian.orgs.scope import people_in

BATCH = 200
# A batch claimed this long ago and not finished: its worker died; sent again.
STALE_CLAIM = dt.timedelta(minutes=15)
CHUNK = 1000


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def recipients_of(dispatch: Dispatch) -> list[int]:
    """Active people the event reaches, inside its scope when it has one."""
    ids = set(dispatch.people)
    if dispatch.audience:
        ids |= set(people_in(dispatch.audience, dispatch.include_descendants))
    if dispatch.scope is not None:
        ids &= set(people_in(dispatch.scope, dispatch.scope_descendants))
    Person = get_user_model()
    active: set[int] = set()
    for chunk in _chunks(sorted(ids), CHUNK):
        active |= set(
            Person.objects.filter(pk__in=chunk, is_active=True).values_list(
                "pk", flat=True
            )
        )
    return sorted(active)


def channels_for(kind_key: str, people: list[int]) -> dict[int, set[str]]:
    """The outbound channels each person receives this kind on."""
    default = {c for c in get_kind(kind_key).channels if c in OUTBOUND}
    chosen: dict[int, set[str]] = {pk: set(default) for pk in people}
    for chunk in _chunks(people, CHUNK):
        for person_id, channel, enabled in Preference.objects.filter(
            kind=kind_key, person_id__in=chunk, channel__in=OUTBOUND
        ).values_list("person_id", "channel", "enabled"):
            if enabled:
                chosen[person_id].add(channel)
            else:
                chosen[person_id].discard(channel)
    return chosen


def fan_out(dispatch_id: int) -> int:
    """Writes the event's notifications and deliveries; returns how many people."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Dispatch.objects.filter(pk=dispatch_id, fanned_out_at=None).update(
            fanned_out_at=now
        )
        if not claimed:
            return 0
        dispatch = Dispatch.objects.get(pk=dispatch_id)
        kind = get_kind(dispatch.kind)
        title, body, url = kind.render(dispatch.context)
        people = recipients_of(dispatch)
        for chunk in _chunks(people, CHUNK):
            Notification.objects.bulk_create(
                [
                    Notification(
                        dispatch=dispatch,
                        recipient_id=pk,
                        kind=kind.key,
                        title=title,
                        body=body,
                        url=url,
                        is_emergency=kind.is_emergency,
                        created_at=now,
                    )
                    for pk in chunk
                ],
                ignore_conflicts=True,
            )
        wanted = channels_for(kind.key, people)
        due_at = now if kind.is_emergency else (rules.quiet_until(now) or now)
        deliveries = _new_deliveries(dispatch, wanted, due_at, now)
        Dispatch.objects.filter(pk=dispatch.pk).update(recipients=len(people))
        if due_at <= now:
            ids = [d.pk for d in deliveries]
            transaction.on_commit(lambda: enqueue_batches(ids))
    return len(people)


def _new_deliveries(dispatch, wanted, due_at, now) -> list[Delivery]:
    """One delivery per person and channel the person has an address on."""
    Person = get_user_model()
    if not any(wanted.values()):
        return []
    created: list[Delivery] = []
    notifications = dict(
        Notification.objects.filter(dispatch=dispatch).values_list("recipient_id", "pk")
    )
    targets = sorted(pk for pk, chosen in wanted.items() if chosen)
    for chunk in _chunks(targets, CHUNK):
        people = Person.objects.filter(pk__in=chunk).select_related("wechat_binding")
        rows = [
            Delivery(
                notification_id=notifications[person.pk],
                recipient_id=person.pk,
                channel=channel,
                due_at=due_at,
                created_at=now,
            )
            for person in people
            if person.pk in notifications
            for channel in sorted(wanted[person.pk])
            if channels.address(channel, person)
        ]
        created += Delivery.objects.bulk_create(rows)
    if created and created[0].pk is None:  # backends that return no ids
        created = list(
            Delivery.objects.filter(notification__dispatch=dispatch).only("pk")
        )
    return created


def enqueue_batches(ids: list[int]) -> int:
    for chunk in _chunks(ids, BATCH):
        deliver_batch_task.enqueue(chunk)
    return len(ids)


def _claim(ids: list[int], now: dt.datetime) -> list[Delivery]:
    with transaction.atomic():
        mine = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids)
            .due(now)
            .values_list("pk", flat=True)
        )
        # The claim's time in due_at: a batch whose worker died is found by it.
        Delivery.objects.filter(pk__in=mine).update(
            status=Delivery.Status.SENDING, due_at=now
        )
    return list(
        Delivery.objects.filter(pk__in=mine)
        .select_related("notification", "recipient__wechat_binding")
        .order_by("pk")
    )


def _message(
    notification: Notification, kinds: dict, base: str, label: str = ""
) -> channels.Message:
    kind = kinds.get(notification.kind)
    url = notification.url
    return channels.Message(
        title=notification.title,
        body=notification.body,
        url=base + url if url.startswith("/") else url,
        label=label or (kind.label if kind else notification.kind),
        created=date_format(timezone.localtime(notification.created_at), "Y-m-d H:i"),
        wechat_template=kind.wechat_template if kind else "",
    )


def _recent_counts(deliveries: list[Delivery], now: dt.datetime) -> dict:
    """Messages sent to each (person, channel) of the batch in the last hour."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    people = {d.recipient_id for d in deliveries}
    for person_id, channel in Delivery.objects.filter(
        recipient_id__in=people,
        sent_at__gte=now - dt.timedelta(hours=1),
        status=Delivery.Status.SENT,
    ).values_list("recipient_id", "channel"):
        counts[(person_id, channel)] += 1
    return counts


def _failed(delivery: Delivery, error: str, now: dt.datetime) -> None:
    delivery.attempts += 1
    delivery.last_error = error[:500]
    if delivery.attempts >= rules.max_attempts():
        delivery.status = Delivery.Status.FAILED
    else:
        delivery.status = Delivery.Status.PENDING
        delivery.due_at = now + rules.retry_delay(delivery.attempts)


UPDATED = ("status", "due_at", "sent_at", "attempts", "last_error")


def _write(deliveries: list[Delivery]) -> None:
    """Saves the outcome of many deliveries in one UPDATE per distinct outcome
    (a batch mostly has one: sent now, first try)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for d in deliveries:
        groups[tuple(getattr(d, name) for name in UPDATED)].append(d.pk)
    for values, ids in groups.items():
        Delivery.objects.filter(pk__in=ids).update(
            **dict(zip(UPDATED, values, strict=True))
        )


def deliver_batch(ids: list[int]) -> dict[str, int]:
    """Sends the batch's due deliveries; returns how many ended in each status.

    The outcome of the whole batch is written in one statement at its end.
    """
    now = timezone.now()
    outcome: dict[str, int] = defaultdict(int)
    deliveries = _claim(ids, now)
    recent = _recent_counts(deliveries, now)
    quiet = rules.quiet_until(now)
    kinds = registered_kinds()
    base = channels.link("/").rstrip("/")
    for delivery in deliveries:
        notification = delivery.notification
        key = (delivery.recipient_id, delivery.channel)
        if not notification.is_emergency and quiet is not None:
            delivery.status, delivery.due_at = Delivery.Status.PENDING, quiet
        elif not notification.is_emergency and recent[key] >= rules.digest_after():
            delivery.status = Delivery.Status.HELD
            delivery.due_at = now + dt.timedelta(hours=1)
        else:
            to = channels.address(delivery.channel, delivery.recipient)
            try:
                if not to:
                    raise channels.ChannelError(_("接收人没有该渠道的地址"))
                channels.send(delivery.channel, to, _message(notification, kinds, base))
            except channels.ChannelError as exc:
                _failed(delivery, str(exc), now)
            else:
                recent[key] += 1
                delivery.status, delivery.sent_at = Delivery.Status.SENT, now
                delivery.attempts += 1
                delivery.last_error = ""
        outcome[delivery.status] += 1
    _write(deliveries)
    return dict(outcome)


def send_digests(now: dt.datetime | None = None) -> int:
    """One message per person and channel for the deliveries held for a digest."""
    now = now or timezone.now()
    if rules.quiet_until(now) is not None:
        return 0
    held = (
        Delivery.objects.filter(status=Delivery.Status.HELD, due_at__lte=now)
        .select_related("notification", "recipient__wechat_binding")
        .order_by("recipient_id", "channel", "pk")
    )
    groups: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for delivery in held:
        groups[(delivery.recipient_id, delivery.channel)].append(delivery)
    sent = 0
    for (_person, channel), rows in groups.items():
        first = rows[0]
        titles = "；".join(d.notification.title for d in rows[:5])
        message = channels.Message(
            title=_("您有 %(n)d 条新通知") % {"n": len(rows)},
            body=titles,
            url=channels.link("/notifications/"),
            label=_("通知汇总"),
            created=date_format(timezone.localtime(now), "Y-m-d H:i"),
        )
        ids = [d.pk for d in rows]
        try:
            to = channels.address(channel, first.recipient)
            if not to:
                raise channels.ChannelError(_("接收人没有该渠道的地址"))
            channels.send(channel, to, message)
        except channels.ChannelError as exc:
            for row in rows:
                _failed(row, str(exc), now)
                if row.status == Delivery.Status.PENDING:
                    row.status = Delivery.Status.HELD
            _write(rows)
            continue
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.DIGESTED, sent_at=now, last_error=""
        )
        sent += 1
    return sent


def deliver_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Queues every delivery due now (retries, after quiet hours, batches of a
    worker that died) and sends digests."""
    now = now or timezone.now()
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, due_at__lt=now - STALE_CLAIM
    ).update(status=Delivery.Status.PENDING)
    ids = list(Delivery.objects.due(now).order_by("pk").values_list("pk", flat=True))
    stale = Dispatch.objects.filter(fanned_out_at=None).values_list("pk", flat=True)
    for dispatch_id in list(stale):
        fan_out_task.enqueue(dispatch_id)
    return {"queued": enqueue_batches(ids), "digests": send_digests(now)}


@task()
def fan_out_task(dispatch_id: int) -> int:
    return fan_out(dispatch_id)


@task()
def deliver_batch_task(ids: list[int]) -> dict[str, int]:
    return deliver_batch(ids)


@task()
def deliver_due_task() -> dict[str, int]:
    """Retries, deferred deliveries and digests; schedule it every few minutes."""
    return deliver_due()
