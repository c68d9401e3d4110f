from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SynonymQuerySet(models.QuerySet["Synonym"]):
    def enabled(self) -> SynonymQuerySet:
        """The groups search uses: enabled, and confirmed by an admin (a
        proposal learned from use counts only once confirmed)."""
        return self.filter(enabled=True, review=Synonym.Review.CONFIRMED)

    def proposed(self) -> SynonymQuerySet:
        return self.filter(review=Synonym.Review.PROPOSED)


class Synonym(models.Model):
    """A group of words a citizen may use for the same thing (暖气/供暖/采暖).

    Applied when a query is analysed, never when documents are indexed, so an
    edit takes effect at once without re-indexing. Groups an admin types are
    confirmed; groups learned from use (searches that led to the same entry,
    operators' choices in the console) come in as proposals, with how many
    searches support them and examples, and count only once an admin sets
    them confirmed.
    """

    class Origin(models.TextChoices):
        ADMIN = "admin", _("管理员录入")
        LEARNED = "learned", _("检索日志学习")

    class Review(models.TextChoices):
        CONFIRMED = "confirmed", _("已确认")
        PROPOSED = "proposed", _("待确认")
        REJECTED = "rejected", _("已驳回")

    terms = models.CharField(
        _("同义词组"),
        max_length=500,
        help_text=_("用“/”或逗号分隔，例如：暖气/供暖/采暖"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    origin = models.CharField(
        _("来源"), max_length=10, choices=Origin.choices, default=Origin.ADMIN
    )
    review = models.CharField(
        _("审核"),
        max_length=10,
        choices=Review.choices,
        default=Review.CONFIRMED,
        help_text=_("从检索日志学到的同义词须经管理员确认后才参与检索"),
    )
    searches = models.PositiveIntegerField(
        _("支持的检索次数"),
        default=0,
        help_text=_("用这两种说法检索并点开同一条目的次数（话务员的选择计两次）"),
    )
    examples = models.TextField(_("检索示例"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SynonymQuerySet.as_manager()

    class Meta:
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        from dangjian.search.analysis import parse_synonym_terms

        return parse_synonym_terms(self.terms)


class IndexChange(models.Model):
    """One change of a search index, in the order the database saw it.

    Every node keeps its own index files; each applies the changes after the
    last one it applied (see `dangjian.search.changelog`), so a document
    written through one node is found through every other.
    """

    class Op(models.TextChoices):
        UPSERT = "upsert", _("写入")
        DELETE = "delete", _("删除")

    id = models.BigAutoField(primary_key=True)
    index = models.CharField(_("索引"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    op = models.CharField(_("操作"), max_length=8, choices=Op.choices)
    # The document as indexed ({"fields": …, "filters": …}); empty for a delete.
    document = models.JSONField(_("文档"), null=True, blank=True)
    created = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("索引变更")
        verbose_name_plural = _("索引变更")
        indexes = [models.Index(fields=["index", "id"], name="search_change_index_id")]

    def __str__(self) -> str:
        return f"{self.index} {self.op} {self.object_id}"
