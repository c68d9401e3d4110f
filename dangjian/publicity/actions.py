"""Publicity rules: record releases, deliver webhooks, manage digest subscribers.

Idempotence: one ``Release`` per item (kind + id). The first time an item goes
public it is a ``release`` event; a re-publish of an edited item updates the
row and is an ``update`` event; an item that stops being public (unpublished,
withdrawn, turned 党内) is retracted and webhook channels get ``retract``.
Each webhook channel gets at most one delivery per item and revision.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.log_actions import log

from dangjian.lib import outbound
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations
from dangjian.publicity import signing as webhook_signing
from dangjian.publicity.adapters import get_adapter
from dangjian.publicity.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    Release,
    Subscriber,
)
from dangjian.publicity.sources import (
    Source,
    absolute,
    describe,
    filter_still_public,
    registered_sources,
)

CONFIRM_SALT = "dangjian.publicity.confirm"
UNSUBSCRIBE_SALT = "dangjian.publicity.unsubscribe"
EXCERPT_CHARS = 500


# --- Releases ------------------------------------------------------------------


def share_url(url: str, channel_key: str) -> str:
    """The item's URL tagged with the channel it was shared through (``from``)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}from={channel_key}"


def payload_for(release: Release, event: str, channel: Channel) -> dict:
    return {
        "id": release.public_id,
        "type": release.kind,
        "event": event,
        "title": release.title,
        "summary": release.summary,
        "url": share_url(release.url, channel.platform),
        "unit": (
            {"id": release.unit.pk, "name": release.unit.name}
            if release.unit is not None
            else None
        ),
        "column": release.column_name,
        "released_at": release.released_at.isoformat(),
        "updated_at": release.updated_at.isoformat(),
    }


def _apply(release: Release, source: Source, now) -> None:
    release.title = source.title[:300]
    release.summary = source.summary
    release.url = source.url
    release.unit_id = source.unit_id
    release.column_id = source.column_id
    release.column_name = (source.column_name or "")[:100]
    release.expires_on = source.expires_on
    release.updated_at = now


@transaction.atomic
def do_record_release(obj, *, revision_key: str = "") -> Release | None:
    """Records that an item was published, and queues its webhook deliveries.

    An item that is not public (党内公开, members only, not open to the
    public) is never recorded; if it was public before, it is retracted.
    """
    source = describe(obj)
    if source is None:
        return None
    if not source.is_public:
        do_retract_release(obj)
        return None
    now = timezone.now()
    release = (
        Release.objects.select_for_update()
        .filter(kind=source.kind, object_id=source.object_id)
        .first()
    )
    if release is None:
        release = Release(kind=source.kind, object_id=source.object_id)
        release.released_at = now
        event = Delivery.Event.RELEASE
    elif release.retracted_at is not None:
        release.retracted_at = None
        event = Delivery.Event.RELEASE
    else:
        event = Delivery.Event.UPDATE
    _apply(release, source, now)
    release.revision_key = revision_key
    release.save()
    _queue_deliveries(release, event, revision_key or now.isoformat())
    return release


@transaction.atomic
def do_retract_release(obj) -> Release | None:
    """Takes an item out of feeds and digests and tells webhook channels."""
    source = describe(obj)
    if source is None:
        return None
    release = (
        Release.objects.select_for_update()
        .filter(kind=source.kind, object_id=source.object_id, retracted_at__isnull=True)
        .first()
    )
    if release is None:
        return None
    now = timezone.now()
    release.retracted_at = now
    release.save(update_fields=["retracted_at"])
    _queue_deliveries(release, Delivery.Event.RETRACT, f"retract-{now.isoformat()}")
    return release


def _queue_deliveries(release: Release, event: str, revision_key: str) -> None:
    channels = (
        Channel.objects.active()
        .filter(kind=Channel.Kind.WEBHOOK)
        .for_unit(release.unit_id)
        .exclude(url="")
    )
    if event == Delivery.Event.RETRACT:
        # Only channels that were told about the item hear that it is gone.
        channels = channels.filter(deliveries__release=release).distinct()
    created = []
    for channel in channels:
        if Delivery.objects.filter(
            channel=channel, release=release, revision_key=revision_key[:40]
        ).exists():
            continue
        try:
            with transaction.atomic():
                created.append(
                    Delivery.objects.create(
                        channel=channel,
                        organisation_id=channel.organisation_id,
                        release=release,
                        event=event,
                        revision_key=revision_key[:40],
                        payload=payload_for(release, event, channel),
                    )
                )
        except IntegrityError:
            # A concurrent publish of the same revision already queued it.
            continue
    for delivery in created:
        transaction.on_commit(functools.partial(enqueue_delivery, delivery.pk))


