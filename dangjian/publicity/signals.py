"""Release events from the other apps, handed to the publicity actions.

Pages (disclosure items, study materials) send Wagtail's ``page_published``
and ``page_unpublished``; snippets with draft state (knowledge entries,
voting campaigns) send ``published`` and ``unpublished``. Every path that
publishes (workflow approval, the scheduler, an admin) goes through them.
Which models are releasable is what the capabilities register through the
``dangjian_publicity_sources`` hook; nothing here names them.
"""

from __future__ import annotations

import logging

from django.db.models.signals import post_delete
from wagtail.models import DraftStateMixin, Page
from wagtail.signals import page_published, page_unpublished, published, unpublished

from dangjian.publicity import actions
from dangjian.publicity.sources import source_for

logger = logging.getLogger(__name__)


def _revision_key(revision) -> str:
    return str(revision.pk) if revision is not None else ""


def on_published(sender, instance, revision=None, **kwargs):
    # Syndication must never undo a publication: a failure here is logged
    # (its savepoint rolled back) and ``manage.py backfill_releases`` catches up.
    try:
        actions.do_record_release(instance, revision_key=_revision_key(revision))
    except Exception:
        logger.exception("Recording the release of %r failed", instance)


def on_unpublished(sender, instance, **kwargs):
    try:
        actions.do_retract_release(instance)
    except Exception:
        logger.exception("Retracting the release of %r failed", instance)


def _releasable(sender) -> bool:
    # Only pages and snippets with draft state can be released; anything else
    # (most deletes) returns before the hook registry is consulted.
    return issubclass(sender, (Page, DraftStateMixin))


def _on_published(sender, instance, **kwargs):
    if _releasable(sender) and source_for(instance) is not None:
        on_published(sender, instance, **kwargs)


def _on_unpublished(sender, instance, **kwargs):
    if _releasable(sender) and source_for(instance) is not None:
        on_unpublished(sender, instance, **kwargs)


def connect():
    """Listens to Wagtail's release signals of every sender; the models that
    count are the ones capabilities register as publicity sources (the
    ``dangjian_publicity_sources`` hook), looked up when a signal arrives."""
    page_published.connect(_on_published, dispatch_uid="publicity-published-page")
    page_unpublished.connect(_on_unpublished, dispatch_uid="publicity-unpublished-page")
    published.connect(_on_published, dispatch_uid="publicity-published")
    unpublished.connect(_on_unpublished, dispatch_uid="publicity-unpublished")
    post_delete.connect(_on_unpublished, dispatch_uid="publicity-deleted")
