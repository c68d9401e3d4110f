"""What study hands to publicity, stats and the portal (through the hooks
registered in wagtail_hooks.py; shapes in dangjian/lib/plugins.py)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from dangjian.lib import plugins
from dangjian.lib.documents import pages_using_document
from dangjian.orgs.models import Role
from dangjian.orgs.scope import managed_organisations
from dangjian.study.archive import plan_progress
from dangjian.study.models import (
    MaterialAttachment,
    MaterialPage,
    PointEntry,
    Progress,
    StudySectionPage,
    StudySession,
    Topic,
    can_open_material,
)


def is_public(material) -> bool:
    """A material anyone may read: published and 公开（所有人）. The one rule,
    with ``public_materials`` its queryset form."""

    return bool(material.is_public)


def public_materials():

    return MaterialPage.objects.live().filter(visibility=MaterialPage.Visibility.PUBLIC)


def describe(obj) -> plugins.Publication:
    return plugins.Publication(
        kind="material",
        object_id=obj.pk,
        is_public=is_public(obj),
        title=obj.title,
        summary=plugins.excerpt(obj.summary or obj.body),
        url=plugins.absolute(obj.get_url() or ""),
        unit_id=obj.organisation_id,
        column_id=obj.topic_id,
        column_name=obj.topic.name if obj.topic_id else "",
    )


def publicity_sources() -> list[plugins.PublicitySource]:

    return [
        plugins.PublicitySource(
            kind="material",
            label="学习资料",
            model=MaterialPage,
            describe=describe,
            public=lambda: public_materials().select_related("topic"),
            is_public=is_public,
        )
    ]


def _study(window: plugins.Window) -> dict[str, dict[int, int]]:

    rows = Progress.objects.filter(
        completed_at__gte=window.start, completed_at__lt=window.end
    )
    videos = rows.filter(material__kind=MaterialPage.Kind.VIDEO)
    others = rows.exclude(material__kind=MaterialPage.Kind.VIDEO)
    return {
        "materials_read": dict(others.values_list("person_id").annotate(n=Count("id"))),
        "videos_watched": dict(videos.values_list("person_id").annotate(n=Count("id"))),
    }


def _sessions(window: plugins.Window) -> dict[str, dict[int, int]]:

    sessions = StudySession.objects.filter(
        starts_at__gte=window.start, starts_at__lt=window.end
    )
    return {
        "sessions_held": dict(
            sessions.values_list("organisation_id").annotate(n=Count("id"))
        ),
        "attendances": dict(
            sessions.values_list("organisation_id").annotate(n=Count("attendances"))
        ),
    }


def participation_figures() -> list[plugins.ParticipationFigures]:
    return [
        plugins.ParticipationFigures(
            metrics=(
                plugins.Metric("materials_read", "学习资料学完", 10),
                plugins.Metric("videos_watched", "视频看完", 20),
            ),
            per="person",
            count=_study,
        ),
        plugins.ParticipationFigures(
            metrics=(
                plugins.Metric("sessions_held", "学习会召开", 30),
                plugins.Metric("attendances", "学习会出席人次", 40),
            ),
            per="organisation",
            count=_sessions,
        ),
    ]


def _owned_by(organisations) -> list[int]:
    """Materials under the study sections of these organisations."""

    ids: list[int] = []
    for section in StudySectionPage.objects.filter(organisation__in=organisations):
        ids += list(
            Page.objects.descendant_of(section)
            .type(MaterialPage)
            .values_list("pk", flat=True)
        )
    return ids


def _visible_ids(person, ids: list[int]) -> set[int]:
    """The materials among these the person may open (``visible_to``, the
    rule the material's page keeps)."""

    return set(
        MaterialPage.objects.visible_to(person)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def viewed_kinds() -> list[plugins.ViewedKind]:

    return [
        plugins.ViewedKind(
            model=MaterialPage,
            owned_by=_owned_by,
            visible_ids=_visible_ids,
            hidden_label="限定范围的学习资料 %(n)d 项",
        )
    ]


def my_page_panel(request) -> dict[str, str]:
    """Plan progress, points, sessions and a link to the archive, for the
    person's "my page"."""
    user = request.user
    today = timezone.localdate()
    ledger = PointEntry.objects.for_person(user)
    html = render_to_string(
        "study/my_panel.html",
        {
            "today_points": ledger.on_day(today).total(),
            "year_points": ledger.in_year(today.year).total(),
            "sessions": user.study_attendances.filter(
                session__starts_at__year=today.year
            ).count(),
            "completed": Progress.objects.for_person(user)
            .completed()
            .filter(completed_at__year=today.year)
            .count(),
            "plans": plan_progress(user),
            "manages": managed_organisations(user, [Role.UNIT_ADMIN]).exists(),
        },
        request=request,
    )
    return {"title": "学习", "html": html}


def guard_attachment(document, request) -> None:
    """Attachments of study materials follow the materials' audience.

    A document attached to (or linked from) a study material is served only
    to someone who may open one of those materials; otherwise it is a 404,
    so a shared or guessed /documents/ link reveals nothing. Documents no
    material uses are left to other apps' hooks.
    """
    page_ids = pages_using_document(document, MaterialAttachment, MaterialPage)
    if not page_ids:
        return None
    for material in MaterialPage.objects.filter(pk__in=page_ids):
        if can_open_material(material, request):
            return None
    raise Http404


# Portal sections (the home page): the study topics, with how many materials
# anyone may read in each (members see more after signing in).


def home_sections() -> list[plugins.PortalSection]:
    topics = (
        Topic.objects.annotate(
            n=Count("materials", filter=Q(materials__live=True)),
            public=Count(
                "materials",
                filter=Q(
                    materials__live=True,
                    materials__visibility=MaterialPage.Visibility.PUBLIC,
                ),
            ),
        )
        .filter(n__gt=0)
        .order_by("sort_order", "pk")[:6]
    )
    index = reverse("study:index")
    return [
        plugins.PortalSection(
            "study",
            _("学习专题"),
            tuple(
                plugins.SectionItem(
                    t.name,
                    f"{index}?topic={t.pk}",
                    _("%(n)d 篇公开资料") % {"n": t.public}
                    if t.public
                    else _("党员登录后学习"),
                )
                for t in topics
            ),
            index,
            order=50,
        )
    ]
