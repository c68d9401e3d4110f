"""Study: materials (Wagtail pages), plans, reading records, the points ledger,
group sessions, notes, spot checks and the quantitative assessment.

Reading and watching are recorded by the server from the page being opened
and from heartbeats (``Reading`` per opening, ``Progress`` per person and
material); points are ledger rows (``PointEntry``) whose totals are always
derived, never stored.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet

from dangjian.orgs.models import Organisation

# --- Storage for videos ------------------------------------------------------


class PrivateStorage(FileSystemStorage):
    """Files that must only be served through a view that checks permission.

    Kept outside MEDIA_ROOT so that a web server serving /media/ directly
    cannot hand them out. The folder is read from the settings on each use,
    so tests can point it elsewhere.
    """

    @property
    def base_location(self):
        return Path(
            getattr(settings, "DANGJIAN_PRIVATE_ROOT", None)
            or os.environ.get("DANGJIAN_PRIVATE_ROOT")
            or Path(settings.BASE_DIR) / "var" / "private"
        )

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        # No public address: the files are served by permission-checked
        # views. An empty URL lets the admin's file inputs render (without a
        # "currently" link) instead of failing.
        return ""


_private_storage = PrivateStorage()


def private_storage():
    return _private_storage


# --- Topics, videos and material pages -------------------------------------


class Topic(models.Model):
    """A subject materials are grouped by, e.g. a chapter of the report."""

    name = models.CharField(_("专题"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("学习专题")
        verbose_name_plural = _("学习专题")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


VIDEO_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mov": "video/quicktime",
}


def video_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"study/videos/{timezone.now():%Y/%m}/{instance.uuid_hex()}{suffix}"


def poster_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()
    return f"study/posters/{timezone.now():%Y/%m}/{instance.uuid_hex()}{suffix}"


POSTER_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
POSTER_MAX_BYTES = 5 * 1024 * 1024


class Video(models.Model):
    """An uploaded short video with its poster image.

    Both files live in private storage and are served only through views
    that check the person may open a material showing the video, so a
    members-only video cannot be fetched by guessing or sharing its link.
    """

    title = models.CharField(_("标题"), max_length=200)
    file = models.FileField(
        _("视频文件"),
        upload_to=video_upload_to,
        storage=private_storage,
        help_text=_("MP4（H.264）或 WebM，建议不超过 200 MB"),
    )
    poster_file = models.ImageField(
        _("封面图"),
        upload_to=poster_upload_to,
        storage=private_storage,
        blank=True,
        help_text=_("JPG 或 PNG，不超过 5 MB，建议宽 640 像素"),
    )
    duration_seconds = models.PositiveIntegerField(
        _("时长（秒）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4 * 3600)],
        help_text=_("系统从视频文件读取时长；只有读不出时才使用此处填写的值"),
    )
    # Read from the file by the server (dangjian.study.media); None when the
    # file could not be parsed.
    file_seconds = models.FloatField(
        _("文件时长（秒）"), null=True, blank=True, editable=False
    )
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属单位"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("file"),
        FieldPanel("poster_file"),
        FieldPanel("duration_seconds"),
        FieldPanel("owner"),
    ]

    class Meta:
        verbose_name = _("学习视频")
        verbose_name_plural = _("学习视频")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.read_file_duration()
        super().save(*args, **kwargs)

    def uuid_hex(self) -> str:
        import uuid

        return uuid.uuid4().hex

    @property
    def content_type(self) -> str:
        return VIDEO_TYPES.get(Path(self.file.name).suffix.lower(), "video/mp4")

    @property
    def poster_content_type(self) -> str:
        return POSTER_TYPES.get(
            Path(self.poster_file.name).suffix.lower(), "application/octet-stream"
        )

    @property
    def duration(self) -> float | None:
        """Seconds, as read from the file; the editor's value only when the
        file could not be read."""
        return self.file_seconds or self.duration_seconds

    def read_file_duration(self) -> float | None:
        """Reads the duration from a newly uploaded file (or from the stored
        file when it has not been read yet) into ``file_seconds``."""
        from dangjian.study.media import probe_duration

        if not self.file:
            self.file_seconds = None
            return None
        fresh = not getattr(self.file, "_committed", True)
        if not fresh and self.file_seconds is not None:
            return self.file_seconds
        try:
            if fresh:
                self.file_seconds = probe_duration(self.file.file)
            else:
                with self.file.storage.open(self.file.name, "rb") as handle:
                    self.file_seconds = probe_duration(handle)
        except (OSError, ValueError):
            self.file_seconds = None
        return self.file_seconds

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.file and Path(self.file.name).suffix.lower() not in VIDEO_TYPES:
            errors["file"] = _("只接受 MP4、M4V、WebM、OGV、MOV 格式的视频")
        if self.poster_file:
            if Path(self.poster_file.name).suffix.lower() not in POSTER_TYPES:
                errors["poster_file"] = _("封面图只接受 JPG、PNG、WebP、GIF")
            elif self.poster_file.size > POSTER_MAX_BYTES:
                errors["poster_file"] = _("封面图不能超过 5 MB")
        if errors:
            raise ValidationError(errors)
        if self.file and not self.read_file_duration() and not self.duration_seconds:
            raise ValidationError(
                {"duration_seconds": _("无法从视频文件读取时长，请填写时长（秒）")}
            )


class StudyIndexPage(Page):
    """The study column; each unit has its own section below it."""

    intro = models.CharField(_("导语"), max_length=200, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["study.StudySectionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("学习栏目")

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        return redirect("study:index")


class StudySectionPage(Page):
    """A unit's part of the column. The unit's role groups hold permissions on it
    and its review workflow is assigned to it."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="study_section",
        verbose_name=_("单位"),
    )

    content_panels = Page.content_panels + [FieldPanel("organisation")]
    parent_page_types = ["study.StudyIndexPage"]
    subpage_types = ["study.MaterialPage"]

    class Meta:
        verbose_name = _("单位学习栏目")

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        return redirect(f"{_index_url()}?unit={self.organisation_id}")


