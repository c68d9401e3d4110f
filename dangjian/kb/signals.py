"""Keep the search index in step with what Wagtail publishes.

Entries are published by Wagtail's own views and workflow (approval by the
unit's reviewer), so the index follows Wagtail's published / unpublished
signals rather than a save in a view. The work is done after commit.
"""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import published, unpublished

from dangjian.kb.models import Entry


@receiver(published, sender=Entry)
@receiver(unpublished, sender=Entry)
def entry_publication_changed(sender, instance, **kwargs):
    from dangjian.kb.actions import sync_entry_to_index

    sync_entry_to_index(instance)


@receiver(post_delete, sender=Entry)
def entry_deleted(sender, instance, **kwargs):
    from dangjian.kb.search import kb_index

    pk = str(instance.pk)
    transaction.on_commit(lambda: kb_index().delete([pk]))
