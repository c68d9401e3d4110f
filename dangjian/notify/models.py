"""Notifications: the event sent, each person's copy (the inbox), the
deliveries through channels that leave the platform, and preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Dispatch(models.Model):
    """One event to notify about, recorded in the transaction that caused it.

    ``event_key`` is unique: the same event notified twice is recorded once.
    The audience (people, or organisations with or without their
    sub-organisations) is resolved later, by a background task, in batches.
    ``scope_*`` is the audience a 党内 item is restricted to: nobody outside
    it is notified, whoever the audience names.
    """

    event_key = models.CharField(_("事件键"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=64)
    context = models.JSONField(_("内容参数"), default=dict, blank=True)
    people = models.JSONField(_("接收人"), default=list, blank=True)
    audience = models.JSONField(_("接收组织"), default=list, blank=True)
    include_descendants = models.BooleanField(_("含下级组织"), default=False)
    scope = models.JSONField(_("限定范围"), null=True, blank=True)
    scope_descendants = models.BooleanField(_("限定范围含下级组织"), default=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    fanned_out_at = models.DateTimeField(_("分发时间"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)

    class Meta:
        verbose_name = _("通知事件")
        verbose_name_plural = _("通知事件")

    def __str__(self) -> str:
        return self.event_key


class NotificationQuerySet(models.QuerySet):
    def for_person(self, person) -> NotificationQuerySet:
        if person is None or not person.is_authenticated:
            return self.none()
        return self.filter(recipient=person)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A person's copy of a dispatch: what their inbox shows."""

    dispatch = models.ForeignKey(
        Dispatch, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    is_emergency = models.BooleanField(_("紧急"), default=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dispatch"], name="notify_one_per_person"
            )
        ]
        indexes = [
            # The header's unread badge: one count over this index.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notify_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notify_inbox"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None) -> DeliveryQuerySet:
        return self.filter(
            status=Delivery.Status.PENDING, due_at__lte=now or timezone.now()
        )

    def failed(self) -> DeliveryQuerySet:
        return self.filter(status=Delivery.Status.FAILED)


class Delivery(models.Model):
    """One notification sent to one person through SMS, e-mail or WeChat.

    The log of the attempt: status, attempts, the last error and when the
    next try is due (``due_at``: a retry, or the end of quiet hours).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        HELD = "held", _("待汇总")
        DIGESTED = "digested", _("已汇总发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无法发送")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_deliveries",
        verbose_name=_("接收人"),
    )
    channel = models.CharField(_("渠道"), max_length=16)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    due_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notify_one_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notify_due"),
            models.Index(
                fields=["recipient", "channel", "sent_at"], name="notify_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} · {self.channel}"


class Preference(models.Model):
    """A person's choice for one kind on one channel (absent: the kind's default)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("类型"), max_length=64)
    channel = models.CharField(_("渠道"), max_length=16)
    enabled = models.BooleanField(_("接收"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "channel"], name="notify_one_preference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.channel} {self.enabled}"


class WechatBinding(models.Model):
    """The person's openid on the city's official account (WeChat channel)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wechat_binding",
    )
    openid = models.CharField(_("OpenID"), max_length=64, unique=True)
    bound_at = models.DateTimeField(_("绑定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("微信绑定")
        verbose_name_plural = _("微信绑定")

    def __str__(self) -> str:
        return self.openid
