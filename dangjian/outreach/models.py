"""Outreach: lecture teams (宣讲团) and their events at the practice centres,
and grid workers (网格员) who push public items into their groups and visit
households door to door.

A lecture team, a venue and a grid belong to a unit (an organisation of the
tree); everything else belongs to the unit of its team or grid, which is how
the admin, the API and the exports scope it (``orgs.permissions``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from dangjian.orgs.models import Organisation

MAX_PEOPLE = 1_000_000
MAX_HOUSEHOLDS = 10_000


class LectureTeam(models.Model):  # type: ignore[django-manager-missing]
    """A theory lecture team (理论宣讲团) of a unit."""

    unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="lecture_teams",
        verbose_name=_("所属单位"),
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("简介"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("宣讲团")
        verbose_name_plural = _("宣讲团")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"], name="outreach_team_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Lecturer(models.Model):
    """A lecturer of a team: a person of the registry, or an outside
    volunteer known by name and phone."""

    team = models.ForeignKey(
        LectureTeam,
        on_delete=models.CASCADE,
        related_name="lecturers",
        verbose_name=_("宣讲团"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("平台人员"),
        help_text=_("平台内人员可直接选择；社会志愿者留空，填写姓名和电话"),
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    title = models.CharField(_("身份/职务"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("宣讲员")
        verbose_name_plural = _("宣讲员")
        ordering = ["team", "pk"]

    def __str__(self) -> str:
        if self.person_id and not self.name:
            return str(self.person)
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.person_id is None and not self.name.strip():
            raise ValidationError({"name": _("请选择平台人员，或填写志愿者姓名")})
        if self.person_id is None and not self.phone.strip():
            raise ValidationError({"phone": _("社会志愿者请填写联系电话")})


class Venue(models.Model):  # type: ignore[django-manager-missing]
    """A place events are held at, kept by a unit: a practice centre, station
    or post (新时代文明实践中心/所/站), a community, a village, a park."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("新时代文明实践中心")
        INSTITUTE = "institute", _("新时代文明实践所")
        STATION = "station", _("新时代文明实践站")
        COMMUNITY = "community", _("社区")
        VILLAGE = "village", _("村")
        PARK = "park", _("公园/广场")
        OTHER = "other", _("其他")

    unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="outreach_venues",
        verbose_name=_("维护单位"),
    )
    district = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="outreach_district_venues",
        limit_choices_to={"kind": Organisation.Kind.DISTRICT},
        verbose_name=_("所在区"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("宣讲场所")
        verbose_name_plural = _("宣讲场所")
        ordering = ["district__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"], name="outreach_venue_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class EventQuerySet(models.QuerySet):
    def public(self):
        """Events shown on the public calendar and pages."""
        return self.filter(is_public=True, team__is_active=True)

    def upcoming(self, now: dt.datetime | None = None):
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now: dt.datetime | None = None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")

    def in_district(self, district_id: int):
        return self.filter(venue__district_id=district_id)


class Event(ClusterableModel):
    """One lecture event: before it, its topic, format, place and time; after
    it, the people reached, photos, and residents' questions with answers."""

    class Format(models.TextChoices):
        LECTURE = "lecture", _("理论宣讲")
        LECTURE_ARTS = "lecture_arts", _("理论+文艺")
        QA = "qa", _("互动问答")
        SEMINAR = "seminar", _("座谈交流")
        DOOR = "door", _("入户宣讲")
        OTHER = "other", _("其他")

    team: models.ForeignKey[LectureTeam, LectureTeam] = models.ForeignKey(
        LectureTeam,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("宣讲团"),
    )
    topic: models.CharField[str, str] = models.CharField(_("宣讲主题"), max_length=200)
    format: models.CharField[str, str] = models.CharField(
        _("形式"), max_length=20, choices=Format.choices, default=Format.LECTURE
    )
    venue: models.ForeignKey[Venue, Venue] = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="events", verbose_name=_("场所")
    )
    starts_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        _("开始时间")
    )
    ends_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        _("结束时间")
    )
    summary: models.TextField[str, str] = models.TextField(
        _("活动介绍"), blank=True, max_length=5000
    )
    is_public: models.BooleanField[bool, bool] = models.BooleanField(
        _("公开"), default=True, help_text=_("公开的活动显示在宣讲日历和活动页上")
    )
    people_reached: models.PositiveIntegerField[int | None, int | None] = (
        models.PositiveIntegerField(
            _("受众人数"),
            null=True,
            blank=True,
            validators=[MaxValueValidator(MAX_PEOPLE)],
            help_text=_("活动结束后填写"),
        )
    )
    report: models.TextField[str, str] = models.TextField(
        _("活动纪实"), blank=True, max_length=10000
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣讲活动")
        verbose_name_plural = _("宣讲活动")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="outreach_event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.topic

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("结束时间不能早于开始时间")})

    def get_absolute_url(self) -> str:
        return reverse("outreach:event", args=[self.pk])

    @property
    def is_over(self) -> bool:
        return self.ends_at < timezone.now()


