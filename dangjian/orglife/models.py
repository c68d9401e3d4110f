"""Organisation life of a party branch: 三会一课 under yearly rules, party dues
(党费), the recruitment pipeline (发展党员) and the annual member review
(民主评议党员).

A 三会一课 meeting is its own model here, not a study session: it belongs to
a branch, counts towards a statutory rule and period, and its attendance
records leave (请假) and make-up study (补学) against the missed meeting.
Study sessions stay what they are (group study with check-in); a meeting
that is also a study session says so in its topic, nothing more.

Members are people with a membership in the branch (``orgs``); the member
registry's profiles are not read here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Organisation

# 三会一课 ---------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    ASSEMBLY = "assembly", _("支部党员大会")
    COMMITTEE = "committee", _("支部委员会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month or quarter containing ``day``."""
    if period == Period.QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        start = dt.date(day.year, first_month, 1)
        months = 3
    else:
        start = day.replace(day=1)
        months = 1
    year, month = divmod(start.month - 1 + months, 12)
    end = dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)
    return start, end


def periods_of_year(period: str, year: int) -> list[tuple[dt.date, dt.date]]:
    step = 3 if period == Period.QUARTER else 1
    return [period_bounds(period, dt.date(year, m, 1)) for m in range(1, 13, step)]


class MeetingRule(models.Model):
    """How often a branch must hold one kind of meeting (admin-editable)."""

    kind = models.CharField(
        _("会议类型"), max_length=12, choices=MeetingKind.choices, unique=True
    )
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    min_count = models.PositiveSmallIntegerField(
        _("每周期至少召开次数"), default=1, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("三会一课规则")
        verbose_name_plural = _("三会一课规则")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.get_period_display()}至少{self.min_count}次"


class MeetingQuerySet(models.QuerySet):
    def held(self):
        return self.filter(held_on__isnull=False)

    def in_year(self, year: int):
        # A range, not __year: SQLite would call a function on every row.
        return self.filter(
            period_start__gte=dt.date(year, 1, 1),
            period_start__lte=dt.date(year, 12, 31),
        )

    def due(self, today: dt.date | None = None):
        """Planned, not held, and its period has started."""
        today = today or timezone.localdate()
        return self.filter(
            held_on__isnull=True, cancelled=False, period_start__lte=today
        )


