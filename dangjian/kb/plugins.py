"""What the knowledge base hands to publicity, stats and the portal (through
the hooks registered in wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dangjian.kb.models import AnswerFeedback, Entry, EntryQuerySet
from dangjian.kb.permissions import editable_units
from dangjian.lib import plugins
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations


def is_public(entry: Entry) -> bool:
    """Published entries are public (the knowledge base is for citizens);
    ``public_entries`` is the queryset form."""
    return bool(entry.live)


def public_entries() -> EntryQuerySet:
    return Entry.objects.filter(live=True)


def describe(obj: Entry) -> plugins.Publication:
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


def _feedback(window: plugins.Window) -> dict[str, dict[int, int]]:
    """Citizens' ratings of the answers in the period, by the entry's owner."""
    rows = AnswerFeedback.objects.filter(
        created_at__gte=window.start, created_at__lt=window.end
    )
    return {
        "kb_helpful": dict(
            rows.filter(helpful=True)
            .values_list("entry__owner_id")
            .annotate(n=Count("id"))
        ),
        "kb_not_helpful": dict(
            rows.filter(helpful=False)
            .values_list("entry__owner_id")
            .annotate(n=Count("id"))
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
        ),
        plugins.ParticipationFigures(
            metrics=(
                plugins.Metric("kb_helpful", "答复评价“有帮助”", 105),
                plugins.Metric("kb_not_helpful", "答复评价“没帮助”", 106),
            ),
            per="organisation",
            count=_feedback,
        ),
    ]


def _visible_ids(person: object, ids: list[int]) -> set[int]:
    return set(public_entries().filter(pk__in=ids).values_list("pk", flat=True))


def viewed_kinds() -> list[plugins.ViewedKind]:
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


def my_page_panel(request: HttpRequest) -> dict[str, str] | None:
    """Editors' links on "my page": the console, entries expiring soon and,
    for unit admins, the hot questions."""
    user = request.user
    if not user.is_authenticated:
        return None
    units = editable_units(user)
    if not units.exists():
        return None
    soon = Entry.objects.owned_by(units).filter(live=True).expiring_within().count()
    links = [
        format_html('<a href="{}">{}</a>', reverse("kb:console"), _("话务员工作台"))
    ]
    links.append(
        format_html(
            '<a href="{}">{}</a>',
            reverse("kb:expiring"),
            _("%(n)d 条即将到期") % {"n": soon},
        )
    )
    if user.is_superuser or managed_organisations(user, [Role.UNIT_ADMIN]).exists():
        links.append(
            format_html('<a href="{}">{}</a>', reverse("kb:hot"), _("热点问题与缺口"))
        )
    return {
        "title": _("12345 知识库"),
        "html": format_html(
            "<p>{}</p>", format_html(" · ".join(["{}"] * len(links)), *links)
        ),
    }


# Portal sections (the home page and unit pages): published entries only.

PORTAL_ROWS = 6


def _entry_rows(entries) -> tuple[plugins.SectionItem, ...]:
    return tuple(
        plugins.SectionItem(e.matter, e.get_absolute_url(), e.category or "")
        for e in entries
    )


def home_sections() -> list[plugins.PortalSection]:
    from dangjian.kb.dashboard import hot_entries

    return [
        plugins.PortalSection(
            "kb",
            _("本周热点问题"),
            _entry_rows(hot_entries(limit=PORTAL_ROWS)),
            reverse("kb:search"),
            order=40,
        )
    ]


def unit_sections(organisation) -> list[plugins.PortalSection]:
    from dangjian.kb.dashboard import hot_entries

    hot = hot_entries(limit=PORTAL_ROWS, units=[organisation])
    if len(hot) < PORTAL_ROWS:
        seen = {e.pk for e in hot}
        hot += [
            e
            for e in Entry.objects.searchable()
            .filter(owner=organisation)
            .order_by("-updated_at", "-pk")[:PORTAL_ROWS]
            if e.pk not in seen
        ][: PORTAL_ROWS - len(hot)]
    return [
        plugins.PortalSection(
            "kb",
            _("知识库问答"),
            _entry_rows(hot),
            f"{reverse('kb:search')}?unit={organisation.pk}",
            order=30,
        )
    ]
