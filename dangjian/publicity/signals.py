"""Release events from the other apps, handed to the publicity actions.

Pages (disclosure items, study materials) send Wagtail's ``page_published``
and ``page_unpublished``; snippets with draft state (knowledge entries,
voting campaigns) send ``published`` and ``unpublished``. Every path that
publishes (workflow approval, the scheduler, an admin) goes through them.
"""

from __future__ import annotations

import logging

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, published, unpublished

from dangjian.publicity import actions

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


def connect():
    from dangjian.disclosure.models import DisclosureItemPage
    from dangjian.kb.models import Entry
    from dangjian.study.models import MaterialPage
    from dangjian.voting.models import Campaign

    for model in (DisclosureItemPage, MaterialPage):
        page_published.connect(on_published, sender=model, dispatch_uid=f"pub-{model}")
        page_unpublished.connect(
            on_unpublished, sender=model, dispatch_uid=f"unpub-{model}"
        )
        post_delete.connect(on_unpublished, sender=model, dispatch_uid=f"del-{model}")
    for model in (Entry, Campaign):
        published.connect(on_published, sender=model, dispatch_uid=f"pub-{model}")
        unpublished.connect(on_unpublished, sender=model, dispatch_uid=f"unpub-{model}")
        post_delete.connect(on_unpublished, sender=model, dispatch_uid=f"del-{model}")
