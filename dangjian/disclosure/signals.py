"""Signal receivers: they only hand over to actions (audit, cache, index)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.models import PageLogEntry
from wagtail.signals import page_unpublished

from dangjian.disclosure.actions import (
    bump_generation,
    do_record_release,
    reindex_on_commit,
)
from dangjian.disclosure.models import DisclosureItemPage

RELEASE_ACTIONS = {"wagtail.publish", "wagtail.publish.scheduled", "wagtail.rollback"}


@receiver(post_save, sender=PageLogEntry)
def record_release(sender, instance, created, **kwargs):
    """Every publication of an item (approval, scheduler, superuser) is recorded.

    Wagtail's publish log entry is the one place that knows who published
    which revision, whichever path the publication took.
    """
    if not created or instance.action not in RELEASE_ACTIONS:
        return
    item = DisclosureItemPage.objects.filter(pk=instance.page_id).first()
    if item is None:
        return
    do_record_release(item, instance.revision, user=instance.user)


@receiver(page_unpublished, sender=DisclosureItemPage)
def forget_unpublished(sender, instance, **kwargs):
    # Wagtail's own log records who unpublished; the column and index follow.
    transaction.on_commit(bump_generation)
    reindex_on_commit(instance.pk)
