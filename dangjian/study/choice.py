"""Which study materials a person may pick in the admin's choosers.

Registered with ``orgs.permissions.register_choice_scope`` (``wagtail_hooks``):
page choosers, forms' related fields and the bulk actions then offer only
these, so another unit's plan-only or unpublished material is never named.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dangjian.orgs.scope import managed_organisations
from dangjian.study.models import MaterialPage, StudySectionPage
from dangjian.study.models.materials import MATERIAL_STAFF


def choosable_materials(user) -> QuerySet:
    """Materials the person may open (``visible_to``) and every material in
    the section of a unit whose study work they do (drafts included)."""
    if user is None or not user.is_authenticated:
        return MaterialPage.objects.none()
    if user.is_superuser:
        return MaterialPage.objects.all()
    sections = StudySectionPage.objects.filter(
        organisation__in=managed_organisations(user, MATERIAL_STAFF)
    ).values_list("path", flat=True)
    own = Q(pk__in=[])
    for path in sections:
        own |= Q(path__startswith=path)
    return MaterialPage.objects.filter(
        own | Q(pk__in=MaterialPage.objects.visible_to(user).values("pk"))
    )


def narrow_to_choosable_materials(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` (of materials or of pages of any type) without the
    materials the person may not pick; other page types are left alone."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return queryset
    hidden = MaterialPage.objects.exclude(pk__in=choosable_materials(user).values("pk"))
    return queryset.exclude(pk__in=hidden.values("pk"))
