"""The study column, its unit sections, topics and material pages, and
who may open a material."""

from __future__ import annotations

import re

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.documents.models import AbstractDocument
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet

from dangjian.lib import pagecache
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations, scope_for
from dangjian.study.models.plans import PlanItem, StudyPlan
from dangjian.study.models.reading import Progress, record_opening
from dangjian.study.models.videos import Video


# The plugin cannot build `materials` (pages point here, and Wagtail ships no
# types).
class Topic(models.Model):  # type: ignore[django-manager-missing]
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


class StudyIndexPage(Page):
    """The study column; each unit has its own section below it."""

    intro: models.CharField[str, str] = models.CharField(
        _("导语"), max_length=200, blank=True
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["study.StudySectionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("学习栏目")

    def serve(self, request, *args, **kwargs):
        return redirect("study:index")


class StudySectionPage(Page):
    """A unit's part of the column. The unit's role groups hold permissions on it
    and its review workflow is assigned to it."""

    organisation: models.OneToOneField[Organisation, Organisation] = (
        models.OneToOneField(
            Organisation,
            on_delete=models.PROTECT,
            related_name="study_section",
            verbose_name=_("单位"),
        )
    )

    content_panels = Page.content_panels + [FieldPanel("organisation")]
    parent_page_types = ["study.StudyIndexPage"]
    subpage_types = ["study.MaterialPage"]

    class Meta:
        verbose_name = _("单位学习栏目")

    def serve(self, request, *args, **kwargs):
        return redirect(f"{_index_url()}?unit={self.organisation_id}")


def _index_url():
    return reverse("study:index")


class MaterialQuerySet(PageQuerySet):
    def visible_to(self, person):
        """Live materials the person may open: public ones, members-only ones
        for anyone with a membership, and plan-only ones for the audience of an
        active plan that includes them."""
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


class MaterialPage(pagecache.OneQueryRestrictions, Page):
    """One study material: an article, a document with attachments, or a video."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("文章")
        DOCUMENT = "document", _("文件")
        VIDEO = "video", _("视频")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("公开（所有人）")
        MEMBERS = "members", _("全体党员（需登录）")
        PLAN = "plan", _("仅限学习计划的对象")

    kind: models.CharField[str, str] = models.CharField(
        _("类型"), max_length=10, choices=Kind.choices, default=Kind.ARTICLE
    )
    topic: models.ForeignKey[Topic, Topic] = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        related_name="materials",
        verbose_name=_("专题"),
    )
    summary: models.TextField[str, str] = models.TextField(
        _("摘要"), blank=True, max_length=500
    )
    body = RichTextField(_("正文"), blank=True)
    video: models.ForeignKey[Video | None, Video | None] = models.ForeignKey(
        Video,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name=_("视频"),
    )
    visibility: models.CharField[str, str] = models.CharField(
        _("可见范围"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    min_seconds: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
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
        super().clean()
        if self.kind == self.Kind.VIDEO and not self.video_id:
            raise ValidationError({"video": _("视频类资料请选择视频")})

    @property
    def required_seconds(self) -> int:
        """How long a person must spend for the material to count as studied.

        Videos need most of their length; articles about 500 characters a
        minute, between 15 seconds and 5 minutes, unless set by hand.
        """
        if self.kind == self.Kind.VIDEO and self.video is not None:
            return max(1, int((self.video.duration or 1) * 0.8))
        if self.min_seconds:
            return self.min_seconds
        return min(300, max(15, _words(self.body) * 60 // 500))

    @property
    def organisation_id(self) -> int | None:
        parent = self.get_parent().specific
        return getattr(parent, "organisation_id", None)

    def serve(self, request, *args, **kwargs):
        """The page of one material; opening it is recorded for a signed-in person."""
        if not can_open_material(self, request):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return TemplateResponse(
                request,
                "study/forbidden.html",
                {"message": "这份学习资料只对学习计划的对象开放。"},
                status=403,
            )
        reading = progress = None
        if request.user.is_authenticated:
            reading = record_opening(self, request.user)
            progress = Progress.objects.get(person=request.user, material=self)
        response = TemplateResponse(
            request,
            "study/material_page.html",
            {
                "page": self,
                "self": self,
                "reading": reading,
                "progress": progress,
                "required_seconds": self.required_seconds,
                "attachments": self.attachments.select_related("document"),
            },
        )
        if request.user.is_authenticated or not self.is_public:
            response["Cache-Control"] = "private, no-store"
        else:
            # A public material shown to a visitor: the same for everyone
            # (dangjian.lib.pagecache checks live and view restrictions again).
            pagecache.mark_public(response, page=self)
        return response

    @property
    def is_public(self) -> bool:
        """Open to everyone, signed in or not (view restrictions aside)."""
        return self.live and self.visibility == self.Visibility.PUBLIC


class MaterialAttachment(Orderable):
    page = ParentalKey(
        MaterialPage, on_delete=models.CASCADE, related_name="attachments"
    )
    document: models.ForeignKey[AbstractDocument, AbstractDocument] = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("附件"),
    )
    caption: models.CharField[str, str] = models.CharField(
        _("说明"), max_length=200, blank=True
    )

    panels = [FieldPanel("document"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")


# --- Who may open a material and its files ------------------------------------------

MATERIAL_STAFF = [Role.UNIT_ADMIN, Role.EDITOR, Role.REVIEWER, Role.APPROVER]


def works_on_material(person, material: MaterialPage) -> bool:
    """Superusers and the staff of the material's unit, who edit, review and
    preview it before and after release."""
    if person is None or not person.is_authenticated:
        return False
    if person.is_superuser:
        return True
    organisation_id = material.organisation_id
    return (
        organisation_id is not None
        and managed_organisations(person, MATERIAL_STAFF)
        .filter(pk=organisation_id)
        .exists()
    )


def can_open_material(material: MaterialPage, request) -> bool:
    """The one check behind a material's page, video, poster and attachments.

    The material must be live and within the person's visibility
    (``MaterialPage.objects.visible_to``), and any Wagtail view restriction
    on it or its parents must accept the request. Staff of its unit always
    may, so they can preview what they review.
    """
    user = request.user
    if works_on_material(user, material):
        return True
    if not MaterialPage.objects.visible_to(user).filter(pk=material.pk).exists():
        return False
    return all(
        restriction.accept_request(request)
        for restriction in material.get_view_restrictions()
    )
