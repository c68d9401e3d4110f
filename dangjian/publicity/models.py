"""Publicity matrix: channels, releases, webhook deliveries, digest subscribers.

A public item that goes live becomes one ``Release`` row (per item, updated
in place when the item is re-published). Feeds and e-mail digests read the
releases; webhook channels get one ``Delivery`` per release event, each
attempt of which is kept as a ``DeliveryAttempt``.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Organisation
from dangjian.publicity.adapters import adapter_choices


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def platform_choices():
    return adapter_choices()


class ChannelQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_unit(self, organisation_id: int | None):
        """A unit's own channels and the city-wide ones (no unit)."""
        condition = Q(organisation__isnull=True)
        if organisation_id:
            condition |= Q(organisation_id=organisation_id)
        return self.filter(condition)


class Channel(models.Model):
    """Somewhere a unit's (or the whole city's) public releases go."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook 推送")
        ATOM = "atom", _("Atom 订阅源")
        EMAIL = "email", _("邮件摘要")

    name = models.CharField(_("名称"), max_length=100)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="publicity_channels",
        verbose_name=_("单位"),
        help_text=_("留空表示全市渠道（仅平台管理员可设）"),
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=Kind.choices, default=Kind.WEBHOOK
    )
    platform = models.CharField(
        _("平台适配器"),
        max_length=30,
        choices=platform_choices,
        default="generic",
        help_text=_("Webhook 渠道按平台格式推送，如微信公众号、微博、头条、抖音"),
    )
    url = models.URLField(
        _("推送地址"), max_length=500, blank=True, help_text=_("Webhook 渠道必填")
    )
    secret = models.CharField(
        _("签名密钥"),
        max_length=100,
        default=new_secret,
        help_text=_("接收方用它校验 X-Dangjian-Signature；泄露后请更换"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("发布渠道")
        verbose_name_plural = _("发布渠道")
        ordering = ["organisation__path", "name"]

    def __str__(self):
        return self.name

    @property
    def unit_label(self) -> str:
        organisation = self.organisation  # None without a query when unset
        return organisation.name if organisation is not None else "全市"

    def feed_path(self) -> str:
        from django.urls import reverse

        if self.organisation_id:
            return reverse("publicity:feed-unit", args=[self.organisation_id])
        return reverse("publicity:feed")


class ReleaseQuerySet(models.QuerySet):
    def current(self, day=None):
        """Still public and not expired: what feeds and digests may carry."""
        day = day or timezone.localdate()
        return self.filter(retracted_at__isnull=True).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )

    def for_unit(self, organisation_id: int):
        return self.filter(unit_id=organisation_id)


class Release(models.Model):
    """A public item as released to the channels (one row per item)."""

    class Kind(models.TextChoices):
        DISCLOSURE = "disclosure", _("党务公开")
        MATERIAL = "material", _("学习资料")
        KB = "kb", _("知识库")
        CAMPAIGN = "campaign", _("投票活动")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    title = models.CharField(_("标题"), max_length=300)
    summary = models.TextField(_("摘要"), blank=True)
    url = models.CharField(_("链接"), max_length=500)
    unit = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        related_name="publicity_releases",
        verbose_name=_("单位"),
    )
    column_id = models.PositiveIntegerField(null=True, blank=True)
    column_name = models.CharField(_("栏目"), max_length=100, blank=True)
    revision_key = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    released_at = models.DateTimeField(_("首次发布"), default=timezone.now)
    updated_at = models.DateTimeField(_("最近更新"), default=timezone.now)
    retracted_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("发布记录")
        verbose_name_plural = _("发布记录")
        ordering = ["-released_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="publicity_release_once"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def public_id(self) -> str:
        return f"{self.kind}-{self.object_id}"


class DeliveryQuerySet(models.QuerySet):
    def failed(self):
        return self.filter(
            status__in=[Delivery.Status.RETRYING, Delivery.Status.FAILED]
        )

    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
            next_attempt_at__lte=now,
        )


class Delivery(models.Model):
    """One release event sent to one webhook channel, retried until it lands."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        RETRYING = "retrying", _("失败待重试")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败（已停止重试）")

    class Event(models.TextChoices):
        RELEASE = "release", _("首次发布")
        UPDATE = "update", _("更新")
        RETRACT = "retract", _("撤下")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey(
        Channel,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("渠道"),
    )
    # Copied from the channel so that unit admins' listings filter on one column.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    release = models.ForeignKey(
        Release,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("发布内容"),
    )
    event = models.CharField(_("事件"), max_length=10, choices=Event.choices)
    revision_key = models.CharField(max_length=40, blank=True)
    payload = models.JSONField(_("内容"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("响应码"), null=True, blank=True)
    last_error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "release", "revision_key"],
                name="publicity_delivery_once_per_revision",
            )
        ]

    def __str__(self):
        return f"{self.channel} · {self.release}"


class DeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery: what the receiver answered, how fast."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("第几次"))
    attempted_at = models.DateTimeField(_("时间"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("响应码"), null=True, blank=True)
    response_excerpt = models.TextField(_("响应摘录"), blank=True)
    error = models.TextField(_("错误"), blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    ok = models.BooleanField(_("成功"), default=False)

    class Meta:
        verbose_name = _("推送尝试")
        verbose_name_plural = _("推送尝试")
        ordering = ["delivery_id", "number"]

    def __str__(self):
        return f"{self.delivery_id}#{self.number}"


class SubscriberQuerySet(models.QuerySet):
    def receiving(self):
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscriber(models.Model):
    """Someone who gets the daily e-mail digest (double opt-in)."""

    email = models.EmailField(_("邮箱"), unique=True)
    units: models.ManyToManyField[Organisation, models.Model] = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        verbose_name=_("关注单位"),
        help_text=_("不选表示全市"),
    )
    kinds = models.JSONField(_("关注栏目"), default=list, blank=True)
    created_at = models.DateTimeField(_("订阅时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("退订时间"), null=True, blank=True)
    last_digest_at = models.DateTimeField(_("上次摘要"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("邮件订阅者")
        verbose_name_plural = _("邮件订阅者")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    @property
    def is_receiving(self) -> bool:
        return bool(self.confirmed_at and not self.unsubscribed_at)