# --- Webhook delivery ----------------------------------------------------------


def max_attempts() -> int:
    return getattr(settings, "PUBLICITY_WEBHOOK_MAX_ATTEMPTS", 6)


def retry_delay(attempt: int) -> dt.timedelta:
    """Exponential backoff: 1, 4, 16, 64, 256 minutes after attempts 1–5."""
    base = getattr(settings, "PUBLICITY_WEBHOOK_RETRY_BASE_SECONDS", 60)
    return dt.timedelta(seconds=base * 4 ** max(0, attempt - 1))


def enqueue_delivery(delivery_id: int, run_after: dt.datetime | None = None) -> bool:
    """Queues an attempt; False when the backend cannot defer (see README).

    A backend without ``run_after`` (the immediate one in tests and dev)
    leaves a deferred retry to ``manage.py deliver_webhooks``, which sends
    every delivery that is due.
    """
    if run_after is None:
        deliver_webhook.enqueue(delivery_id)
        return True
    if not deliver_webhook.get_backend().supports_defer:
        return False
    deliver_webhook.using(run_after=run_after).enqueue(delivery_id)
    return True


def _post(request, timeout: float) -> tuple[int | None, bytes, str]:
    # Through the outbound guard: public addresses only, no redirects.
    return outbound.send(
        request.url,
        body=request.body,
        headers=request.headers,
        method=request.method,
        timeout=timeout,
        limit=EXCERPT_CHARS * 4,
    )


def do_attempt_delivery(delivery_id: int, *, now=None) -> Delivery | None:
    """Makes one attempt at a delivery and logs it.

    1. Claims the row (pending or retrying → sending) so that two workers
       never send the same delivery at once.
    2. Signs and sends the adapter's request.
    3. Logs the attempt; on failure schedules the next one with backoff, or
       gives up after the last allowed attempt (visible to the unit admin).
    """
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
    ).update(status=Delivery.Status.SENDING, claimed_at=now)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("channel").get(pk=delivery_id)
    channel = delivery.channel
    number = delivery.attempts + 1
    status_code, body, error = None, b"", ""
    started = time.monotonic()
    try:
        adapter = get_adapter(channel.platform)
        request = adapter.build_request(channel, delivery.payload)
        timestamp = int(time.time())
        request.headers.update(
            {
                webhook_signing.SIGNATURE_HEADER: webhook_signing.sign(
                    channel.secret, timestamp, request.body
                ),
                webhook_signing.TIMESTAMP_HEADER: str(timestamp),
                webhook_signing.DELIVERY_HEADER: str(delivery.uuid),
                webhook_signing.EVENT_HEADER: delivery.event,
                "User-Agent": "Dangjian-Webhook/1",
            }
        )
        if not channel.is_active:
            error = _("渠道已停用")
        else:
            timeout = getattr(settings, "PUBLICITY_WEBHOOK_TIMEOUT", 10)
            status_code, body, error = _post(request, timeout)
            ok = status_code is not None and adapter.is_success(status_code, body)
            if status_code is not None and not ok:
                error = f"HTTP {status_code}"
    except LookupError as exc:
        error = str(exc)
    ok = not error
    duration = int((time.monotonic() - started) * 1000)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        attempted_at=now,
        status_code=status_code,
        response_excerpt=body.decode("utf-8", "replace")[:EXCERPT_CHARS],
        error=error[:1000],
        duration_ms=duration,
        ok=ok,
    )
    delivery.attempts = number
    delivery.last_status_code = status_code
    delivery.last_error = error[:1000]
    delivery.claimed_at = None
    if ok:
        delivery.status = Delivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
    elif number >= max_attempts() or not channel.is_active:
        delivery.status = Delivery.Status.FAILED
    else:
        delivery.status = Delivery.Status.RETRYING
        delivery.next_attempt_at = now + retry_delay(number)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "claimed_at",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if delivery.status == Delivery.Status.RETRYING:
        enqueue_delivery(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


def do_deliver_due(now=None) -> int:
    """Sends every delivery that is due (and frees ones stuck in sending)."""
    now = now or timezone.now()
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - dt.timedelta(minutes=15)
    ).update(status=Delivery.Status.RETRYING, claimed_at=None)
    sent = 0
    for pk in Delivery.objects.due(now).values_list("pk", flat=True)[:500]:
        if do_attempt_delivery(pk, now=now) is not None:
            sent += 1
    return sent


