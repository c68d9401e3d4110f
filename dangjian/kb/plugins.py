"""What the knowledge base hands to publicity and stats (through the hooks
registered in wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from dangjian.lib import plugins


def is_public(entry) -> bool:
    """Published entries are public (the knowledge base is for citizens);
    ``public_entries`` is the queryset form."""
    return bool(entry.live)


def public_entries():
    from dangjian.kb.models import Entry

    return Entry.objects.filter(live=True)


def describe(obj) -> plugins.Publication:
    return plugins.Publication(
        kind="kb",
        object_id=obj.pk,
        is_public=is_public(obj),
        title=obj.matter,
        summary=plugins.excerpt(obj.answer),
        url=plugins.absolute(obj.get_absolute_url()),
        unit_id=obj.owner_id,
        column_name=obj.category,
        expires_on=obj.valid_until,
    )


def publicity_sources() -> list[plugins.PublicitySource]:
    from dangjian.kb.models import Entry

    return [
        plugins.PublicitySource(
            kind="kb",
            label="12345 知识库",
            model=Entry,
            describe=describe,
            public=public_entries,
            is_public=is_public,
        )
    ]


def _entries(window: plugins.Window) -> dict[str, dict[int, int]]:
    day = min(window.last_day, timezone.localdate())
    live = public_entries()
    return {
        "kb_entries": dict(live.values_list("owner_id").annotate(n=Count("id"))),
        "kb_current": dict(
            live.valid_on(day).values_list("owner_id").annotate(n=Count("id"))
        ),
    }


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(
                plugins.Metric("kb_entries", "知识条目", 90),
                plugins.Metric("kb_current", "知识条目在有效期内", 100),
            ),
            per="organisation",
            count=_entries,
        )
    ]


def _visible_ids(person, ids: list[int]) -> set[int]:
    return set(public_entries().filter(pk__in=ids).values_list("pk", flat=True))


def viewed_kinds() -> list[plugins.ViewedKind]:
    from dangjian.kb.models import Entry

    # Entries' views are not yet part of a unit's dashboard (owned_by=None
    # keeps the figures as they were); their titles are public.
    return [
        plugins.ViewedKind(
            model=Entry,
            owned_by=None,
            visible_ids=_visible_ids,
            hidden_label="未发布的知识条目 %(n)d 项",
        )
    ]
