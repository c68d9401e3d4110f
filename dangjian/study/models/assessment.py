"""量化考核: yearly schemes of weighted indicators and their computed runs
(see ``dangjian.study.assessment`` for the computation)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from dangjian.orgs.models import Organisation


class AssessmentScheme(ClusterableModel):
    """量化考核: weighted indicators for one year."""

    year: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        _("年度"), unique=True, validators=[MinValueValidator(2000)]
    )
    name: models.CharField[str, str] = models.CharField(_("名称"), max_length=100)
    description: models.TextField[str, str] = models.TextField(_("说明"), blank=True)

    panels = [
        FieldPanel("year"),
        FieldPanel("name"),
        FieldPanel("description"),
        InlinePanel("indicators", label=_("指标"), min_num=1),
    ]

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year"]

    def __str__(self):
        return self.name

    def clean(self):
        # Weights are checked when the scheme is run (the inline indicators
        # are not yet saved here); see dangjian.study.assessment.check_scheme.
        pass


class Indicator(Orderable):
    class Kind(models.TextChoices):
        POINTS = "points", _("学习积分")
        PLAN_COMPLETION = "plan", _("学习计划完成率")
        SESSIONS = "sessions", _("参加学习会次数")
        QUIZ_AVERAGE = "quiz", _("答题平均得分率")
        SPOT_CHECK = "spot_check", _("抽查结果")
        EVALUATION = "evaluation", _("民主评议结果")

    scheme = ParentalKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="indicators"
    )
    kind: models.CharField[str, str] = models.CharField(
        _("指标"), max_length=12, choices=Kind.choices
    )
    weight: models.DecimalField[Decimal, Decimal] = models.DecimalField(
        _("权重（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    target: models.DecimalField[Decimal, Decimal] = models.DecimalField(
        _("满分所需"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("100"),
        help_text=_(
            "积分、学习会次数：达到此数得满分，不足按比例；"
            "完成率、得分率：按百分比计，此项填 100；"
            "抽查：合格得满分，需改进得此数（0–100），未抽到不计入；"
            "民主评议：按等次计分（优秀 100、合格 85、基本合格 60、不合格 0），"
            "未参加评议不计入，此项填 100"
        ),
    )

    panels = [FieldPanel("kind"), FieldPanel("weight"), FieldPanel("target")]

    class Meta(Orderable.Meta):
        verbose_name = _("考核指标")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "kind"], name="study_indicator_once"
            )
        ]


class AssessmentRun(models.Model):
    """One computation of a scheme: the scores as they stood at ``computed_at``."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="runs"
    )
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    people = models.PositiveIntegerField(_("人数"), default=0)
    seconds = models.FloatField(_("用时（秒）"), default=0)

    class Meta:
        verbose_name = _("考核计算")
        ordering = ["-computed_at", "-pk"]

    def __str__(self):
        return f"{self.scheme} · {self.computed_at:%Y-%m-%d %H:%M}"

    @cached_property
    def indicators(self) -> list[Indicator]:
        return list(self.scheme.indicators.all())


class PersonScore(models.Model):
    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", null=True
    )
    total = models.DecimalField(max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField()
    # [{"kind", "value", "score", "weight", "contribution"}, ...]
    breakdown = models.JSONField(default=list)

    class Meta:
        ordering = ["rank", "person_id"]
        indexes = [
            models.Index(fields=["run", "person"], name="study_ps_person"),
            models.Index(fields=["run", "unit", "rank"], name="study_ps_unit"),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.total}"


class UnitScore(models.Model):
    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    members = models.PositiveIntegerField()
    average = models.DecimalField(max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField()
    # Average of each indicator's contribution over the unit's members.
    breakdown = models.JSONField(default=list)

    class Meta:
        ordering = ["rank", "unit_id"]

    def __str__(self):
        return f"{self.unit_id}: {self.average}"
