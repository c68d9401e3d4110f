from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SynonymQuerySet(models.QuerySet["Synonym"]):
    def enabled(self) -> SynonymQuerySet:
        return self.filter(enabled=True)


class Synonym(models.Model):
    """A group of words a citizen may use for the same thing (暖气/供暖/采暖).

    Applied when a query is analysed, never when documents are indexed, so an
    edit takes effect at once without re-indexing.
    """

    terms = models.CharField(
        _("同义词组"),
        max_length=500,
        help_text=_("用“/”或逗号分隔，例如：暖气/供暖/采暖"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
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