def can_manage_channel(user, channel: Channel) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if channel.organisation_id is None:
        return False
    return (
        managed_organisations(user, [Role.UNIT_ADMIN])
        .filter(pk=channel.organisation_id)
        .exists()
    )


def do_retry_delivery(delivery: Delivery, *, acting_user) -> Delivery:
    """ "Retry now": a failed delivery gets another attempt straight away."""
    if not can_manage_channel(acting_user, delivery.channel):
        raise PermissionDenied(_("只能重试本单位渠道的推送。"))
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk,
            status__in=[Delivery.Status.RETRYING, Delivery.Status.FAILED],
        ).update(status=Delivery.Status.PENDING, next_attempt_at=timezone.now())
        if not updated:
            raise ValidationError(_("该推送已送达或正在发送，无需重试。"))
        log(
            instance=delivery,
            action="dangjian.publicity.retry",
            user=acting_user,
            data={"channel": delivery.channel_id, "release": delivery.release_id},
        )
        transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    delivery.refresh_from_db()
    return delivery


# --- E-mail digests ------------------------------------------------------------


def _token(subscriber: Subscriber, salt: str) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=salt)


def _from_token(token: str, salt: str, max_age=None) -> Subscriber:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError(_("链接已过期，请重新订阅。")) from None
    except signing.BadSignature:
        raise ValidationError(_("链接无效，请检查是否完整复制。")) from None
    subscriber = Subscriber.objects.filter(
        pk=data.get("s"), email=data.get("e")
    ).first()
    if subscriber is None:
        raise ValidationError(_("订阅不存在或已删除。"))
    return subscriber


def confirm_url(subscriber: Subscriber) -> str:
    return absolute(
        reverse("publicity:confirm", args=[_token(subscriber, CONFIRM_SALT)])
    )


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(
        reverse("publicity:unsubscribe", args=[_token(subscriber, UNSUBSCRIBE_SALT)])
    )


def check_subscribe(email: str, *, units=(), kinds=()) -> Subscriber:
    """Validates a subscription request, stores it and mails the confirmation.

    Subscribing again with the same address replaces its choices and sends a
    fresh confirmation link; nothing is sent until the link is opened.
    """
    email = (email or "").strip().lower()
    errors: dict[str, str] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("请输入有效的邮箱地址。")
    unit_ids = sorted({int(u) for u in units})
    valid_units = list(Organisation.objects.filter(pk__in=unit_ids, is_active=True))
    if len(valid_units) != len(unit_ids):
        errors["units"] = _("所选单位不存在。")
    kind_values = set(Release.Kind.values)
    kinds = sorted(set(kinds))
    if any(k not in kind_values for k in kinds):
        errors["kinds"] = _("所选栏目不存在。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(
            email=email
        )
        subscriber.kinds = kinds
        if subscriber.unsubscribed_at:
            # Coming back after unsubscribing needs a new confirmation.
            subscriber.unsubscribed_at = None
            subscriber.confirmed_at = None
        subscriber.save()
        subscriber.units.set(valid_units)
        transaction.on_commit(lambda: send_confirmation(subscriber))
    return subscriber


def send_confirmation(subscriber: Subscriber) -> None:
    context = {"subscriber": subscriber, "confirm_url": confirm_url(subscriber)}
    message = EmailMultiAlternatives(
        subject=_("请确认订阅党建云更新摘要"),
        body=render_to_string("publicity/email/confirm.txt", context),
        to=[subscriber.email],
    )
    message.send()


