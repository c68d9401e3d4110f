"""Which pages use a Wagtail document: for the apps whose attachments follow
the audience of their pages (disclosure items, study materials)."""

from __future__ import annotations

from typing import Any

from django.db import models


def pages_using_document(
    document: Any, attachment_model: type[models.Model], page_model: type[models.Model]
) -> set[int]:
    """Ids of ``page_model`` pages that attach ``document`` (rows of
    ``attachment_model``, with ``page`` and ``document`` fields) or link to it
    in a body or a draft not yet saved as rows (Wagtail's reference index)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ReferenceIndex

    page_ids = set(
        attachment_model._default_manager.filter(document=document).values_list(
            "page_id", flat=True
        )
    )
    page_type = ContentType.objects.get_for_model(page_model)
    page_ids |= {
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(document)
        .filter(content_type=page_type)
        .values_list("object_id", flat=True)
        if str(object_id).isdigit()
    }
    return page_ids
