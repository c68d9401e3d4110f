from __future__ import annotations

from django.db import models
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
