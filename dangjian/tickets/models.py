"""12345 hotline tickets (工单): taken in by the hotline's operators, answered
at once from the knowledge base or dispatched to a unit, handled within
deadlines in working days, followed up with the citizen and closed.

A ticket belongs to the unit it is dispatched to (``unit``); that is how the
admin, the API and the pages scope it (``orgs.permissions``, with the
operators' ``tickets.operate_hotline`` reaching every unit).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Organisation

MAX_TEXT = 4000

# The data's own label names (messages.jsonl, field message_type).
TYPES = ("咨询", "投诉/求助", "建言")
CONSULT = "咨询"


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    WECHAT = "wechat", _("微信")
    LETTER = "letter", _("来信")


class Status(models.TextChoices):
    NEW = "new", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    SIGNED = "signed", _("办理中")
    REPLIED = "replied", _("待回访")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = (Status.NEW, Status.DISPATCHED, Status.SIGNED, Status.REPLIED)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class TicketQuerySet(models.QuerySet["Ticket"]):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_unit(self, unit):
        return self.filter(unit=unit)

    def by_due_date(self):
        return self.order_by(
            models.F("reply_due").asc(nulls_last=True), "sign_due", "pk"
        )

    def sign_overdue(self, day: dt.date):
        return self.filter(status=Status.DISPATCHED, sign_due__lt=day)

    def reply_overdue(self, day: dt.date):
        return self.filter(
            status__in=(Status.DISPATCHED, Status.SIGNED), reply_due__lt=day
        )

    def corrected(self):
        """Tickets whose domain or type an operator changed from the suggestion:
        the next training learns from them."""
        return self.exclude(suggested_domain="").filter(
            ~Q(domain=models.F("suggested_domain"))
            | ~Q(message_type=models.F("suggested_type"))
        )


class Ticket(models.Model):
    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    channel = models.CharField(
        _("来源渠道"), max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    caller_name = models.CharField(_("来电人（脱敏）"), max_length=40, blank=True)
    caller_phone = models.CharField(_("号码（脱敏）"), max_length=20, blank=True)
    caller_hash = models.CharField(
        _("号码密钥散列"), max_length=64, blank=True, db_index=True, editable=False
    )
    text = models.TextField(_("诉求内容"), max_length=MAX_TEXT)
    domain = models.CharField(_("领域"), max_length=40, blank=True)
    message_type = models.CharField(_("类型"), max_length=20, default=CONSULT)
    suggested_domain = models.CharField(_("建议领域"), max_length=40, blank=True)
    suggested_type = models.CharField(_("建议类型"), max_length=20, blank=True)
    suggested_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("建议承办单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confidence = models.FloatField(_("置信度"), null=True, blank=True)
    model_version = models.PositiveIntegerField(_("模型版本"), null=True, blank=True)
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    kb_entry_id = models.PositiveIntegerField(_("引用知识条目"), null=True, blank=True)
    kb_entry_title = models.CharField(_("引用条目名称"), max_length=300, blank=True)
    kb_proposed = models.BooleanField(_("已提议新增知识条目"), default=False)
    received_on = models.DateField(_("受理日期"))
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    sign_due = models.DateField(_("签收期限"), null=True, blank=True)
    reply_due = models.DateField(_("办理期限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("办理答复"), blank=True)
    send_backs = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    reopens = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    extension_days = models.PositiveSmallIntegerField(
        _("申请延期（工作日）"), null=True, blank=True
    )
    extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    satisfaction = models.CharField(
        _("回访结果"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at"]
        permissions = [("operate_hotline", _("12345 热线话务（受理、派单、回访）"))]
        indexes = [
            models.Index(fields=["unit", "status", "reply_due"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("tickets:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def extension_pending(self) -> bool:
        return self.extension_days is not None


class Action(models.TextChoices):
    RECEIVE = "receive", _("受理")
    ANSWER = "answer", _("直接答复办结")
    DISPATCH = "dispatch", _("派单")
    SIGN = "sign", _("签收")
    SEND_BACK = "send_back", _("退回")
    EXTEND_ASK = "extend_ask", _("申请延期")
    EXTEND_OK = "extend_ok", _("同意延期")
    EXTEND_NO = "extend_no", _("不同意延期")
    REPLY = "reply", _("答复")
    ESCALATE = "escalate", _("督办")
    FOLLOW_UP = "follow_up", _("回访")
    REOPEN = "reopen", _("不满意重办")
    CLOSE = "close", _("办结")
    KB_PROPOSAL = "kb_proposal", _("提议新增知识条目")


class TicketEvent(models.Model):
    """One step in a ticket's timeline."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("工单")
    )
    action = models.CharField(_("环节"), max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("工单环节")
        verbose_name_plural = _("工单环节")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ticket} {self.get_action_display()}"


class DispatchRule(models.Model):
    """Which unit handles a domain, or a message with one of the keywords.

    A keyword rule wins over a domain rule; among rules of one kind the
    higher priority wins.
    """

    domain = models.CharField(_("领域"), max_length=40, blank=True)
    keywords = models.CharField(
        _("关键词"),
        max_length=300,
        blank=True,
        help_text=_("用逗号分隔；诉求含其中任一词即派往此单位"),
    )
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("承办单位"),
        on_delete=models.CASCADE,
        related_name="dispatch_rules",
    )
    priority = models.SmallIntegerField(_("优先级"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        ordering = ["-priority", "domain", "pk"]

    def __str__(self):
        return f"{self.domain or self.keywords} → {self.unit}"

    def keyword_list(self) -> list[str]:
        import re

        return [k for k in re.split(r"[,，、;；\s]+", self.keywords) if k]


class Deadline(models.Model):
    """Working days a unit has to sign for and to answer a ticket of a type."""

    message_type = models.CharField(_("类型"), max_length=20, unique=True)
    sign_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=1)
    reply_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=5)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["message_type"]

    def __str__(self):
        return self.message_type


class DispatchModel(models.Model):
    """A trained classifier (domain and type), stored with its version."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    blob = models.BinaryField(_("模型"))
    method = models.CharField(_("方法"), max_length=200)
    metrics = models.JSONField(_("留出集指标"), default=dict)
    training_rows = models.PositiveIntegerField(_("训练样本数"), default=0)
    corrections = models.PositiveIntegerField(_("纳入的话务员更正"), default=0)
    created_at = models.DateTimeField(_("训练时间"), default=timezone.now)

    class Meta:
        verbose_name = _("派单模型")
        verbose_name_plural = _("派单模型")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"