def _index_url():
    from django.urls import reverse

    return reverse("study:index")


class MaterialQuerySet(PageQuerySet):
    def visible_to(self, person):
        """Live materials the person may open: public ones, members-only ones
        for anyone with a membership, and plan-only ones for the audience of an
        active plan that includes them."""
        from dangjian.orgs.scope import scope_for

        live = self.live()
        if person is not None and person.is_authenticated and person.is_superuser:
            return live
        condition = Q(visibility=MaterialPage.Visibility.PUBLIC)
        scope = scope_for(person)
        if scope.member_of:
            plans = StudyPlan.objects.for_person(person).values("pk")
            condition |= Q(visibility=MaterialPage.Visibility.MEMBERS)
            condition |= Q(
                visibility=MaterialPage.Visibility.PLAN,
                pk__in=PlanItem.objects.filter(plan__in=plans).values("material_id"),
            )
        return live.filter(condition)


def _words(html: str) -> int:
    return len(re.sub(r"\s+", "", strip_tags(html or "")))


class MaterialPage(Page):
    """One study material: an article, a document with attachments, or a video."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("文章")
        DOCUMENT = "document", _("文件")
        VIDEO = "video", _("视频")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("公开（所有人）")
        MEMBERS = "members", _("全体党员（需登录）")
        PLAN = "plan", _("仅限学习计划的对象")

    kind = models.CharField(
        _("类型"), max_length=10, choices=Kind.choices, default=Kind.ARTICLE
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        related_name="materials",
        verbose_name=_("专题"),
    )
    summary = models.TextField(_("摘要"), blank=True, max_length=500)
    body = RichTextField(_("正文"), blank=True)
    video = models.ForeignKey(
        Video,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name=_("视频"),
    )
    visibility = models.CharField(
        _("可见范围"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    min_seconds = models.PositiveIntegerField(
        _("最少学习时长（秒）"),
        default=0,
        help_text=_("文章与文件读满此时长才算学完；0 表示按字数自动估算"),
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("topic")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("video"),
        InlinePanel("attachments", label=_("附件")),
        MultiFieldPanel(
            [FieldPanel("visibility"), FieldPanel("min_seconds")], heading=_("学习")
        ),
    ]
    parent_page_types = ["study.StudySectionPage"]
    subpage_types: list[str] = []

    objects = PageManager.from_queryset(MaterialQuerySet)()

    class Meta:
        verbose_name = _("学习资料")
        verbose_name_plural = _("学习资料")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.kind == self.Kind.VIDEO and not self.video_id:
            raise ValidationError({"video": _("视频类资料请选择视频")})

    @property
    def required_seconds(self) -> int:
        """How long a person must spend for the material to count as studied.

        Videos need most of their length; articles about 500 characters a
        minute, between 15 seconds and 5 minutes, unless set by hand.
        """
        if self.kind == self.Kind.VIDEO and self.video_id:
            return max(1, int((self.video.duration or 1) * 0.8))
        if self.min_seconds:
            return self.min_seconds
        return min(300, max(15, _words(self.body) * 60 // 500))

    @property
    def organisation_id(self) -> int | None:
        parent = self.get_parent().specific
        return getattr(parent, "organisation_id", None)

    def serve(self, request, *args, **kwargs):
        from dangjian.study.views import serve_material

        return serve_material(self, request)


class MaterialAttachment(Orderable):
    page = ParentalKey(
        MaterialPage, on_delete=models.CASCADE, related_name="attachments"
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("附件"),
    )
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")


# --- Plans -------------------------------------------------------------------


class StudyPlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_person(self, person):
        from dangjian.orgs.scope import scope_for

        scope = scope_for(person)
        if scope.is_anonymous:
            return self.none()
        return self.active().filter(scope.audience_q()).distinct()

    def in_year(self, year: int):
        return self.filter(starts_on__year__lte=year, deadline__year__gte=year)


class StudyPlan(ClusterableModel):
    """Materials an organisation's members must study by a deadline."""

    title = models.CharField(_("计划名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("制定单位"),
    )
    audience = ParentalManyToManyField(
        Organisation, related_name="study_plans", verbose_name=_("学习对象")
    )
    include_descendants = models.BooleanField(
        _("含下级组织"), default=True, help_text=_("勾选后，下级党支部的党员也须学习")
    )
    starts_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

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
        from django.core.exceptions import ValidationError

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
    material = models.ForeignKey(
        MaterialPage,
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


# --- Reading records -----------------------------------------------------------


class Reading(models.Model):
    """One opening of a material by a person, kept alive by heartbeats."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    material = models.ForeignKey(
        MaterialPage, on_delete=models.CASCADE, related_name="readings"
    )
    opened_at = models.DateTimeField(_("打开时间"), default=timezone.now)
    last_beat_at = models.DateTimeField(_("最近心跳"), default=timezone.now)
    seconds = models.FloatField(_("计入时长（秒）"), default=0)
    # The furthest video position credited so far (seconds), after the
    # plausibility check against wall time.
    position = models.FloatField(_("视频进度（秒）"), default=0)
    beats = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("打开记录")
        verbose_name_plural = _("打开记录")
        indexes = [models.Index(fields=["person", "material"], name="study_reading_pm")]

    def __str__(self):
        return (
            f"{self.person_id} · {self.material_id} · {self.opened_at:%Y-%m-%d %H:%M}"
        )


class ProgressQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(completed_at__isnull=False)

    def for_person(self, person):
        return self.filter(person=person)

    def between(self, start: dt.datetime, end: dt.datetime):
        return self.filter(last_seen_at__gte=start, first_opened_at__lt=end)


class Progress(models.Model):
    """A person's study of one material, summed over all openings."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="study_progress",
        verbose_name=_("人员"),
    )
    material = models.ForeignKey(
        MaterialPage,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("学习资料"),
    )
    first_opened_at = models.DateTimeField(_("首次打开"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近学习"), default=timezone.now)
    opens = models.PositiveIntegerField(_("打开次数"), default=0)
    seconds = models.FloatField(_("学习时长（秒）"), default=0)
    position = models.FloatField(_("视频进度（秒）"), default=0)
    completed_at = models.DateTimeField(_("学完时间"), null=True, blank=True)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("学习进度")
        verbose_name_plural = _("学习进度")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "material"], name="study_progress_once"
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.material}"


# --- Points ---------------------------------------------------------------------


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


# --- Group sessions ------------------------------------------------------------


def new_checkin_code() -> str:
    import secrets

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

    title = models.CharField(_("主题"), max_length=200)
    type = models.CharField(_("类型"), max_length=20, choices=Type.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="study_sessions",
        verbose_name=_("组织"),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_sessions",
        verbose_name=_("组织人"),
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    online_url = models.URLField(_("线上会议链接"), blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    checkin_code = models.CharField(
        _("签到码"), max_length=6, default=new_checkin_code, editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

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
        from django.core.exceptions import ValidationError

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
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("照片"),
    )
    caption = models.CharField(_("说明"), max_length=200, blank=True)

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


# --- Notes ------------------------------------------------------------------------


class Note(models.Model):
    """心得体会: what a person wrote about their study."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="study_notes",
        verbose_name=_("作者"),
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), max_length=10000)
    material = models.ForeignKey(
        MaterialPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("学习资料"),
    )
    created_at = models.DateTimeField(_("写于"), default=timezone.now)

    class Meta:
        verbose_name = _("心得体会")
        verbose_name_plural = _("心得体会")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


# --- Spot checks ------------------------------------------------------------------


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


# --- Assessment ---------------------------------------------------------------------


class AssessmentScheme(ClusterableModel):
    """量化考核: weighted indicators for one year."""

    year = models.PositiveIntegerField(
        _("年度"), unique=True, validators=[MinValueValidator(2000)]
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)

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

    scheme = ParentalKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="indicators"
    )
    kind = models.CharField(_("指标"), max_length=12, choices=Kind.choices)
    weight = models.DecimalField(
        _("权重（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    target = models.DecimalField(
        _("满分所需"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("100"),
        help_text=_(
            "积分、学习会次数：达到此数得满分，不足按比例；"
            "完成率、得分率：按百分比计，此项填 100；"
            "抽查：合格得满分，需改进得此数（0–100），未抽到不计入"
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