class EventPhoto(Orderable):
    """A photo of an event (public, as the event page is)."""

    event = ParentalKey(Event, on_delete=models.CASCADE, related_name="photos")
    image: models.ForeignKey[Any, Any] = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("照片"),
    )
    caption: models.CharField[str, str] = models.CharField(
        _("说明"), max_length=200, blank=True
    )

    class Meta(Orderable.Meta):
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")


class ResidentQuestion(Orderable):
    """A question residents asked at an event, and how it was answered."""

    event = ParentalKey(Event, on_delete=models.CASCADE, related_name="questions")
    question: models.TextField[str, str] = models.TextField(
        _("群众提问"), max_length=2000
    )
    answer: models.TextField[str, str] = models.TextField(
        _("解答"), blank=True, max_length=5000
    )

    class Meta(Orderable.Meta):
        verbose_name = _("群众提问")
        verbose_name_plural = _("群众提问")

    def __str__(self) -> str:
        return self.question[:40]


class Rating(models.Model):
    """A resident's rating of an event: no account; one per device and, when
    a phone number is given, one per phone (keyed hashes only)."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("活动")
    )
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("意见建议"), max_length=500, blank=True)
    device_hash = models.CharField(max_length=32)
    phone_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("群众评价")
        verbose_name_plural = _("群众评价")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "device_hash"], name="outreach_rating_once_per_device"
            ),
            models.UniqueConstraint(
                fields=["event", "phone_hash"],
                condition=~Q(phone_hash=""),
                name="outreach_rating_once_per_phone",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="outreach_rating_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.score}"


class Grid(models.Model):
    """A grid (网格): a community or residential area under a subdistrict,
    kept by a unit (the subdistrict, or the district)."""

    unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="outreach_grids",
        verbose_name=_("所属单位"),
        help_text=_("网格所在的街道/镇（或区）"),
    )
    community = models.CharField(_("社区/村"), max_length=60)
    name = models.CharField(_("网格名称"), max_length=60)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["unit__path", "community", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community", "name"], name="outreach_grid_name_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community}·{self.name}"


class GridWorkerQuerySet(models.QuerySet["GridWorker"]):
    def active(self) -> GridWorkerQuerySet:
        return self.filter(is_active=True, grid__is_active=True)

    def of(self, person: Any) -> GridWorkerQuerySet:
        if not getattr(person, "is_authenticated", False):
            return self.none()
        return self.active().filter(person=person)


class GridWorker(models.Model):
    """A person working a grid (网格员)."""

    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, related_name="workers", verbose_name=_("网格")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grid_work",
        verbose_name=_("网格员"),
    )
    is_active = models.BooleanField(_("在岗"), default=True)

    objects = GridWorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格员")
        verbose_name_plural = _("网格员")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "person"], name="outreach_grid_worker_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.grid}"


class Push(models.Model):
    """A grid worker shared a released public item into their groups."""

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("微信群")
        QQ = "qq", _("QQ群")
        SMS = "sms", _("短信")
        OTHER = "other", _("其他")

    worker = models.ForeignKey(
        GridWorker, on_delete=models.PROTECT, related_name="pushes"
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="pushes", verbose_name=_("网格")
    )
    kind = models.CharField(_("内容类型"), max_length=20)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(_("标题"), max_length=300)
    url = models.URLField(_("分享链接"), max_length=600)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("推送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("点对点推送")
        verbose_name_plural = _("点对点推送")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"], name="outreach_push_created")]

    def __str__(self) -> str:
        return self.title


class Visit(models.Model):
    """A door-to-door visit a grid worker logged."""

    worker = models.ForeignKey(
        GridWorker, on_delete=models.PROTECT, related_name="visits"
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="visits", verbose_name=_("网格")
    )
    day = models.DateField(_("走访日期"))
    households = models.PositiveIntegerField(
        _("入户数"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOUSEHOLDS)],
    )
    topics = models.CharField(_("宣讲内容"), max_length=200)
    note = models.TextField(_("备注"), blank=True, max_length=2000)
    # A key the form (or API client) sends once: a double submit is one visit.
    submission_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "submission_key"],
                condition=~Q(submission_key=""),
                name="outreach_visit_submitted_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.day}"


class GridViews(models.Model):
    """Views of one item that arrived through one grid's share links, per day."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="views")
    content_type_id = models.PositiveIntegerField()
    object_id = models.PositiveBigIntegerField()
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("网格带来的浏览")
        verbose_name_plural = _("网格带来的浏览")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "content_type_id", "object_id", "day"],
                name="outreach_grid_views_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid_id}:{self.object_id} {self.day}"
