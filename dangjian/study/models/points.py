"""The points ledger: rules per activity and ledger lines whose totals are
always derived, never stored."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel


class PointRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class PointRule(models.Model):
    """How many points an activity earns, and at most how many a day."""

    class Kind(models.TextChoices):
        ARTICLE_READ = "article_read", _("阅读文章/文件")
        VIDEO_WATCHED = "video_watched", _("观看视频")
        DAILY_QUIZ = "daily_quiz", _("每日答题")
        SESSION_ATTENDED = "session_attended", _("参加学习会")
        NOTE_WRITTEN = "note_written", _("撰写心得")

    kind = models.CharField(_("活动"), max_length=20, choices=Kind.choices, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    points = models.PositiveIntegerField(
        _("每次积分"), validators=[MaxValueValidator(1000)]
    )
    daily_cap = models.PositiveIntegerField(
        _("每日上限"), default=0, help_text=_("当天此项最多得分；0 表示不设上限")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = PointRuleQuerySet.as_manager()

    panels = [
        FieldPanel("kind"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("points"), FieldPanel("daily_cap")]),
        FieldPanel("is_active"),
    ]

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["kind"]

    def __str__(self):
        return f"{self.name}（{self.points} 分）"


class PointEntryQuerySet(models.QuerySet):
    def for_person(self, person):
        return self.filter(person=person)

    def on_day(self, day: dt.date):
        return self.filter(day=day)

    def between(self, start: dt.date, end: dt.date):
        """Entries whose day is in [start, end]."""
        return self.filter(day__gte=start, day__lte=end)

    def in_year(self, year: int):
        return self.between(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def total(self) -> int:
        return self.aggregate(t=Sum("points"))["t"] or 0

    def by_day(self):
        return self.values("day").annotate(points=Sum("points")).order_by("day")

    def by_month(self):
        return (
            self.annotate(year=ExtractYear("day"), month=ExtractMonth("day"))
            .values("year", "month")
            .annotate(points=Sum("points"))
            .order_by("year", "month")
        )

    def by_year(self):
        return (
            self.annotate(year=ExtractYear("day"))
            .values("year")
            .annotate(points=Sum("points"))
            .order_by("year")
        )


class PointEntry(models.Model):
    """One line of the points ledger. Never changed: a correction is a new line."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="point_entries",
        verbose_name=_("人员"),
    )
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("规则")
    )
    # What earned the points, e.g. "material:12", "attempt:7", "session:3".
    source = models.CharField(_("来源"), max_length=40)
    label = models.CharField(_("说明"), max_length=200, blank=True)
    points = models.IntegerField(_("积分"))
    day = models.DateField(_("日期"))
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("更正的记录"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An activity earns points once; corrections are exempt.
            models.UniqueConstraint(
                fields=["person", "rule", "source"],
                condition=Q(corrects__isnull=True),
                name="study_points_once",
            )
        ]
        indexes = [
            models.Index(fields=["person", "day"], name="study_points_person_day"),
            models.Index(fields=["day", "person"], name="study_points_day"),
        ]

    def __str__(self):
        return f"{self.person} {self.points:+d} {self.label}"
