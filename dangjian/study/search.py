"""Study materials in the shared search layer, with an audience filter.

Each document carries ``audience`` values: ``public`` (anyone), ``members``
(anyone with a membership), or, for plan-only materials, ``org:<id>`` /
``tree:<id>`` of the active plans that include them. Unpublished materials
are not in the index. A query passes only the current person's values, and
hits are checked against the database again before they are shown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import transaction
from django.utils.html import strip_tags

from dangjian.orgs.scope import (
    MEMBERS_TOKEN,
    PUBLIC_TOKEN,
    audience_tokens,
    item_audience_tokens,
)
from dangjian.search import Document, get_index, register_index
from dangjian.study.models import MaterialPage, StudyPlan

INDEX = "study"


def register() -> None:
    register_index(
        INDEX,
        fields={"title": 3.0, "summary": 2.0, "body": 1.0},
        filters=["audience", "topic", "kind", "unit"],
        feeder=feed_all,
    )


def audience_values(material) -> list[str]:
    if material.visibility == MaterialPage.Visibility.PUBLIC:
        return [PUBLIC_TOKEN]
    if material.visibility == MaterialPage.Visibility.MEMBERS:
        return [MEMBERS_TOKEN]
    values = set()
    plans = StudyPlan.objects.active().filter(items__material=material)
    for plan in plans.prefetch_related("audience"):
        values |= set(
            item_audience_tokens(
                [org.pk for org in plan.audience.all()], plan.include_descendants
            )
        )
    return sorted(values)


def audience_for(person) -> list[str] | None:
    """The audience tokens a person may read (``dangjian.orgs.scope``); None
    means everything (platform admins open every material, as on its page)."""
    if person is not None and person.is_authenticated and person.is_superuser:
        return None
    return audience_tokens(person)


def document_for(material):
    section = material.get_parent().specific
    return Document(
        id=str(material.pk),
        fields={
            "title": material.title,
            "summary": material.summary,
            "body": strip_tags(material.body or ""),
        },
        filters={
            "audience": audience_values(material),
            "topic": str(material.topic_id),
            "kind": material.kind,
            "unit": str(getattr(section, "organisation_id", "")),
        },
    )


def feed_all():
    for material in MaterialPage.objects.live():
        yield document_for(material)


def index_material(page_id: int) -> None:
    """Puts a live material in the index, or takes any other out."""
    index = get_index(INDEX)
    material = MaterialPage.objects.live().filter(pk=page_id).first()
    if material is None:
        index.delete_on_commit([str(page_id)])
    else:
        index.upsert_on_commit([document_for(material)])


_pending = threading.local()


def index_materials_on_commit(page_ids) -> None:
    """Brings these materials' index entries up to date after commit.

    Ids queued in one transaction are written together, in one index commit:
    the first callback drains the queue, the others find it empty. Ids left
    by a rolled-back transaction are harmless, since each id is checked
    against the database when written.
    """
    queued = getattr(_pending, "ids", None)
    if queued is None:
        queued = _pending.ids = set()
    queued.update(page_ids)
    transaction.on_commit(_write_pending)


def _write_pending() -> None:
    page_ids = getattr(_pending, "ids", None) or set()
    _pending.ids = set()
    if not page_ids:
        return
    live = {m.pk: m for m in MaterialPage.objects.live().filter(pk__in=page_ids)}
    index = get_index(INDEX)
    if live:
        index.upsert_on_commit([document_for(m) for m in live.values()])
    gone = [str(pk) for pk in page_ids if pk not in live]
    if gone:
        index.delete_on_commit(gone)


def index_plan_materials(plan) -> None:
    """A plan's audience decides who finds its plan-only materials."""
    index_materials_on_commit(list(plan.items.values_list("material_id", flat=True)))


@dataclass
class Result:
    material: object
    snippet: str


def search_materials(person, q: str, *, topic=None, kind=None, limit=20, offset=0):
    filters: dict = {"audience": audience_for(person)}
    if topic:
        filters["topic"] = [str(topic)]
    if kind:
        filters["kind"] = [kind]
    results = get_index(INDEX).search(q, filters=filters, limit=limit, offset=offset)
    ids = [int(hit.id) for hit in results.hits]
    visible = {
        m.pk: m
        for m in MaterialPage.objects.visible_to(person)
        .filter(pk__in=ids)
        .select_related("topic")
    }
    shown = []
    for hit in results.hits:
        material = visible.get(int(hit.id))
        if material is None:
            continue
        snippet = (
            hit.snippets.get("body")
            or hit.snippets.get("summary")
            or hit.snippets.get("title")
            or ""
        )
        shown.append(Result(material=material, snippet=snippet))
    return results.total, shown, results.suggestion