def do_confirm_subscription(token: str) -> Subscriber:
    max_age = getattr(settings, "PUBLICITY_CONFIRM_MAX_AGE", 7 * 24 * 3600)
    subscriber = _from_token(token, CONFIRM_SALT, max_age=max_age)
    if subscriber.unsubscribed_at:
        raise ValidationError(_("该邮箱已退订，请重新订阅。"))
    if subscriber.confirmed_at is None:
        now = timezone.now()
        subscriber.confirmed_at = now
        # The first digest carries what is released from now on.
        subscriber.last_digest_at = now
        subscriber.save(update_fields=["confirmed_at", "last_digest_at"])
    return subscriber


def do_unsubscribe(token: str) -> Subscriber:
    subscriber = _from_token(token, UNSUBSCRIBE_SALT)
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
    return subscriber


def releases_for(subscriber: Subscriber, since, until) -> list[Release]:
    qs = (
        Release.objects.current()
        .filter(released_at__gt=since, released_at__lte=until)
        .select_related("unit")
        .order_by("unit__path", "-released_at")
    )
    unit_ids = list(subscriber.units.values_list("pk", flat=True))
    if unit_ids:
        qs = qs.filter(unit_id__in=unit_ids)
    if subscriber.kinds:
        qs = qs.filter(kind__in=subscriber.kinds)
    return filter_still_public(qs[:200])


def do_send_digest(subscriber: Subscriber, *, now=None) -> bool:
    """Sends one subscriber the items released since their last digest.

    The row is claimed by moving ``last_digest_at`` forward with a
    conditional update, so a digest run twice (or by two workers) mails once.
    """
    now = now or timezone.now()
    since = subscriber.last_digest_at or subscriber.confirmed_at
    if since is None or not subscriber.is_receiving:
        return False
    releases = releases_for(subscriber, since, now)
    if not releases:
        return False
    claimed = Subscriber.objects.filter(
        pk=subscriber.pk, last_digest_at=subscriber.last_digest_at
    ).update(last_digest_at=now)
    if not claimed:
        return False
    unsubscribe = unsubscribe_url(subscriber)
    context = {
        "subscriber": subscriber,
        "releases": [
            {"release": r, "url": share_url(r.url, "email")} for r in releases
        ],
        "unsubscribe_url": unsubscribe,
        "SITE_NAME": getattr(settings, "SITE_NAME", "党建云"),
        "day": timezone.localdate(now),
    }
    message = EmailMultiAlternatives(
        subject=_("党建云更新摘要（%(day)s，%(n)d 条）")
        % {"day": context["day"], "n": len(releases)},
        body=render_to_string("publicity/email/digest.txt", context),
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("publicity/email/digest.html", context), "text/html"
    )
    message.send()
    return True


def do_send_digests(now=None) -> int:
    now = now or timezone.now()
    sent = 0
    for subscriber in Subscriber.objects.receiving().order_by("pk"):
        if do_send_digest(subscriber, now=now):
            sent += 1
    return sent


def dumps_payload(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)


def _released_at(obj):
    return (
        getattr(obj, "first_published_at", None)
        or getattr(obj, "last_published_at", None)
        or getattr(obj, "created_at", None)
        or timezone.now()
    )


@transaction.atomic
def do_backfill_releases() -> int:
    """Records every currently public item that has no release yet.

    For content that went live before this app was installed (or was loaded
    without publishing signals): no webhook is sent, feeds and digests pick
    the items up with their original release dates.
    """

    candidates = [source.public() for source in registered_sources()]
    existing = set(Release.objects.values_list("kind", "object_id"))
    created = 0
    for queryset in candidates:
        for obj in queryset.iterator():
            source = describe(obj)
            if source is None or not source.is_public:
                continue
            if (source.kind, source.object_id) in existing:
                continue
            release = Release(kind=source.kind, object_id=source.object_id)
            _apply(release, source, _released_at(obj))
            release.released_at = _released_at(obj)
            release.save()
            created += 1
    return created


# --- Background tasks (django-tasks) -------------------------------------------
# Defined here, beside the actions they run, so that queuing an attempt needs
# no import of another module of the app; ``tasks.py`` names them for the
# scheduler.


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = do_attempt_delivery(delivery_id)
    return delivery.status if delivery is not None else "skipped"


@task()
def send_digests() -> int:
    """Mails every subscriber their digest; schedule it daily (see README)."""
    return do_send_digests()
