"""Study plans: materials an organisation's members must study by a deadline."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

from dangjian.orgs.models import Organisation
from dangjian.orgs.scope import scope_for

if TYPE_CHECKING:
    # materials.py imports this module.
    from dangjian.study.models.materials import MaterialPage


class StudyPlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_person(self, person):
        scope = scope_for(person)
        if scope.is_anonymous:
            return self.none()
        return self.active().filter(scope.audience_q()).distinct()

    def in_year(self, year: int):
        return self.filter(starts_on__year__lte=year, deadline__year__gte=year)


class StudyPlan(ClusterableModel):
    """Materials an organisation's members must study by a deadline."""

    title: models.CharField[str, str] = models.CharField(_("计划名称"), max_length=200)
    description: models.TextField[str, str] = models.TextField(_("说明"), blank=True)
    owner: models.ForeignKey[Organisation, Organisation] = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("制定单位"),
    )
    audience = ParentalManyToManyField(
        Organisation, related_name="study_plans", verbose_name=_("学习对象")
    )
    include_descendants: models.BooleanField[bool, bool] = models.BooleanField(
        _("含下级组织"), default=True, help_text=_("勾选后，下级党支部的党员也须学习")
    )
    starts_on: models.DateField[dt.date, dt.date] = models.DateField(_("开始日期"))
    deadline: models.DateField[dt.date, dt.date] = models.DateField(_("截止日期"))
    is_active: models.BooleanField[bool, bool] = models.BooleanField(
        _("启用"), default=True
    )
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        _("创建时间"), auto_now_add=True
    )

    objects = StudyPlanQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("owner"),
        FieldPanel("audience"),
        FieldPanel("include_descendants"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("deadline")]),
        FieldPanel("is_active"),
        InlinePanel("items", label=_("学习资料"), min_num=1),
    ]

    class Meta:
        verbose_name = _("学习计划")
        verbose_name_plural = _("学习计划")
        ordering = ["-deadline", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_on and self.deadline and self.deadline < self.starts_on:
            raise ValidationError({"deadline": _("截止日期不能早于开始日期")})

    def elapsed_fraction(self, today: dt.date | None = None) -> float:
        """How much of the plan's period has passed, from 0 to 1."""
        today = today or timezone.localdate()
        total = (self.deadline - self.starts_on).days + 1
        passed = (today - self.starts_on).days + 1
        return min(1.0, max(0.0, passed / total))


class PlanItem(Orderable):
    plan = ParentalKey(StudyPlan, on_delete=models.CASCADE, related_name="items")
    material: models.ForeignKey[MaterialPage, MaterialPage] = models.ForeignKey(
        "study.MaterialPage",
        on_delete=models.CASCADE,
        related_name="plan_items",
        verbose_name=_("学习资料"),
    )

    panels = [FieldPanel("material")]

    class Meta(Orderable.Meta):
        verbose_name = _("计划资料")
        constraints = [
            models.UniqueConstraint(fields=["plan", "material"], name="study_plan_item")
        ]