class Meeting(models.Model):
    """One planned (then held) 三会一课 meeting of a branch.

    It counts for the period of its planned date; held after that period's
    end it is late (补开).
    """

    branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="orglife_meetings",
        verbose_name=_("党支部"),
    )
    kind = models.CharField(_("会议类型"), max_length=12, choices=MeetingKind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    planned_on = models.DateField(_("计划日期"))
    period_start = models.DateField(_("所属周期开始"), editable=False)
    period_end = models.DateField(_("所属周期结束"), editable=False)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    cancelled = models.BooleanField(_("已取消"), default=False)
    notice_sent_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("三会一课")
        verbose_name_plural = _("三会一课")
        ordering = ["planned_on", "pk"]
        indexes = [models.Index(fields=["period_start", "branch", "kind"])]

    def __str__(self):
        return f"{self.planned_on} {self.get_kind_display()}：{self.topic}"

    def save(self, *args, **kwargs):
        self.set_period()
        super().save(*args, **kwargs)

    def set_period(self) -> None:
        period = RULE_PERIODS.get(self.kind, Period.MONTH)
        rule = MeetingRule.objects.filter(kind=self.kind).first()
        if rule is not None:
            period = rule.period
        self.period_start, self.period_end = period_bounds(period, self.planned_on)

    @property
    def is_held(self) -> bool:
        return self.held_on is not None

    @property
    def is_late(self) -> bool:
        return self.held_on is not None and self.held_on > self.period_end


# The statutory periods, for a meeting whose rule was deleted.
RULE_PERIODS: dict[str, str] = {
    MeetingKind.ASSEMBLY: Period.QUARTER,
    MeetingKind.COMMITTEE: Period.MONTH,
    MeetingKind.GROUP: Period.MONTH,
    MeetingKind.LECTURE: Period.QUARTER,
    MeetingKind.THEME_DAY: Period.MONTH,
}


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        LEAVE = "leave", _("请假")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="orglife_attendance",
        verbose_name=_("党员"),
    )
    status = models.CharField(_("出席情况"), max_length=8, choices=Status.choices)
    leave_reason = models.CharField(_("请假事由"), max_length=200, blank=True)
    made_up_on = models.DateField(_("补学日期"), null=True, blank=True)
    made_up_note = models.CharField(_("补学内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("会议出席")
        verbose_name_plural = _("会议出席")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="orglife_attendance_once"
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.get_status_display()}"


# 党费 ------------------------------------------------------------------------------


class DuesKind(models.TextChoices):
    EMPLOYED = "employed", _("在职党员")
    RETIRED = "retired", _("离退休党员")
    FARMER = "farmer", _("农民党员")
    STUDENT = "student", _("学生党员")
    UNEMPLOYED = "unemployed", _("下岗失业党员")
    SUBSISTENCE = "subsistence", _("享受最低生活保障的党员")


class DuesRule(models.Model):
    """One band of the dues regulation: for a kind of member and a base in
    (above, up_to], either a rate of the base or a fixed monthly amount
    (farmers may choose within [fixed_min, fixed_max])."""

    kind = models.CharField(_("党员类别"), max_length=12, choices=DuesKind.choices)
    above = models.DecimalField(
        _("基数高于（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    up_to = models.DecimalField(
        _("基数不超过（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rate = models.DecimalField(
        _("比例"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    fixed_min = models.DecimalField(
        _("固定金额下限（元/月）"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    fixed_max = models.DecimalField(
        _("固定金额上限（元/月）"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("党费标准")
        verbose_name_plural = _("党费标准")
        ordering = ["kind", "above"]

    def __str__(self):
        if self.rate is not None:
            return f"{self.get_kind_display()} {self.above or 0}–{self.up_to or '∞'}：{self.rate}"
        return f"{self.get_kind_display()}：{self.fixed_min}–{self.fixed_max} 元/月"

    def matches(self, base: Decimal) -> bool:
        if self.above is not None and base <= self.above:
            return False
        return self.up_to is None or base <= self.up_to


class DuesDeclaration(models.Model):
    """A member's yearly dues base: declared by the member (or the branch),
    confirmed by the branch. Dues are owed from ``starts_on`` (the month a
    预备党员 is admitted, or January)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dues_declarations",
        verbose_name=_("党员"),
    )
    branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="dues_declarations",
        verbose_name=_("党支部"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("党员类别"), max_length=12, choices=DuesKind.choices)
    base = models.DecimalField(
        _("月收入基数（元）"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    monthly = models.DecimalField(_("每月党费（元）"), max_digits=8, decimal_places=2)
    starts_on = models.DateField(_("起缴月份"))
    declared_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("党费基数申报")
        verbose_name_plural = _("党费基数申报")
        ordering = ["-year", "branch", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"], name="orglife_declaration_once"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.year}年 {self.monthly}元/月"


class DuesPayment(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", _("现金")
        TRANSFER = "transfer", _("转账")
        ONLINE = "online", _("在线支付")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="dues_payments",
        verbose_name=_("党员"),
    )
    branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="dues_payments",
        verbose_name=_("党支部"),
    )
    month = models.DateField(_("所属月份"))
    amount = models.DecimalField(_("金额（元）"), max_digits=8, decimal_places=2)
    method = models.CharField(_("缴纳方式"), max_length=8, choices=Method.choices)
    reference = models.CharField(_("支付单号"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("缴纳时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("党费缴纳")
        verbose_name_plural = _("党费缴纳")
        ordering = ["-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month"], name="orglife_payment_once_a_month"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m} {self.amount}元"


class PaymentOrder(models.Model):
    """An online payment a member started; the provider's signed callback
    settles it (``payments.py``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待支付")
        PAID = "paid", _("已支付")
        FAILED = "failed", _("支付失败")

    reference = models.CharField(_("支付单号"), max_length=64, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    months = models.JSONField(_("月份"), default=list)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("在线缴费订单")
        verbose_name_plural = _("在线缴费订单")

    def __str__(self):
        return self.reference


class CallbackNonce(models.Model):
    """A nonce a payment callback used; the same nonce twice is a replay."""

    nonce = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.nonce


# 发展党员 --------------------------------------------------------------------------


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")
    CANCELLED = "cancelled", _("取消预备党员资格")


class Recruit(models.Model):
    """One person on the way into the party, with the date of each step."""

    branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="recruits",
        verbose_name=_("党支部"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recruit_records",
        verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"))
    stage = models.CharField(
        _("阶段"), max_length=12, choices=Stage.choices, default=Stage.APPLICANT
    )
    applied_on = models.DateField(_("递交入党申请书日期"))
    activist_on = models.DateField(_("确定为积极分子日期"), null=True, blank=True)
    trained_on = models.DateField(_("培训结业日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定为发展对象日期"), null=True, blank=True)
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_to = models.DateField(_("公示结束"), null=True, blank=True)
    admitted_on = models.DateField(_("接收为预备党员日期"), null=True, blank=True)
    probation_until = models.DateField(_("预备期满"), null=True, blank=True)
    full_on = models.DateField(_("转为正式党员日期"), null=True, blank=True)
    cancelled_on = models.DateField(_("取消资格日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("发展党员")
        verbose_name_plural = _("发展党员")
        ordering = ["branch", "applied_on", "pk"]

    def __str__(self):
        return f"{self.name}（{self.get_stage_display()}）"

    def clean(self):
        # The admin's form comes here; the pipeline's actions check the same.
        if self.birth_date and self.applied_on:
            try:
                adult = self.birth_date.replace(year=self.birth_date.year + 18)
            except ValueError:  # 29 February
                adult = dt.date(self.birth_date.year + 18, 2, 28)
            if self.applied_on < adult:
                raise ValidationError({"applied_on": _("递交入党申请时须年满十八岁")})


class RecruitStep(models.Model):
    """One decision on a recruit: the stage reached, the meeting resolution
    and the higher committee's approval, with the documents' numbers."""

    recruit = models.ForeignKey(Recruit, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices)
    on = models.DateField(_("日期"))
    resolution = models.CharField(_("支部决议"), max_length=200, blank=True)
    approval = models.CharField(_("上级党委审批"), max_length=200, blank=True)
    documents = models.CharField(_("材料"), max_length=300, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发展步骤")
        verbose_name_plural = _("发展步骤")
        ordering = ["recruit", "on", "pk"]

    def __str__(self):
        return f"{self.on} {self.get_stage_display()}"


class RecruitNotice(models.Model):
    """A 公示 of a 发展对象 proposed as a 党务公开 item (``publish.py``).

    The item lives in the disclosure column (``item_id``, read through the
    ``dangjian_disclosure`` hook); admission waits until it is published
    and ``NOTICE_WORKDAYS`` working days from its publication have passed.
    The latest row of a recruit is the one that counts."""

    recruit = models.ForeignKey(
        Recruit, on_delete=models.CASCADE, related_name="notices"
    )
    item_id = models.PositiveIntegerField(_("公开事项"))
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发展对象公示")
        verbose_name_plural = _("发展对象公示")
        ordering = ["recruit", "-proposed_at", "-pk"]

    def __str__(self):
        return f"{self.recruit.name} 公示 {self.starts_on}"


def recruit_document_path(instance: RecruitDocument, filename: str) -> str:
    import os
    import uuid

    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"orglife/recruits/{instance.step.recruit_id}/{uuid.uuid4().hex}{ext}"


class RecruitDocument(models.Model):
    """A document of a recruitment step (申请书, 培训结业证明, 政审材料…), kept
    in the private storage and served only to the branch's secretary and
    the unit admins above it (``/orglife/document/<id>/``)."""

    step = models.ForeignKey(
        RecruitStep, on_delete=models.CASCADE, related_name="files"
    )
    title = models.CharField(_("材料名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to=recruit_document_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发展材料")
        verbose_name_plural = _("发展材料")
        ordering = ["step", "pk"]

    def __str__(self):
        return self.title


# 民主评议党员 ----------------------------------------------------------------------


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


# What a rating is worth in the quantitative assessment (0–100).
RATING_SCORES: dict[str, float] = {
    Rating.EXCELLENT: 100.0,
    Rating.QUALIFIED: 85.0,
    Rating.BASIC: 60.0,
    Rating.UNQUALIFIED: 0.0,
}


class EvaluationCampaign(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("评议中")
        FINISHED = "finished", _("已完成")

    branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="evaluation_campaigns",
        verbose_name=_("党支部"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["-year", "branch"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "year"], name="orglife_campaign_once_a_year"
            )
        ]

    def __str__(self):
        return f"{self.branch} {self.year}年度民主评议"


class SelfEvaluation(models.Model):
    campaign = models.ForeignKey(
        EvaluationCampaign, on_delete=models.CASCADE, related_name="self_evaluations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("自我评价"))
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("自我评价")
        verbose_name_plural = _("自我评价")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], name="orglife_self_once"
            )
        ]

    def __str__(self):
        return f"{self.person} 自评"


class MutualEvaluation(models.Model):
    campaign = models.ForeignKey(
        EvaluationCampaign, on_delete=models.CASCADE, related_name="mutual_evaluations"
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    ratee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices)
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("互评")
        verbose_name_plural = _("互评")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "rater", "ratee"], name="orglife_mutual_once"
            ),
            models.CheckConstraint(
                condition=~Q(rater=models.F("ratee")), name="orglife_no_self_mutual"
            ),
        ]

    def __str__(self):
        return f"{self.rater} → {self.ratee}"


class BranchRating(models.Model):
    campaign = models.ForeignKey(
        EvaluationCampaign, on_delete=models.CASCADE, related_name="ratings"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("党员"),
    )
    rating = models.CharField(_("评定等次"), max_length=12, choices=Rating.choices)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("支部评定")
        verbose_name_plural = _("支部评定")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "person"], name="orglife_rating_once"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.get_rating_display()}"


class HolidayOverride(models.Model):
    """A day the statutory calendar package does not know yet (next year's
    notice) or gets wrong: read by ``lib.workdays`` through a hook."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {'上班' if self.is_workday else '放假'}"


class DuesSummaryDisclosure(models.Model):
    """A branch's annual dues collection summary proposed as a 党务公开
    item (``publish.py``): one per branch and year."""

    branch = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("党支部"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    item_id = models.PositiveIntegerField(_("公开事项"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("党费收缴情况公开")
        verbose_name_plural = _("党费收缴情况公开")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "year"], name="orglife_dues_summary_once"
            )
        ]

    def __str__(self):
        return f"{self.branch} {self.year}"
