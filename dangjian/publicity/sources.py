"""What each releasable kind of content looks like to the publicity matrix.

Publicity imports no capability app: each capability registers its
``PublicitySource`` objects through the ``dangjian_publicity_sources`` hook
(dangjian/lib/plugins.py, dangjian/README.md). This module loops over them: it
turns an object into a ``Source`` (``Publication``) and decides whether it is
public by asking the owning app's rule. Everything else works on
``Source``/``Release``.
"""

from __future__ import annotations

from django.db.models import Model
from django.utils.html import strip_tags

from dangjian.lib import plugins
from dangjian.lib.plugins import Publication as Source
from dangjian.lib.plugins import absolute
from dangjian.publicity.models import Release

__all__ = [
    "Source",
    "absolute",
    "describe",
    "filter_still_public",
    "is_public",
    "registered_sources",
    "source_for",
    "still_public_ids",
    "summary_of",
]


def registered_sources() -> list[plugins.PublicitySource]:
    return plugins.registered(plugins.PUBLICITY_SOURCES)


def source_for(obj) -> plugins.PublicitySource | None:
    """The registered source of an object's kind (its exact model), or None."""
    if not isinstance(obj, Model):
        return None
    model = type(obj)
    for source in registered_sources():
        if model is source.model:
            return source
    return None


def _by_kind(kind: str) -> plugins.PublicitySource | None:
    return next((s for s in registered_sources() if s.kind == kind), None)


def describe(obj) -> Source | None:
    """The source for an object of a releasable kind, or None for any other."""
    obj = getattr(obj, "specific", obj)
    source = source_for(obj)
    return source.describe(obj) if source is not None else None


def still_public_ids(kind: str, ids) -> set[int]:
    """Of these released ids, the ones whose item is public right now.

    Feeds double-check against the owning app so that a missed signal can
    never leave an item in a feed after it stopped being public.
    """
    source = _by_kind(kind)
    if source is None:
        return set()
    return set(source.public().filter(pk__in=list(ids)).values_list("pk", flat=True))


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
    source = source_for(obj)
    return source.is_public(obj) if source is not None else None


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
