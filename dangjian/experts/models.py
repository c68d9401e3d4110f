"""Policy experts (政策专员): the directory, enterprise questions and their answers.

A question moves through a small guarded state machine (see ``actions.py``):

    submitted ──route──▶ assigned ──answer──▶ answered ──rate──▶ (rated)
        ▲                   │
        └──── reassign ─────┘

The enterprise holds an unguessable ``token``; whoever has the tracking link
is the enterprise, and nobody else can read or rate the question.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations


def new_token() -> str:
    # 32 bytes of randomness: the link is the enterprise's only credential.
    return secrets.token_urlsafe(32)


class PrivateStorage(FileSystemStorage):
    """Attachments live outside MEDIA_ROOT, so /media/ never serves them.

    They are streamed by views that check the token or the expert's access.
    The location is read when used, not at import time.
    """

    @property
    def base_location(self):
        default = settings.MEDIA_ROOT.parent / "private"
        return str(getattr(settings, "DANGJIAN_PRIVATE_MEDIA_ROOT", default))

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


private_storage = PrivateStorage()


def attachment_path(instance, filename: str) -> str:
    # The original name is kept on the row; the stored name is random.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"experts/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{suffix}"


class PolicyDomainQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class PolicyDomain(models.Model):
    """A policy area enterprises ask about (税费、社保、融资 …), editable by admins."""

    name = models.CharField(_("领域名称"), max_length=40, unique=True)
    keywords = models.TextField(
        _("关键词"),
        blank=True,
        help_text=_("用空格、逗号或顿号分隔；用于把问题分派给合适的专员"),
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = PolicyDomainQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策领域")
        verbose_name_plural = _("政策领域")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class ExpertQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_open_counts(self):
        return self.annotate(
            open_count=Count(
                "questions",
                filter=Q(questions__status=Question.Status.ASSIGNED),
            )
        )

    def managed_by(self, person):
        """Experts a unit admin manages (experts of their units); all for superusers."""
        if person is None or not person.is_authenticated:
            return self.none()
        if person.is_superuser:
            return self.all()
        return self.filter(unit__in=managed_organisations(person, [Role.UNIT_ADMIN]))


class Expert(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="policy_experts",
        verbose_name=_("所在单位"),
    )
    title = models.CharField(_("职务"), max_length=60, blank=True)
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="policy_expert",
        verbose_name=_("登录账号"),
        help_text=_("关联账号后，专员可登录后台或手机页面答复问题"),
    )
    domains = models.ManyToManyField(
        PolicyDomain, related_name="experts", verbose_name=_("政策领域")
    )
    keywords = models.TextField(
        _("专长关键词"), blank=True, help_text=_("用空格、逗号或顿号分隔")
    )
    contact_hours = models.CharField(
        _("服务时间"), max_length=100, blank=True, default="工作日 9:00-17:00"
    )
    phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    bio = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策专员")
        verbose_name_plural = _("政策专员")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="unique_expert_name")
        ]

    def __str__(self):
        return f"{self.name}（{self.unit.short_name or self.unit.name}）"


class QuestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[Question.Status.NEW, Question.Status.ASSIGNED])

    def overdue(self, now=None):
        """Questions without a first answer whose service-level deadline has passed."""
        return self.open().filter(due_at__lt=now or timezone.now())

    def to_escalate(self, now=None):
        return self.overdue(now).filter(escalated_at__isnull=True)

    def for_expert(self, person):
        return self.filter(expert__person=person)

    def visible_to(self, person):
        """Experts see their own questions; unit admins their unit's; superusers all."""
        if person is None or not person.is_authenticated or not person.is_active:
            return self.none()
        if person.is_superuser:
            return self.all()
        managed = managed_organisations(person, [Role.UNIT_ADMIN])
        return self.filter(Q(expert__person=person) | Q(expert__unit__in=managed))


class Question(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("待分派")
        ASSIGNED = "assigned", _("待答复")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已关闭")

    token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False
    )
    submission_key = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    # Who first used submission_key (a keyed hash of the person or, for an
    # anonymous enterprise, of what it submitted): only they may replay it.
    submission_fingerprint = models.CharField(
        max_length=64, blank=True, default="", editable=False
    )
    company_name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=30)
    mobile = models.CharField(_("手机号"), max_length=11)
    email = models.EmailField(_("电子邮箱"), blank=True)
    domain = models.ForeignKey(
        PolicyDomain,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("政策领域"),
    )
    text = models.TextField(_("问题描述"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    expert = models.ForeignKey(
        Expert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("承办专员"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("答复时限"))
    first_answered_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("评分"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业问题")
        verbose_name_plural = _("企业问题")
        ordering = ["-submitted_at"]
        permissions = [("reassign_question", _("可改派企业问题"))]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="experts_rating_1_to_5",
            )
        ]

    def __str__(self):
        return f"{self.company_name}：{self.summary}"

    def get_absolute_url(self):
        return reverse("experts:track", args=[self.token])

    @property
    def summary(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 30 else text[:30] + "…"

    @property
    def reference(self) -> str:
        """A short number the enterprise can quote on the phone."""
        return f"ZC{self.submitted_at:%Y%m%d}{self.pk:05d}"

    @property
    def is_overdue(self) -> bool:
        return self.first_answered_at is None and self.due_at < timezone.now()

    @property
    def can_be_rated(self) -> bool:
        return self.status == self.Status.ANSWERED and self.rating is None

    @property
    def response_hours(self) -> float | None:
        if self.first_answered_at is None:
            return None
        return (self.first_answered_at - self.submitted_at).total_seconds() / 3600

    @staticmethod
    def due_from(submitted_at):
        hours = getattr(settings, "DANGJIAN_EXPERTS_SLA_HOURS", 48)
        return submitted_at + timedelta(hours=hours)


class Answer(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers"
    )
    expert = models.ForeignKey(
        Expert,
        on_delete=models.PROTECT,
        null=True,
        related_name="answers",
        verbose_name=_("答复专员"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    text = models.TextField(_("答复内容"))
    created_at = models.DateTimeField(_("答复时间"), default=timezone.now)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.question_id} · {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("文件"), upload_to=attachment_path, storage=private_storage, max_length=200
    )
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class Escalation(models.Model):
    """An overdue question brought to the attention of the expert's unit admins."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="escalations"
    )
    expert = models.ForeignKey(
        Expert, on_delete=models.SET_NULL, null=True, related_name="escalations"
    )
    due_at = models.DateTimeField(_("答复时限"))
    notified = models.JSONField(_("已通知"), default=list)
    created_at = models.DateTimeField(_("督办时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["-created_at"]
        constraints = [
            # One escalation per question and expert: after a reassignment the
            # new expert's unit admins hear of it too, but nobody hears twice.
            models.UniqueConstraint(
                fields=["question", "expert"], name="unique_escalation_per_expert"
            )
        ]

    def __str__(self):
        return f"{self.question} · {self.created_at:%Y-%m-%d %H:%M}"
