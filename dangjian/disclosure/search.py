"""Full-text search of the column through the shared search layer.

Every document carries an ``audience`` filter: ``public`` for 社会公开
items, ``org:<id>`` (that organisation only) or ``tree:<id>`` (with its
sub-organisations) for 党内公开 ones. A query passes the person's own
audience values, so the engine never returns, counts or snippets an item
outside the person's scope. Hits are checked against the database again
before they are shown, so a stale index cannot leak either.
"""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.disclosure.models import DisclosureItemPage
from dangjian.disclosure.scan import html_to_text
from dangjian.orgs.scope import PUBLIC_TOKEN, audience_tokens, item_audience_tokens
from dangjian.search import Document, get_index, register_index

INDEX = "disclosure"


def register() -> None:
    register_index(
        INDEX,
        fields={"title": 3.0, "summary": 2.0, "body": 1.0},
        filters=["audience", "unit", "category", "year"],
        feeder=feed_all,
    )


def audience_values(item) -> list[str]:
    """The item's audience tokens (``dangjian.orgs.scope``, the one rule)."""
    if item.scope == item.Scope.PUBLIC:
        return [PUBLIC_TOKEN]
    return item_audience_tokens(
        item.audience.values_list("pk", flat=True), item.include_descendants
    )


def audience_for(person) -> list[str]:
    """The audience tokens a person may read (``dangjian.orgs.scope``)."""
    return audience_tokens(person)


def document_for(item):
    released = item.first_published_at or item.last_published_at
    return Document(
        id=str(item.pk),
        fields={
            "title": item.title,
            "summary": item.summary,
            "body": html_to_text(item.body),
        },
        filters={
            "audience": audience_values(item),
            "unit": str(item.subject_unit_id),
            "category": str(item.category_id),
            "year": str(released.year) if released else "",
        },
    )


def feed_all():
    for item in DisclosureItemPage.objects.released().prefetch_related("audience"):
        yield document_for(item)


def index_item(page_id: int) -> None:
    """Puts a released item in the index, or takes an unreleased one out."""
    index = get_index(INDEX)
    item = DisclosureItemPage.objects.released().filter(pk=page_id).first()
    if item is None:
        index.delete_on_commit([str(page_id)])
    else:
        index.upsert_on_commit([document_for(item)])


@dataclass
class Result:
    item: DisclosureItemPage
    snippet: str


def search_items(
    person,
    q: str,
    *,
    unit: int | None = None,
    category: int | None = None,
    year: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[Result]]:
    """Items matching ``q`` that the person may see, best first, with snippets."""

    filters: dict[str, list[str]] = {"audience": audience_for(person)}
    if unit:
        filters["unit"] = [str(unit)]
    if category:
        filters["category"] = [str(category)]
    if year:
        filters["year"] = [str(year)]
    results = get_index(INDEX).search(q, filters=filters, limit=limit, offset=offset)
    ids = [int(hit.id) for hit in results.hits]
    visible = {
        item.pk: item
        for item in DisclosureItemPage.objects.visible_to(person)
        .filter(pk__in=ids)
        .select_related("subject_unit", "category")
    }
    shown = []
    for hit in results.hits:
        item = visible.get(int(hit.id))
        if item is None:
            continue
        snippet = hit.snippets.get("body") or hit.snippets.get("summary") or ""
        shown.append(Result(item=item, snippet=snippet))
    return results.total, shown
