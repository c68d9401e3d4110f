"""Group study sessions, their photos and attendance."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.images.models import AbstractImage
from wagtail.models import Orderable

from dangjian.orgs.models import Organisation, Person


def new_checkin_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


class SessionQuerySet(models.QuerySet):
    def for_organisations(self, organisations):
        return self.filter(organisation__in=organisations)

    def between(self, start: dt.datetime, end: dt.datetime):
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")


class StudySession(ClusterableModel):
    """A group study session: 专题研讨会, 专题辅导, 读书分享会, 三会一课 …"""

    class Type(models.TextChoices):
        SEMINAR = "seminar", _("专题研讨会")
        LECTURE = "lecture", _("专题辅导")
        READING = "reading", _("读书分享会")
        BRANCH_ASSEMBLY = "assembly", _("支部党员大会")
        COMMITTEE = "committee", _("支部委员会")
        GROUP = "group", _("党小组会")
        PARTY_CLASS = "party_class", _("党课")
        THEME_DAY = "theme_day", _("主题党日")
        OTHER = "other", _("其他")

    title: models.CharField[str, str] = models.CharField(_("主题"), max_length=200)
    type: models.CharField[str, str] = models.CharField(
        _("类型"), max_length=20, choices=Type.choices
    )
    organisation: models.ForeignKey[Organisation, Organisation] = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="study_sessions",
        verbose_name=_("组织"),
    )
    organiser: models.ForeignKey[Person, Person] = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_sessions",
        verbose_name=_("组织人"),
    )
    starts_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        _("开始时间")
    )
    ends_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        _("结束时间")
    )
    place: models.CharField[str, str] = models.CharField(
        _("地点"), max_length=200, blank=True
    )
    online_url: models.URLField[str, str] = models.URLField(
        _("线上会议链接"), blank=True
    )
    agenda: models.TextField[str, str] = models.TextField(_("议程"), blank=True)
    minutes: models.TextField[str, str] = models.TextField(_("会议记录"), blank=True)
    checkin_code: models.CharField[str, str] = models.CharField(
        _("签到码"), max_length=6, default=new_checkin_code, editable=False
    )
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        _("创建时间"), auto_now_add=True
    )

    objects = SessionQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("type"), FieldPanel("organisation")]),
        FieldPanel("organiser"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("place"),
        FieldPanel("online_url"),
        FieldPanel("agenda"),
        FieldPanel("minutes"),
        InlinePanel("photos", label=_("照片")),
    ]

    class Meta:
        verbose_name = _("学习会")
        verbose_name_plural = _("学习会")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间须晚于开始时间")})

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    def code_window(self) -> tuple[dt.datetime, dt.datetime]:
        """When the check-in code is accepted: from 15 minutes before the start
        to the end of the session."""
        return self.starts_at - dt.timedelta(minutes=15), self.ends_at


class SessionPhoto(Orderable):
    session = ParentalKey(StudySession, on_delete=models.CASCADE, related_name="photos")
    image: models.ForeignKey[AbstractImage, AbstractImage] = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("照片"),
    )
    caption: models.CharField[str, str] = models.CharField(
        _("说明"), max_length=200, blank=True
    )

    panels = [FieldPanel("image"), FieldPanel("caption")]


class Attendance(models.Model):
    class Method(models.TextChoices):
        ORGANISER = "organiser", _("组织人登记")
        CODE = "code", _("签到码")

    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("学习会"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="study_attendances",
        verbose_name=_("人员"),
    )
    method = models.CharField(_("签到方式"), max_length=10, choices=Method.choices)
    checked_in_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="study_attend_once"
            )
        ]
        indexes = [models.Index(fields=["person", "checked_in_at"], name="study_att_p")]

    def __str__(self):
        return f"{self.person} · {self.session}"
