"""Keep the search index in step with what Wagtail publishes.

Entries are published by Wagtail's own views and workflow (approval by the
unit's reviewer), so the index follows Wagtail's published / unpublished
signals rather than a save in a view. The work is done after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import published, unpublished

from dangjian.kb.actions import sync_entry_to_index
from dangjian.kb.learning import invalidate_answers
from dangjian.kb.models import Entry, LearnedAnswer
from dangjian.kb.search import kb_index


@receiver(published, sender=Entry)
@receiver(unpublished, sender=Entry)
def entry_publication_changed(
    sender: type[Entry], instance: Entry, **kwargs: Any
) -> None:
    sync_entry_to_index(instance)


@receiver(post_delete, sender=Entry)
def entry_deleted(sender: type[Entry], instance: Entry, **kwargs: Any) -> None:
    pk = str(instance.pk)
    kb_index().delete_on_commit([pk])


@receiver(post_save, sender=LearnedAnswer)
@receiver(post_delete, sender=LearnedAnswer)
def learned_answers_changed(sender: type[LearnedAnswer], **kwargs: Any) -> None:
    # Confirming (or rejecting) a learned question reaches every process's
    # search within a second.
    invalidate_answers()
    transaction.on_commit(invalidate_answers)
