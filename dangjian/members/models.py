"""The party-member registry: profiles, their status history, views of full
records, one-time codes for first sign-in, and transfers between branches."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Organisation


class Sex(models.TextChoices):
    MALE = "男", _("男")
    FEMALE = "女", _("女")


class Category(models.TextChoices):
    FULL = "正式党员", _("正式党员")
    PROBATIONARY = "预备党员", _("预备党员")


class Status(models.TextChoices):
    REGISTERED = "在册", _("在册")
    FLOATING = "流动党员", _("流动党员")
    LEFT = "出党", _("出党")
    SUSPENDED = "停止党籍", _("停止党籍")
    DECEASED = "死亡", _("死亡")
    TRANSFERRED_OUT = "转出", _("转出")


# A member in one of these statuses has no account and no 党内 scope.
NO_ACCESS = frozenset(
    {Status.LEFT, Status.SUSPENDED, Status.DECEASED, Status.TRANSFERRED_OUT}
)


class MemberProfileQuerySet(models.QuerySet):
    def in_organisations(self, organisations):
        """Profiles whose branch is one of these organisations."""
        return self.filter(branch__in=organisations)

    def on_roll(self):
        return self.exclude(status__in=NO_ACCESS)


class MemberProfile(models.Model):
    """One party member's record; one per person."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_profile",
        verbose_name=_("账号"),
    )
    branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="member_profiles",
        verbose_name=_("所在党组织"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=2, choices=Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"))
    id_hash = models.CharField(_("身份证号摘要"), max_length=64, unique=True)
    id_masked = models.CharField(_("身份证号"), max_length=20)
    id_sealed = models.TextField(_("身份证号（加密）"), editable=False)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    education = models.CharField(_("学历"), max_length=30, blank=True)
    joined_on = models.DateField(_("入党日期"))
    full_member_on = models.DateField(_("转正日期"), null=True, blank=True)
    category = models.CharField(_("党员类别"), max_length=10, choices=Category.choices)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    status = models.CharField(
        _("党籍状态"), max_length=10, choices=Status.choices, default=Status.REGISTERED
    )
    activated_at = models.DateTimeField(_("账号激活时间"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("账号停用时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MemberProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员档案")
        verbose_name_plural = _("党员档案")
        ordering = ["branch__path", "name", "pk"]

    def __str__(self):
        return f"{self.name}（{self.branch.name}）"

    @property
    def has_access(self) -> bool:
        return self.status not in NO_ACCESS and self.disabled_at is None


class StatusChange(models.Model):
    """A dated change of a member's status (the first row: registration)."""

    profile = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="status_changes"
    )
    previous = models.CharField(
        _("原状态"), max_length=10, choices=Status.choices, blank=True
    )
    status = models.CharField(_("新状态"), max_length=10, choices=Status.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("党籍状态变更")
        verbose_name_plural = _("党籍状态变更")
        ordering = ["effective_on", "pk"]

    def __str__(self):
        return f"{self.effective_on} {self.previous or '—'} → {self.status}"


class RecordView(models.Model):
    """Someone saw a member's full record (the unmasked ID number)."""

    profile = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="record_views"
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    viewed_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=20, default="admin")

    class Meta:
        verbose_name = _("完整档案查阅记录")
        verbose_name_plural = _("完整档案查阅记录")
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.viewer_id} → {self.profile_id} {self.viewed_at:%Y-%m-%d %H:%M}"


class ActivationCode(models.Model):
    """A code sent by SMS to a member's mobile. Only keyed hashes are kept."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.phone_hash[:8]} {self.created_at:%Y-%m-%d %H:%M}"


class TransferQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Transfer.OPEN)

    def overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def touching(self, organisations):
        """Transfers out of or into these organisations."""
        return self.filter(
            Q(from_branch__in=organisations) | Q(to_branch__in=organisations)
        )


class Transfer(models.Model):
    """组织关系转接 within the city: requested → approved by the sending
    organisation → accepted by the receiving one → completed on the
    effective date; either side may refuse with a reason."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待转出党组织审批")
        APPROVED = "approved", _("待接收党组织接收")
        ACCEPTED = "accepted", _("已接收，待生效")
        COMPLETED = "completed", _("已完成")
        REFUSED = "refused", _("已拒绝")
        CANCELLED = "cancelled", _("已撤回")

    OPEN = ("requested", "approved", "accepted")

    profile = models.ForeignKey(
        MemberProfile,
        on_delete=models.CASCADE,
        related_name="transfers",
        verbose_name=_("党员"),
    )
    from_branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("转出党组织"),
    )
    to_branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("转入党组织"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    effective_on = models.DateField(_("生效日期"))
    deadline = models.DateField(_("办理期限"))
    refusal_reason = models.CharField(_("拒绝理由"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refused_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One transfer in progress per member.
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(status__in=["requested", "approved", "accepted"]),
                name="members_one_open_transfer",
            )
        ]

    def __str__(self):
        return f"{self.profile.name}：{self.from_branch} → {self.to_branch}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.deadline < (today or timezone.localdate())


class IntroductionLetter(models.Model):
    """A numbered 介绍信 for a member leaving the city, with a tear-off
    receipt (回执); the member is 转出 from issue, and the transfer is closed
    when the receiving organisation's receipt is recorded."""

    profile = models.ForeignKey(
        MemberProfile,
        on_delete=models.CASCADE,
        related_name="letters",
        verbose_name=_("党员"),
    )
    number = models.CharField(_("编号"), max_length=20, unique=True)
    from_branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转出党组织"),
    )
    destination = models.CharField(_("接收党组织（市外）"), max_length=100)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("开具时间"), default=timezone.now)
    valid_until = models.DateField(_("有效期至"))
    receipt_recorded_at = models.DateTimeField(_("回执登记时间"), null=True, blank=True)
    receipt_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("组织关系介绍信")
        verbose_name_plural = _("组织关系介绍信")
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return f"第{self.number}号 {self.profile.name}"


class ArrivalLetter(models.Model):
    """The 介绍信 a member arrives with from outside the city: its number and
    issuing organisation, kept with the record it opened. One letter number
    of one issuer opens one record (a form sent twice registers once)."""

    profile = models.ForeignKey(
        MemberProfile,
        on_delete=models.CASCADE,
        related_name="arrival_letters",
        verbose_name=_("党员"),
    )
    number = models.CharField(_("介绍信编号"), max_length=30)
    issuer = models.CharField(_("开具介绍信的党组织"), max_length=100)
    to_branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接收党支部"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("市外转入介绍信")
        verbose_name_plural = _("市外转入介绍信")
        ordering = ["-registered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "number"], name="members_one_arrival_per_letter"
            )
        ]

    def __str__(self):
        return f"{self.issuer} 第{self.number}号"
