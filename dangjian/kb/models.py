"""12345 knowledge entries, their imports, and the search log."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    Task,
    TaskState,
    WorkflowMixin,
)

from dangjian.orgs.models import Membership, Organisation

EXPIRY_WARNING_DAYS = 30


def today() -> datetime.date:
    return timezone.localdate()


class EntryQuerySet(models.QuerySet["Entry"]):
    def valid_on(self, day: datetime.date | None = None) -> Self:
        day = day or today()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def searchable(self) -> Self:
        """Live and valid today: exactly what the search index should hold."""
        return self.filter(live=True).valid_on()

    def expired(self) -> Self:
        return self.filter(valid_until__lt=today())

    def expiring_within(self, days: int = EXPIRY_WARNING_DAYS) -> Self:
        start = today()
        return self.filter(
            valid_until__gte=start,
            valid_until__lte=start + datetime.timedelta(days=days),
        )

    def owned_by(self, organisations: Iterable[Organisation] | QuerySet) -> Self:
        return self.filter(owner__in=organisations)


class Entry(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """A standardized answer to one matter, maintained by its owner unit."""

    external_id = models.CharField(
        _("外部编号"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("导入时用于识别同一条目；再次导入会更新而不是重复。"),
    )
    matter = models.CharField(_("事项名称"), max_length=300)
    question = models.TextField(_("群众问法"), blank=True)
    answer = models.TextField(_("答复口径"))
    policy_basis = models.TextField(_("政策依据"), blank=True)
    policy_links = models.TextField(
        _("政策链接"), blank=True, help_text=_("每行一个网址")
    )
    handling_unit = models.CharField(_("办理单位"), max_length=200, blank=True)
    contact = models.CharField(_("联系方式"), max_length=200, blank=True)
    area = models.CharField(_("适用区域"), max_length=200, blank=True)
    category = models.CharField(_("分类"), max_length=100, blank=True)
    keywords = models.CharField(
        _("关键词"), max_length=500, blank=True, help_text=_("用逗号分隔")
    )
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="kb_entries",
        limit_choices_to={"maintains_kb": True},
    )
    source = models.CharField(_("来源"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "valid_until"])]

    def __str__(self):
        return self.matter

    def get_absolute_url(self):
        return reverse("kb:entry", args=[self.pk])

    @property
    def sample_notice(self) -> str:
        """ "示例数据：…" for an entry imported from a public sample data set."""
        return SAMPLE_SOURCES.get(self.source, "")

    @property
    def is_valid_today(self) -> bool:
        day = today()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or self.valid_until >= day
        )

    @property
    def is_searchable(self) -> bool:
        return self.live and self.is_valid_today

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.policy_links.splitlines() if line.strip()]

    def keyword_list(self) -> list[str]:
        return [k for k in re.split(r"[,，、;；\s]+", self.keywords) if k]

    def search_document(self):
        from dangjian.search import Document

        return Document(
            id=str(self.pk),
            fields={
                "matter": self.matter,
                "question": self.question,
                "keywords": " ".join(self.keyword_list()),
                "answer": self.answer,
                "basis": self.policy_basis,
            },
            filters={
                "unit": str(self.owner_id),
                "category": self.category or "-",
                "area": self.area or "-",
            },
        )


class ImportBatch(models.Model):
    """One import of a file: what landed, who did it (the audit anchor)."""

    file_name = models.CharField(_("文件名"), max_length=300)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("知识库导入")
        verbose_name_plural = _("知识库导入")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name}（新增 {self.created}，更新 {self.updated}）"


# Import files of the demo: public knowledge bases, shown as sample data
# wherever their entries appear.
SAMPLE_SOURCES = {
    "hotline_kb_bj/kb.jsonl": "示例数据：北京12345公开知识库",
    "demo_entries.jsonl": "示例数据：项目自带的演示知识库",
}


def sample_notice() -> str:
    """The notice for the knowledge base's pages while it holds sample data."""
    # In id order: the scan stops at the first sample entry.
    found = list(
        Entry.objects.filter(source__in=list(SAMPLE_SOURCES), live=True)
        .order_by("pk")
        .values_list("source", flat=True)[:1]
    )
    return SAMPLE_SOURCES.get(found[0], "") if found else ""


