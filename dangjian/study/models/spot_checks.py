"""抽查: reproducible random samples of a unit's members and their results."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.orgs.models import Organisation


class SpotCheck(models.Model):
    """抽查: a reproducible random sample of a unit's members for a period."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="study_spot_checks",
        verbose_name=_("单位"),
    )
    title = models.CharField(_("名称"), max_length=200)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    sample_size = models.PositiveIntegerField(_("抽取人数"), null=True, blank=True)
    sample_percent = models.PositiveSmallIntegerField(
        _("抽取比例（%）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    seed = models.BigIntegerField(_("随机种子"))
    population = models.PositiveIntegerField(_("总体人数"), default=0)
    checkers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("检查人"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("抽取人"),
    )
    created_at = models.DateTimeField(_("抽取时间"), default=timezone.now)

    class Meta:
        verbose_name = _("抽查")
        verbose_name_plural = _("抽查")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class SpotCheckItem(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("待检查")
        PASS = "pass", _("合格")
        IMPROVE = "improve", _("需改进")

    spot_check = models.ForeignKey(
        SpotCheck, on_delete=models.CASCADE, related_name="items"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="study_spot_checks",
        verbose_name=_("被抽查人"),
    )
    branch = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("支部")
    )
    result = models.CharField(
        _("结果"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    comment = models.TextField(_("意见"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查人"),
    )
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查对象")
        verbose_name_plural = _("抽查对象")
        ordering = ["branch__path", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "person"], name="study_spot_once"
            )
        ]

    def __str__(self):
        return f"{self.spot_check} · {self.person}"
