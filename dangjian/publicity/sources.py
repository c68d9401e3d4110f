"""What each releasable kind of content looks like to the publicity matrix.

The only place that knows the other apps' models: it turns a disclosure item,
study material, knowledge entry or voting campaign into a ``Source`` and
decides whether it is public. Everything else works on ``Source``/``Release``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import Truncator

from dangjian.publicity.models import Release


@dataclass
class Source:
    kind: str
    object_id: int
    is_public: bool
    title: str = ""
    summary: str = ""
    url: str = ""
    unit_id: int | None = None
    column_id: int | None = None
    column_name: str = ""
    expires_on: dt.date | None = None


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def _excerpt(text: str, length: int = 140) -> str:
    return Truncator(" ".join(strip_tags(text or "").split())).chars(length)


def _page_url(page) -> str:
    return absolute(page.get_url() or "")


def describe(obj) -> Source | None:
    """The source for an object of a releasable kind, or None for any other."""
    from dangjian.disclosure.models import DisclosureItemPage
    from dangjian.kb.models import Entry
    from dangjian.study.models import MaterialPage
    from dangjian.voting.models import Campaign

    obj = getattr(obj, "specific", obj)
    if isinstance(obj, DisclosureItemPage):
        return Source(
            kind=Release.Kind.DISCLOSURE,
            object_id=obj.pk,
            # 党内公开 items are never public, whatever else is true.
            is_public=obj.scope == DisclosureItemPage.Scope.PUBLIC
            and obj.live
            and obj.withdrawn_at is None,
            title=obj.title,
            summary=obj.summary or _excerpt(obj.body),
            url=_page_url(obj),
            unit_id=obj.subject_unit_id,
            column_id=obj.category_id,
            column_name=obj.category.name if obj.category_id else "",
            expires_on=obj.valid_until,
        )
    if isinstance(obj, MaterialPage):
        return Source(
            kind=Release.Kind.MATERIAL,
            object_id=obj.pk,
            is_public=obj.visibility == MaterialPage.Visibility.PUBLIC and obj.live,
            title=obj.title,
            summary=_excerpt(obj.summary or obj.body),
            url=_page_url(obj),
            unit_id=obj.organisation_id,
            column_id=obj.topic_id,
            column_name=obj.topic.name if obj.topic_id else "",
        )
    if isinstance(obj, Entry):
        return Source(
            kind=Release.Kind.KB,
            object_id=obj.pk,
            is_public=bool(obj.live),
            title=obj.matter,
            summary=_excerpt(obj.answer),
            url=absolute(obj.get_absolute_url()),
            unit_id=obj.owner_id,
            column_name=obj.category,
            expires_on=obj.valid_until,
        )
    if isinstance(obj, Campaign):
        return Source(
            kind=Release.Kind.CAMPAIGN,
            object_id=obj.pk,
            # Campaigns only for members are not announced to the public.
            is_public=bool(obj.live) and obj.open_to_public,
            title=obj.title,
            summary=_excerpt(obj.description),
            url=absolute(obj.get_absolute_url()),
            unit_id=obj.organisation_id,
        )
    return None


def still_public_ids(kind: str, ids) -> set[int]:
    """Of these released ids, the ones whose item is public right now.

    Feeds double-check against the owning app so that a missed signal can
    never leave an item in a feed after it stopped being public.
    """
    from dangjian.disclosure.models import DisclosureItemPage
    from dangjian.kb.models import Entry
    from dangjian.study.models import MaterialPage
    from dangjian.voting.models import Campaign

    ids = list(ids)
    if kind == Release.Kind.DISCLOSURE:
        qs = DisclosureItemPage.objects.public().filter(pk__in=ids)
    elif kind == Release.Kind.MATERIAL:
        qs = MaterialPage.objects.live().filter(
            pk__in=ids, visibility=MaterialPage.Visibility.PUBLIC
        )
    elif kind == Release.Kind.KB:
        qs = Entry.objects.filter(pk__in=ids, live=True)
    elif kind == Release.Kind.CAMPAIGN:
        qs = Campaign.objects.filter(pk__in=ids, live=True, open_to_public=True)
    else:
        return set()
    return set(qs.values_list("pk", flat=True))


def filter_still_public(releases) -> list[Release]:
    releases = list(releases)
    by_kind: dict[str, list[int]] = {}
    for release in releases:
        by_kind.setdefault(release.kind, []).append(release.object_id)
    allowed = {
        (kind, pk)
        for kind, ids in by_kind.items()
        for pk in still_public_ids(kind, ids)
    }
    return [r for r in releases if (r.kind, r.object_id) in allowed]


def is_public(obj) -> bool | None:
    """Whether a releasable object is public now (None for other objects).

    Cheap (no queries): it is asked on every page render for share cards.
    """
    from dangjian.disclosure.models import DisclosureItemPage
    from dangjian.study.models import MaterialPage

    if isinstance(obj, DisclosureItemPage):
        return (
            obj.scope == DisclosureItemPage.Scope.PUBLIC
            and obj.live
            and obj.withdrawn_at is None
        )
    if isinstance(obj, MaterialPage):
        return obj.visibility == MaterialPage.Visibility.PUBLIC and obj.live
    return None


def summary_of(obj, length: int = 140) -> str:
    """A short description for share cards, without touching related rows."""
    for name in ("search_description", "summary", "description", "answer", "body"):
        value = getattr(obj, name, "")
        if isinstance(value, str) and value.strip():
            if "<" in value:
                value = strip_tags(value)
            value = " ".join(value.split())
            return value if len(value) <= length else value[: length - 1] + "…"
    return ""