class AnswerFeedback(models.Model):
    """ "这个回答有帮助吗": one citizen's yes/no and optional comment on an
    entry. No person, session or address is kept; the owning unit sees the
    counts on its dashboard and the comments on its hot-questions page."""

    entry = models.ForeignKey(
        Entry,
        verbose_name=_("知识条目"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    helpful = models.BooleanField(_("有帮助"))
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("答复评价")
        verbose_name_plural = _("答复评价")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.entry_id}: {'有帮助' if self.helpful else '没帮助'}"


class SearchLogQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(created_at__gte=moment)

    def without_results(self):
        return self.filter(result_count=0)

    def without_click(self):
        return self.filter(result_count__gt=0, clicked_entry__isnull=True)


class SearchLog(models.Model):
    """One search. No person, session or address is kept: only what was asked."""

    class Channel(models.TextChoices):
        CITIZEN = "citizen", _("市民检索页")
        CONSOLE = "console", _("话务员工作台")
        API = "api", _("接口")

    # Random, given when the search is made (the row is written later, in a
    # batch): links from the results carry it so a click finds its search.
    token = models.CharField(
        _("标识"), max_length=32, blank=True, db_index=True, editable=False
    )
    query = models.CharField(_("检索词"), max_length=200)
    normalized = models.CharField(_("归一化检索词"), max_length=200, db_index=True)
    result_count = models.PositiveIntegerField(_("结果数"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    routed_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("可能的责任单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clicked_entry = models.ForeignKey(
        Entry,
        verbose_name=_("点击的条目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = SearchLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("检索日志")
        verbose_name_plural = _("检索日志")
        ordering = ["-created_at"]

    def __str__(self):
        return self.query


class LearnedAnswer(models.Model):
    """A question citizens ask and the entry their searches led to, learned
    from the search log (clicks, and operators' choices in the console).

    Proposed by ``manage.py kb_learn`` with how many searches support it and
    examples of how they were typed; once an admin confirms it, a search of
    that question (as the log normalizes it) puts the entry first. City-wide,
    like the synonym table: superusers only.
    """

    class Review(models.TextChoices):
        CONFIRMED = "confirmed", _("已确认")
        PROPOSED = "proposed", _("待确认")
        REJECTED = "rejected", _("已驳回")

    query = models.CharField(_("检索词（归一化）"), max_length=200)
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("条目"),
        on_delete=models.CASCADE,
        related_name="learned_answers",
    )
    searches = models.PositiveIntegerField(
        _("支持的检索次数"),
        default=0,
        help_text=_("以此检索并点开该条目的次数（话务员的选择计两次）"),
    )
    examples = models.TextField(_("检索示例"), blank=True)
    review = models.CharField(
        _("审核"),
        max_length=10,
        choices=Review.choices,
        default=Review.PROPOSED,
        help_text=_("确认后，这样检索时该条目排在最前"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("学习到的问法")
        verbose_name_plural = _("学习到的问法")
        ordering = ["-searches", "query"]
        constraints = [
            models.UniqueConstraint(
                fields=["query", "entry"], name="kb_learnedanswer_query_entry"
            )
        ]

    def __str__(self):
        return f"{self.query} → {self.entry_id}"


class UnitReviewTask(Task):
    """A workflow step approved by a reviewer (or approver, or admin) of the
    entry's own owner unit: one workflow serves all 72 units, and no unit
    reviews another's entries."""

    REVIEW_ROLES = ("reviewer", "approver", "unit_admin")

    def _reviews(self, obj, user) -> bool:
        if user.is_superuser:
            return True
        owner_id = getattr(obj, "owner_id", None)
        return (
            owner_id is not None
            and Membership.objects.active()
            .filter(person=user, organisation_id=owner_id, role__in=self.REVIEW_ROLES)
            .exists()
        )

    def user_can_access_editor(self, obj, user):
        return self._reviews(obj, user)

    def locked_for_user(self, obj, user):
        return not self._reviews(obj, user)

    def user_can_lock(self, obj, user):
        return self._reviews(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if self._reviews(obj, user):
            return [
                ("reject", _("退回修改"), True),
                ("approve", _("审核通过"), False),
                ("approve", _("审核通过并留言"), True),
            ]
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return states
        units = (
            Membership.objects.active()
            .filter(person=user, role__in=self.REVIEW_ROLES)
            .values("organisation_id")
        )
        entry_ids = Entry.objects.filter(owner__in=units).values_list("pk", flat=True)
        return states.filter(
            workflow_state__object_id__in=[str(pk) for pk in entry_ids]
        )

    @classmethod
    def get_description(cls):
        return _("由条目所属单位的审核人员审核")

    class Meta:
        verbose_name = _("本单位审核")
        verbose_name_plural = _("本单位审核")
