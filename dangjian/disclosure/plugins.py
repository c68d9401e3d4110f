"""What the disclosure column hands to publicity and stats (through the hooks
registered in wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from dangjian.lib import plugins
from dangjian.orgs.scope import scope_for


def describe(obj) -> plugins.Publication:
    return plugins.Publication(
        kind="disclosure",
        object_id=obj.pk,
        # 党内公开 items are never public, whatever else is true.
        is_public=obj.is_public,
        title=obj.title,
        summary=obj.summary or plugins.excerpt(obj.body),
        url=plugins.absolute(obj.get_url() or ""),
        unit_id=obj.subject_unit_id,
        column_id=obj.category_id,
        column_name=obj.category.name if obj.category_id else "",
        expires_on=obj.valid_until,
    )


def publicity_sources() -> list[plugins.PublicitySource]:
    from dangjian.disclosure.models import DisclosureItemPage

    return [
        plugins.PublicitySource(
            kind="disclosure",
            label="党务公开",
            model=DisclosureItemPage,
            describe=describe,
            public=lambda: DisclosureItemPage.objects.public().select_related(
                "category"
            ),
            is_public=lambda obj: obj.is_public,
        )
    ]


def _releases(window: plugins.Window) -> dict[str, dict[int, int]]:
    """Routine releases due in the period (up to today) and those released by
    the end of their due day, by the plan's organisation."""
    from dangjian.disclosure.calendar import periods
    from dangjian.disclosure.models import DisclosureItemPage, ReleasePlan

    today = timezone.localdate()
    last = min(window.last_day, today)
    due: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    if last < window.first_day:
        return {"releases_due": due, "releases_on_time": on_time}
    plans = list(ReleasePlan.objects.filter(is_active=True))
    released = {}
    for plan_id, key, first in DisclosureItemPage.objects.filter(
        release_plan__in=plans, first_published_at__isnull=False
    ).values_list("release_plan_id", "plan_period", "first_published_at"):
        day = timezone.localdate(first)
        if (plan_id, key) not in released or day < released[(plan_id, key)]:
            released[(plan_id, key)] = day
    for plan in plans:
        for key, _label, _first, due_day in periods(plan, window.first_day, last):
            due[plan.organisation_id] += 1
            day = released.get((plan.pk, key))
            if day is not None and day <= due_day:
                on_time[plan.organisation_id] += 1
    return {"releases_due": due, "releases_on_time": on_time}


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(
                plugins.Metric("releases_due", "例行发布应发", 70),
                plugins.Metric("releases_on_time", "例行发布按时", 80),
            ),
            per="organisation",
            count=_releases,
        )
    ]


def _owned_by(organisations):
    from dangjian.disclosure.models import DisclosureItemPage

    return DisclosureItemPage.objects.filter(
        subject_unit__in=organisations
    ).values_list("pk", flat=True)


def _visible_ids(person, ids: list[int]) -> set[int]:
    """The items among these whose page the person may open: the page's own
    rule (``DisclosureItemPage.is_visible_to``), asked for many at once."""
    from dangjian.disclosure.models import DisclosureItemPage

    items = DisclosureItemPage.objects.filter(pk__in=ids)
    public = set(
        items.filter(scope=DisclosureItemPage.Scope.PUBLIC).values_list("pk", flat=True)
    )
    scope = scope_for(person)
    internal = set(
        items.filter(scope=DisclosureItemPage.Scope.INTERNAL)
        .filter(scope.audience_q("audience", "include_descendants"))
        .values_list("pk", flat=True)
        .distinct()
    )
    return public | internal


def viewed_kinds() -> list[plugins.ViewedKind]:
    from dangjian.disclosure.models import DisclosureItemPage

    return [
        plugins.ViewedKind(
            model=DisclosureItemPage,
            owned_by=_owned_by,
            visible_ids=_visible_ids,
            hidden_label="党内事项 %(n)d 项",
        )
    ]
