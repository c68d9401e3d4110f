"""Synonym edits reach every process's query analysis (see analysis.synonym_map)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dangjian.search.analysis import invalidate_synonyms
from dangjian.search.models import Synonym


@receiver(post_save, sender=Synonym)
@receiver(post_delete, sender=Synonym)
def synonyms_changed(sender: type[Synonym], **kwargs: Any) -> None:
    # The cache is invalidated, not rebuilt: this is the signal's only job.
    invalidate_synonyms()
    transaction.on_commit(invalidate_synonyms)
