"""System checks: every admin viewset of a unit-owned model is unit-scoped.

A model is unit-owned when it has a foreign key to ``orgs.Organisation``
(its owner, unit, organisation or host unit). Its admin viewsets (model,
snippet and chooser viewsets alike) must use ``UnitScopedViewSetMixin``
and the model must have a ``UnitPermissionPolicy``; otherwise another
unit's rows would be one typed URL away. A viewset that is truly meant for
every unit (platform settings) says so with ``unit_scope_exempt = "why"``.
"""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.db import models

ID_NOT_SCOPED = "orgs.E001"
ID_NO_POLICY = "orgs.E002"


def unit_fields(model) -> list[str]:
    """Names of the model's foreign keys to organisations."""
    from dangjian.orgs.models import Organisation

    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete
        and field.many_to_one
        and isinstance(field, models.ForeignKey)
        and isinstance(field.related_model, type)
        and issubclass(field.related_model, Organisation)
    ]


def registered_admin_viewsets():
    """Every viewset the Wagtail admin has registered (loading its URLs)."""
    from django.urls import get_resolver
    from wagtail.admin.viewsets import viewsets

    # The admin registers its viewsets when its URLconf is loaded.
    get_resolver().url_patterns  # noqa: B018
    return list(viewsets.viewsets)


def _model_of(viewset):
    from wagtail.utils.registry import resolve_model_string

    model = getattr(viewset, "model", None)
    if model is None:
        return None
    try:
        model = resolve_model_string(model)
    except (LookupError, ValueError):
        return None
    return (
        model if isinstance(model, type) and issubclass(model, models.Model) else None
    )


@register(Tags.security)
def check_admin_viewsets_are_unit_scoped(app_configs=None, viewsets=None, **kwargs):
    from wagtail.permissions import policy_registry

    from dangjian.orgs.permissions import UnitPermissionPolicy, UnitScopedViewSetMixin

    errors = []
    for viewset in registered_admin_viewsets() if viewsets is None else viewsets:
        model = _model_of(viewset)
        if model is None or getattr(viewset, "unit_scope_exempt", ""):
            continue
        fields = unit_fields(model)
        if not fields:
            continue
        name = f"{type(viewset).__name__}({model._meta.label})"
        if not isinstance(viewset, UnitScopedViewSetMixin):
            errors.append(
                Error(
                    f"{name} 的对象属于单位（{', '.join(fields)}），"
                    "但管理视图集未按单位限定。",
                    hint="让视图集继承 dangjian.orgs.permissions."
                    "UnitScopedViewSetMixin，并用 register_unit_policy 登记权限策略。",
                    obj=viewset,
                    id=ID_NOT_SCOPED,
                )
            )
        policy = policy_registry.get_by_type(model, fallback=False)
        if not isinstance(policy, UnitPermissionPolicy):
            errors.append(
                Error(
                    f"{model._meta.label} 的对象属于单位，但没有登记按单位限定的权限策略。",
                    hint="在视图集之前调用 dangjian.orgs.permissions.register_unit_policy。",
                    obj=viewset,
                    id=ID_NO_POLICY,
                )
            )
    return errors
