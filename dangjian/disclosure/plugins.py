"""What the disclosure column hands to publicity, stats and the portal's
"my page" (through the hooks registered in wagtail_hooks.py; shapes in
dangjian/lib/plugins.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from dangjian.disclosure.calendar import late_for, periods
from dangjian.disclosure.dashboard import waiting_rows
from dangjian.disclosure.models import (
    DisclosureAttachment,
    DisclosureItemPage,
    PressConference,
    ReleasePlan,
)
from dangjian.lib import plugins
from dangjian.lib.documents import pages_using_document
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations, scope_for


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

    today = timezone.localdate()
    last = min(window.last_day, today)
    due: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    if last < window.first_day:
        return {"releases_due": due, "releases_on_time": on_time}
    plans = list(ReleasePlan.objects.filter(is_active=True))
    released: dict[tuple[int, str], dt.date] = {}
    for plan_id, key, first in DisclosureItemPage.objects.filter(
        release_plan__in=plans, first_published_at__isnull=False
    ).values_list("release_plan_id", "plan_period", "first_published_at"):
        day = timezone.localdate(first)
        if (plan_id, key) not in released or day < released[(plan_id, key)]:
            released[(plan_id, key)] = day
    for plan in plans:
        for key, _label, _first, due_day in periods(plan, window.first_day, last):
            due[plan.organisation_id] += 1
            released_on = released.get((plan.pk, key))
            if released_on is not None and released_on <= due_day:
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
    return DisclosureItemPage.objects.filter(
        subject_unit__in=organisations
    ).values_list("pk", flat=True)


def _visible_ids(person, ids: list[int]) -> set[int]:
    """The items among these whose page the person may open: the page's own
    rule (``DisclosureItemPage.is_visible_to``), asked for many at once."""

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
    return [
        plugins.ViewedKind(
            model=DisclosureItemPage,
            owned_by=_owned_by,
            visible_ids=_visible_ids,
            hidden_label="党内事项 %(n)d 项",
        )
    ]


# My page (portal) ------------------------------------------------------------


def returned_to(user) -> list[dict]:
    """Items of the editor's units sent back for changes, with the reason."""
    units = [org for org, role in scope_for(user).roles if role == Role.EDITOR]
    if not units:
        return []
    ids = [
        str(pk)
        for pk in DisclosureItemPage.objects.filter(
            subject_unit_id__in=units
        ).values_list("pk", flat=True)
    ]
    rows = []
    for state in WorkflowState.objects.filter(
        status=WorkflowState.STATUS_NEEDS_CHANGES, object_id__in=ids
    ).select_related("current_task_state"):
        item = DisclosureItemPage.objects.get(pk=int(state.object_id))
        reason = state.current_task_state.comment if state.current_task_state else ""
        rows.append({"item": item, "reason": reason})
    return rows


def my_page_panel(request) -> dict[str, str] | None:
    """The column's panel on a person's "my page": 党内 items they may read,
    review tasks, late routine releases of their units, items sent back."""

    user = request.user
    scope = scope_for(user)
    internal = (
        DisclosureItemPage.objects.visible_to(user)
        .filter(scope=DisclosureItemPage.Scope.INTERNAL)
        .order_by("-first_published_at")[:5]
    )
    tasks = waiting_rows(user)
    late = []
    admin_units = managed_organisations(user, [Role.UNIT_ADMIN])
    if admin_units.exists():
        late = late_for(
            ReleasePlan.objects.filter(is_active=True, organisation__in=admin_units)
        )
    returned = returned_to(user)
    if not (internal or tasks or late or returned) and not scope.member_of:
        return None
    html = render_to_string(
        "disclosure/my_panel.html",
        {"internal": internal, "tasks": tasks, "late": late, "returned": returned},
        request=request,
    )
    return {"title": "党务公开", "html": html}


def guard_attachment(document, request) -> None:
    """Attachments of disclosure items follow the scope of the items.

    A document attached to a disclosure item is served only when a released
    item the person may see carries it, or the person works on such items
    in the item's unit (editors, reviewers, approvers) or is a superuser;
    anyone else gets a 404. Documents no item uses are left to other rules.
    """
    page_ids = pages_using_document(document, DisclosureAttachment, DisclosureItemPage)
    if not page_ids:
        return
    user = request.user
    if DisclosureItemPage.objects.visible_to(user).filter(pk__in=page_ids).exists():
        return
    if user.is_authenticated and user.is_superuser:
        return
    if user.is_authenticated:
        roles = scope_for(user).roles
        units = set(
            DisclosureItemPage.objects.filter(pk__in=page_ids).values_list(
                "subject_unit_id", flat=True
            )
        )
        staff = {Role.EDITOR, Role.REVIEWER, Role.APPROVER, Role.UNIT_ADMIN}
        if any(org in units and role in staff for org, role in roles):
            return
    raise Http404


# Portal sections (the home page and unit pages): 社会公开 items only.

PORTAL_ROWS = 6


def _item_rows(items) -> tuple[plugins.SectionItem, ...]:
    return tuple(
        plugins.SectionItem(
            item.title,
            item.get_url() or "",
            f"{timezone.localdate(item.first_published_at):%Y-%m-%d}"
            if item.first_published_at
            else "",
        )
        for item in items.order_by("-first_published_at", "-pk")[:PORTAL_ROWS]
    )


def _press_rows(conferences) -> tuple[plugins.SectionItem, ...]:
    return tuple(
        plugins.SectionItem(
            c.title,
            reverse("disclosure:press-detail", args=[c.pk]),
            f"{timezone.localtime(c.held_at):%Y-%m-%d}",
        )
        for c in conferences.order_by("-held_at", "-pk")[:PORTAL_ROWS]
    )


def home_sections() -> list[plugins.PortalSection]:
    return [
        plugins.PortalSection(
            "disclosure",
            "最新公开",
            _item_rows(DisclosureItemPage.objects.public()),
            reverse("disclosure:index"),
            order=10,
        ),
        plugins.PortalSection(
            "press",
            "新闻发布会",
            _press_rows(PressConference.objects.published()),
            reverse("disclosure:press"),
            order=20,
        ),
    ]


def unit_sections(organisation) -> list[plugins.PortalSection]:
    return [
        plugins.PortalSection(
            "disclosure",
            "本单位公开事项",
            _item_rows(DisclosureItemPage.objects.public().for_unit(organisation.pk)),
            f"{reverse('disclosure:index')}?unit={organisation.pk}",
            order=10,
        ),
        plugins.PortalSection(
            "press",
            "新闻发布会",
            _press_rows(
                PressConference.objects.published().for_unit(organisation.pk).distinct()
            ),
            reverse("disclosure:press"),
            order=20,
        ),
    ]
