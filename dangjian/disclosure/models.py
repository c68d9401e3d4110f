"""Party-affairs disclosure (党务公开): items, review workflow, release calendar.

Items are Wagtail pages: column (DisclosureIndexPage) → one section per unit
(DisclosureSectionPage) → items (DisclosureItemPage). Releasing an item runs
the Wagtail workflow "党务公开发布流程": an automatic confidentiality scan,
the unit's 保密审查 with a decision on every flag, and the unit approver.

The page row in the database holds the *live* version of an item (drafts live
in revisions), so every public read filters on the row: ``live``, not
withdrawn, and the scope of the released content.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
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
from wagtail.models import (
    DraftStateMixin,
    Orderable,
    Page,
    PageManager,
    PageQuerySet,
    Revision,
    RevisionMixin,
    WorkflowState,
)
from wagtail.search import index
from wagtail.url_routing import RouteResult

from dangjian.disclosure.forms import DisclosureItemForm
from dangjian.disclosure.permissions import (
    DisclosurePagePermissionTester,
    DisclosureSectionPermissionTester,
)
from dangjian.lib import pagecache
from dangjian.orgs.models import Organisation, Role
from dangjian.orgs.scope import managed_organisations, scope_for

if TYPE_CHECKING:
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage

BODY_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr", "blockquote"]


# The plugin cannot build `items` (pages point here, and Wagtail ships no types).
class DisclosureCategory(models.Model):  # type: ignore[django-manager-missing]
    """A content category of the party-affairs disclosure regulations (editable)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("公开类别")
        verbose_name_plural = _("公开类别")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class SensitiveTerm(models.Model):
    """A term the confidentiality scan flags wherever it appears."""

    term = models.CharField(_("敏感词"), max_length=50, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("敏感词")
        verbose_name_plural = _("敏感词")
        ordering = ["term"]

    def __str__(self):
        return self.term


class DisclosureIndexPage(Page):
    """The disclosure column. Its public list lives at ``disclosure:index``."""

    intro: models.CharField[str, str] = models.CharField(
        _("导语"), max_length=200, blank=True
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["disclosure.DisclosureSectionPage"]
    max_count = 1

    class Meta:
        verbose_name = _("党务公开栏目")

    def serve(self, request, *args, **kwargs):
        return redirect("disclosure:index")

    def get_sitemap_urls(self, request=None):
        return []


class DisclosureSectionPage(Page):
    """One unit's section of the column; the unit's role groups hold its permissions."""

    organisation: models.OneToOneField[Organisation, Organisation] = (
        models.OneToOneField(
            Organisation,
            on_delete=models.PROTECT,
            related_name="disclosure_section",
            verbose_name=_("单位"),
        )
    )

    content_panels = Page.content_panels + [FieldPanel("organisation")]
    parent_page_types = ["disclosure.DisclosureIndexPage"]
    subpage_types = ["disclosure.DisclosureItemPage"]

    class Meta:
        verbose_name = _("单位公开专栏")

    def permissions_for_user(self, user):
        return DisclosureSectionPermissionTester(user, self)

    def serve(self, request, *args, **kwargs):
        from django.urls import reverse

        return redirect(f"{reverse('disclosure:index')}?unit={self.organisation_id}")

    def get_sitemap_urls(self, request=None):
        return []


class DisclosureItemQuerySet(PageQuerySet):
    def released(self):
        """Live and not withdrawn: what the public paths may show at all."""
        return self.live().filter(withdrawn_at__isnull=True)

    def public(self):
        """Released 社会公开 items: the queryset form of ``DisclosureItemPage.is_public``."""
        return self.released().filter(scope=DisclosureItemPage.Scope.PUBLIC)

    def visible_to(self, person):
        """Released items the person may see: public ones, and 党内 ones in scope."""
        scope = scope_for(person)
        internal = Q(scope=DisclosureItemPage.Scope.INTERNAL) & scope.audience_q(
            "audience", "include_descendants"
        )
        ids = (
            DisclosureItemPage.objects.released()
            .filter(internal)
            .values_list("pk", flat=True)
            .distinct()
        )
        return self.released().filter(
            Q(scope=DisclosureItemPage.Scope.PUBLIC) | Q(pk__in=ids)
        )

    def for_unit(self, organisation_id: int):
        return self.filter(subject_unit_id=organisation_id)

    def choosable_by(self, user):
        """Items the person may pick in a chooser or a form field.

        Released items they may see (public ones, 党内 ones in their scope), and
        any item of a unit they work on disclosure for. Another unit's drafts and
        its 党内 items out of the person's scope never appear, not even by title.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        units = managed_organisations(
            user, [Role.EDITOR, Role.REVIEWER, Role.APPROVER, Role.UNIT_ADMIN]
        )
        return self.filter(
            Q(subject_unit__in=units)
            | Q(pk__in=DisclosureItemPage.objects.visible_to(user).values("pk"))
        )


DisclosureItemManager = PageManager.from_queryset(DisclosureItemQuerySet)


class DisclosureItemPage(pagecache.OneQueryRestrictions, Page):
    """One disclosure item (公开事项), or a policy interpretation of one."""

    class Scope(models.TextChoices):
        PUBLIC = "public", _("社会公开")
        INTERNAL = "internal", _("党内公开")

    class Method(models.TextChoices):
        PORTAL = "portal", _("网站/门户")
        MEETING = "meeting", _("会议")
        DOCUMENT = "document", _("文件")
        PRESS = "press", _("新闻发布会")
        MEDIA = "media", _("报刊、广播、电视等媒体")

    subject_unit: models.ForeignKey[Organisation, Organisation] = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="disclosure_items",
        verbose_name=_("公开主体"),
        help_text=_("默认为所在单位专栏的单位"),
    )
    category: models.ForeignKey[DisclosureCategory, DisclosureCategory] = (
        models.ForeignKey(
            DisclosureCategory,
            on_delete=models.PROTECT,
            related_name="items",
            verbose_name=_("公开类别"),
        )
    )
    summary: models.CharField[str, str] = models.CharField(
        _("摘要"), max_length=300, blank=True
    )
    body = RichTextField(_("正文"), features=BODY_FEATURES)
    scope: models.CharField[str, str] = models.CharField(
        _("公开范围"), max_length=10, choices=Scope.choices, default=Scope.PUBLIC
    )
    audience = ParentalManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        verbose_name=_("党内公开对象"),
        help_text=_("党内公开时必填：向哪些组织的党员公开"),
    )
    include_descendants: models.BooleanField[bool, bool] = models.BooleanField(
        _("含下级组织"),
        default=True,
        help_text=_("勾选后，所选组织的下级党组织党员也可查看"),
    )
    method: models.CharField[str, str] = models.CharField(
        _("公开方式"), max_length=10, choices=Method.choices, default=Method.PORTAL
    )
    valid_until: models.DateField[dt.date | None, dt.date | None] = models.DateField(
        _("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效")
    )
    interprets: models.ForeignKey[
        DisclosureItemPage | None, DisclosureItemPage | None
    ] = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interpretations",
        verbose_name=_("解读的事项"),
        help_text=_("本条为政策解读时，选择它所解读的公开事项"),
    )
    is_emergency: models.BooleanField[bool, bool] = models.BooleanField(
        _("紧急发布"),
        default=False,
        help_text=_("应急事项：审查、审批可在手机上即时办理，批准后立即发布"),
    )
    release_plan: models.ForeignKey[ReleasePlan | None, ReleasePlan | None] = (
        models.ForeignKey(
            "disclosure.ReleasePlan",
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="items",
            verbose_name=_("例行发布计划"),
        )
    )
    plan_period: models.CharField[str, str] = models.CharField(
        _("计划期次"),
        max_length=10,
        blank=True,
        help_text=_("例行发布的期次，如 2026-11、2026-Q4、2026"),
    )
    correction_note: models.TextField[str, str] = models.TextField(
        _("更正说明"),
        blank=True,
        help_text=_("修改已发布事项时必填，发布后在事项页显示"),
    )
    # Set by do_withdraw_item on the row itself (not in revisions).
    withdrawn_at: models.DateTimeField[dt.datetime | None, dt.datetime | None] = (
        models.DateTimeField(_("撤回时间"), null=True, blank=True)
    )
    withdrawal_reason: models.TextField[str, str] = models.TextField(
        _("撤回说明"), blank=True
    )

    objects = DisclosureItemManager()
    # What the item's page shows of it, read with it (pagecache.DirectRoute).
    route_select_related = ("subject_unit", "category")

    content_panels = Page.content_panels + [
        FieldRowPanel(
            [FieldPanel("category", widget=forms.Select), FieldPanel("method")]
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件"), heading=_("附件")),
        MultiFieldPanel(
            [
                FieldPanel("scope"),
                FieldPanel("audience", widget=forms.CheckboxSelectMultiple),
                FieldPanel("include_descendants"),
            ],
            heading=_("公开范围"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("valid_until"),
                FieldPanel("interprets"),
                FieldPanel("is_emergency"),
                FieldRowPanel(
                    [
                        FieldPanel("release_plan", widget=forms.Select),
                        FieldPanel("plan_period"),
                    ]
                ),
                FieldPanel("correction_note"),
            ],
            heading=_("发布信息"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("scope"),
        index.FilterField("subject_unit"),
    ]
    parent_page_types = ["disclosure.DisclosureSectionPage"]
    subpage_types: list[str] = []
    base_form_class = DisclosureItemForm

    class Meta:
        verbose_name = _("公开事项")
        verbose_name_plural = _("公开事项")

    @property
    def is_internal(self) -> bool:
        return self.scope == self.Scope.INTERNAL

    @property
    def is_public(self) -> bool:
        """Released to society: live, not withdrawn and 社会公开. The one rule
        (``DisclosureItemQuerySet.public`` is its queryset form) behind feeds,
        webhooks, share cards and sitemaps; 党内公开 items are never public."""
        return (
            self.scope == self.Scope.PUBLIC and self.live and self.withdrawn_at is None
        )

    @property
    def released_at(self):
        return self.first_published_at

    def save(self, *args, **kwargs):
        if not self.subject_unit_id and self.path:
            parent = self.get_parent()
            if parent is not None:
                parent = parent.specific
                self.subject_unit_id = getattr(parent, "organisation_id", None)
        return super().save(*args, **kwargs)

    def permissions_for_user(self, user):
        return DisclosurePagePermissionTester(user, self)

    def is_visible_to(self, person) -> bool:
        """Whether this released item's scope reaches the person."""
        if self.scope == self.Scope.PUBLIC:
            return True
        scope = scope_for(person)
        audience = list(self.audience.values_list("pk", flat=True))
        return scope.reaches(audience, self.include_descendants)

    def route(self, request, path_components):
        # A withdrawn item keeps its URL, which shows the withdrawal note.
        if not path_components and not self.live and self.withdrawn_at:
            return RouteResult(self, kwargs={"withdrawn": True})
        return super().route(request, path_components)

    def serve(self, request, *args, withdrawn=False, **kwargs):
        """Serves the item only to people in its scope (the rule of the column)."""
        if not self.is_visible_to(request.user):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            raise Http404
        if withdrawn:
            response = TemplateResponse(
                request,
                "disclosure/withdrawn.html",
                {"page": self, "self": self},
                status=410,
            )
        else:
            response = super().serve(request, *args, **kwargs)
        if self.is_internal:
            response["Cache-Control"] = "private, no-store"
        elif not withdrawn:
            # A 社会公开 item is the same for everyone: a public page
            # (dangjian.lib.pagecache checks again that it is public).
            pagecache.mark_public(response, page=self)
        response["Vary"] = "Cookie, Authorization"
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["attachment_list"] = list(
            self.attachments.select_related("document").all()
        )
        interpretations = DisclosureItemPage.objects.visible_to(request.user).filter(
            interprets=self
        )
        context["interpretations"] = interpretations
        if self.interprets_id:
            context["interpreted"] = (
                DisclosureItemPage.objects.visible_to(request.user)
                .filter(pk=self.interprets_id)
                .first()
            )
        context["corrections"] = self.releases.exclude(correction_note="").order_by(
            "released_at"
        )
        context["audience_names"] = (
            [o.name for o in self.audience.all()] if self.is_internal else []
        )
        return context

    def serve_preview(self, request, mode_name):
        # Previews are admin-only (Wagtail checks edit permission); no scope check
        # is needed, and the response must never be cached.
        response = super().serve_preview(request, mode_name)
        if isinstance(response, HttpResponse):
            response["Cache-Control"] = "private, no-store"
        return response

    def get_sitemap_urls(self, request=None):
        # Only public, released items go into any sitemap.
        if not self.is_public:
            return []
        return super().get_sitemap_urls(request)


class DisclosureAttachment(Orderable):
    page = ParentalKey(
        DisclosureItemPage, on_delete=models.CASCADE, related_name="attachments"
    )
    document: models.ForeignKey[AbstractDocument, AbstractDocument] = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("文件"),
    )
    caption: models.CharField[str, str] = models.CharField(
        _("附件名称"), max_length=200, blank=True
    )

    panels = [FieldPanel("document"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    @property
    def display_name(self) -> str:
        return self.caption or self.document.title


class ReleaseRecord(models.Model):
    """One release of an item: what scope went live, when, by whom, and why.

    Written when Wagtail publishes a revision (on approval or by the
    scheduler), so scope changes and corrections are visible in history.
    """

    page = models.ForeignKey(
        DisclosureItemPage, on_delete=models.CASCADE, related_name="releases"
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    released_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    scope = models.CharField(max_length=10)
    audience_ids = models.JSONField(default=list)
    include_descendants = models.BooleanField(default=True)
    via_workflow = models.BooleanField(default=True)
    is_emergency = models.BooleanField(default=False)
    correction_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("发布记录")
        verbose_name_plural = _("发布记录")
        ordering = ["-released_at", "-pk"]

    def __str__(self):
        return f"{self.page} @ {self.released_at:%Y-%m-%d %H:%M}"


class ScanFlag(models.Model):
    """A span the confidentiality scan found in one revision, and its decision."""

    class Rule(models.TextChoices):
        MARKING = "marking", _("密级标志")
        ID_NUMBER = "id_number", _("身份证号")
        MOBILE = "mobile", _("手机号")
        LANDLINE = "landline", _("固定电话")
        BANK_CARD = "bank_card", _("银行卡号")
        ADDRESS = "address", _("个人住址")
        NAME_WITH_ID = "name_with_id", _("姓名（邻近身份证号）")
        TERM = "term", _("敏感词")
        UNREADABLE = "unreadable", _("附件无法扫描")

    class Decision(models.TextChoices):
        PENDING = "", _("待审查")
        PUBLISHABLE = "publishable", _("可以公开")
        REDACT = "redact", _("须删改")

    page = models.ForeignKey(
        DisclosureItemPage, on_delete=models.CASCADE, related_name="scan_flags"
    )
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("规则"), max_length=20, choices=Rule.choices)
    field = models.CharField(_("位置"), max_length=200)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(_("命中内容"), max_length=200)
    before = models.CharField(max_length=60, blank=True)
    after = models.CharField(max_length=60, blank=True)
    decision = models.CharField(
        _("审查结论"), max_length=20, choices=Decision.choices, blank=True
    )
    reason = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("扫描标记")
        verbose_name_plural = _("扫描标记")
        ordering = ["revision_id", "field", "start", "pk"]

    def __str__(self):
        return f"{self.get_rule_display()}：{self.text}"


class ScanRun(models.Model):
    """That a revision was scanned (even when nothing was found)."""

    page = models.ForeignKey(
        DisclosureItemPage, on_delete=models.CASCADE, related_name="scan_runs"
    )
    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, related_name="disclosure_scan"
    )
    scanned_at = models.DateTimeField(default=timezone.now)
    flag_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("保密扫描")
        verbose_name_plural = _("保密扫描")

    def __str__(self):
        return f"{self.revision_id}: {self.flag_count}"


# --- Routine release calendar ----------------------------------------------


# The plugin cannot build `items` (pages point here, and Wagtail ships no types).
class ReleasePlan(models.Model):  # type: ignore[django-manager-missing]
    """A recurring release a unit commits to (例行发布), e.g. a monthly report."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        HALF_YEARLY = "half_yearly", _("每半年")
        YEARLY = "yearly", _("每年")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="release_plans",
        verbose_name=_("单位"),
    )
    title = models.CharField(_("名称"), max_length=100)
    category = models.ForeignKey(
        DisclosureCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("公开类别"),
    )
    frequency = models.CharField(_("频次"), max_length=12, choices=Frequency.choices)
    due_day = models.PositiveSmallIntegerField(
        _("截止日"),
        default=10,
        help_text=_("期次结束后次月的第几日前发布（1–28）"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="disclosure_plans",
        verbose_name=_("责任人"),
    )
    starts_on = models.DateField(_("起始日期"), default=dt.date.today)
    is_active = models.BooleanField(_("启用"), default=True)

    panels = [
        FieldPanel("organisation"),
        FieldPanel("title"),
        FieldPanel("category", widget=forms.Select),
        FieldRowPanel([FieldPanel("frequency"), FieldPanel("due_day")]),
        FieldPanel("owner"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("is_active")]),
    ]

    class Meta:
        verbose_name = _("例行发布计划")
        verbose_name_plural = _("例行发布计划")
        ordering = ["organisation__path", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "title"], name="unique_release_plan_title"
            ),
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=28),
                name="release_plan_due_day_range",
            ),
        ]

    def __str__(self):
        return f"{self.organisation.name} · {self.title}"


def workflow_state_for(item: DisclosureItemPage) -> WorkflowState | None:
    return (
        WorkflowState.objects.for_instance(item).order_by("-created_at", "-pk").first()
    )


# --- Press conferences (新闻发布会) -------------------------------------------


class PressConferenceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live=True)

    def for_unit(self, organisation_id: int):
        return self.filter(Q(host_unit_id=organisation_id) | Q(units=organisation_id))


class PressConference(DraftStateMixin, RevisionMixin, ClusterableModel):
    """The record of one press conference: who spoke, what was said, and the
    disclosure items it announced. A draft until published; publishing is
    logged by Wagtail like every other publication."""

    title: models.CharField[str, str] = models.CharField(_("主题"), max_length=200)
    held_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        _("举行时间")
    )
    venue: models.CharField[str, str] = models.CharField(
        _("地点"), max_length=200, blank=True
    )
    host_unit: models.ForeignKey[Organisation, Organisation] = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="press_conferences",
        verbose_name=_("主办单位"),
    )
    units = ParentalManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        verbose_name=_("发布单位"),
        help_text=_("出席发布的其他单位"),
    )
    speakers: models.TextField[str, str] = models.TextField(
        _("发布人"),
        blank=True,
        help_text=_("每行一位，如：张三｜市委宣传部副部长"),
    )
    summary: models.CharField[str, str] = models.CharField(
        _("摘要"), max_length=300, blank=True
    )
    transcript = RichTextField(_("实录"), features=BODY_FEATURES, blank=True)
    related_items = ParentalManyToManyField(
        DisclosureItemPage,
        blank=True,
        related_name="press_conferences",
        verbose_name=_("相关公开事项"),
    )
    video_url: models.URLField[str, str] = models.URLField(_("视频链接"), blank=True)
    cover: models.ForeignKey[AbstractImage | None, AbstractImage | None] = (
        models.ForeignKey(
            "wagtailimages.Image",
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
            verbose_name=_("图片"),
        )
    )
    created_at: models.DateTimeField[dt.datetime, dt.datetime] = models.DateTimeField(
        _("创建时间"), auto_now_add=True
    )

    objects = PressConferenceQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("held_at"), FieldPanel("venue")]),
        FieldPanel("host_unit"),
        FieldPanel("units", widget=forms.CheckboxSelectMultiple),
        FieldPanel("speakers"),
        FieldPanel("summary"),
        FieldPanel("transcript"),
        FieldPanel("related_items"),
        FieldRowPanel([FieldPanel("video_url"), FieldPanel("cover")]),
    ]

    class Meta:
        verbose_name = _("新闻发布会")
        verbose_name_plural = _("新闻发布会")
        ordering = ["-held_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("disclosure:press-detail", args=[self.pk])

    def speaker_list(self) -> list[tuple[str, str]]:
        """(name, title) pairs from the one-per-line speakers field."""
        rows = []
        for line in self.speakers.splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in ("｜", "|", "，", ","):
                if sep in line:
                    name, title = line.split(sep, 1)
                    rows.append((name.strip(), title.strip()))
                    break
            else:
                rows.append((line, ""))
        return rows


# The workflow's Task models live in dangjian.disclosure.workflow, which uses
# the models above; importing it here registers them with the disclosure app.
from dangjian.disclosure.workflow import (  # noqa: E402
    ConfidentialityReviewTask,
    ConfidentialityScanTask,
    UnitApprovalTask,
    UnitRoleTask,
    _item_for,
)

__all__ = [
    "BODY_FEATURES",
    "ConfidentialityReviewTask",
    "ConfidentialityScanTask",
    "DisclosureAttachment",
    "DisclosureCategory",
    "DisclosureIndexPage",
    "DisclosureItemManager",
    "DisclosureItemPage",
    "DisclosureItemQuerySet",
    "DisclosureSectionPage",
    "PressConference",
    "PressConferenceQuerySet",
    "ReleasePlan",
    "ReleaseRecord",
    "ScanFlag",
    "ScanRun",
    "SensitiveTerm",
    "UnitApprovalTask",
    "UnitRoleTask",
    "_item_for",
    "workflow_state_for",
]
