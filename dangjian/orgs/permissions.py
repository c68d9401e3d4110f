"""Own unit only: one rule for rows that belong to a unit, used everywhere.

A person may act on a row when they hold the model permission (through a
role group, see ``roles.py``) and the row belongs to an organisation they
manage in one of the policy's roles. Superusers may act on every row.

Declare the rule once per model, next to its admin, before the viewset:

    register_unit_policy(Campaign, unit_field="organisation",
                         roles=[Role.EDITOR, Role.APPROVER, Role.UNIT_ADMIN])

and give the viewset ``UnitScopedViewSetMixin``:

    class CampaignViewSet(UnitScopedViewSetMixin, SnippetViewSet): ...

Every view the viewset registers (edit, delete, publish, unpublish, history,
revisions, preview, copy, inspect, usage, lock, workflow actions, and the
snippet chooser's views) passes through ``ViewSet.construct_view``; the
mixin puts ``UnitScopedViewMixin`` in front of each of them there, so a view
added by a later Wagtail release, or by the app, is scoped without anyone
remembering it. The guard

* refuses a URL naming another unit's row (``pk``) before the view loads it,
* narrows every listing of the model (index, chooser, chosen-multiple) to
  the person's rows, and
* narrows the choices of every related field in the view's forms
  (``narrow_form_choices``): the unit field to the units the person manages,
  and fields to other unit-owned models to their rows.

``orgs.E001`` (``checks.py``) fails when an admin viewset of a model with a
unit field does not use the mixin. APIs and exports use the same policy:
``scoped_queryset(user, Model)`` or ``UnitPermissionPolicy.for_model(Model)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.admin.utils import unquote
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy
from wagtail.utils.registry import resolve_model_string

from dangjian.orgs.models import Organisation
from dangjian.orgs.scope import managed_organisations


class UnitPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, narrowed to rows of the units the person manages.

    ``unit_field`` names the row's organisation; it may follow relations
    (``"expert__unit"``). ``units_only`` leaves branches out of the units a
    person may give a row to. Subclasses change who reaches a row by
    overriding ``managed_units`` or ``scope_q``.

    ``every_unit_permission`` ("app_label.codename") names a permission
    that reaches the rows of every unit: a desk that serves the whole city,
    such as the 12345 hotline's operators, who dispatch tickets to any unit
    and see all of them, while each unit's handlers see only their own.
    """

    def __init__(
        self,
        model,
        *,
        unit_field: str,
        roles: Iterable[str],
        units_only: bool = False,
        every_unit_permission: str | None = None,
        auth_model=None,
    ):
        super().__init__(model, auth_model=auth_model)
        self.unit_field = unit_field
        self.roles = list(roles)
        self.units_only = units_only
        self.every_unit_permission = every_unit_permission

    @classmethod
    def for_model(cls, model: type[Model]) -> UnitPermissionPolicy:
        """Returns the unit policy registered for the model.

        Raises ``ImproperlyConfigured`` when the model has none, so an API or
        export cannot silently fall back to "every row".
        """
        from wagtail import hooks

        # Policies are registered where the admin is declared (wagtail_hooks
        # and the modules they import); a command or an API may come first.
        hooks.search_for_hooks()
        policy = policy_registry.get_by_type(model, fallback=False)
        if not isinstance(policy, cls):
            raise ImproperlyConfigured(
                f"{model._meta.label} has no unit permission policy; "
                "declare one with dangjian.orgs.permissions.register_unit_policy"
            )
        return policy

    # --- Who reaches which rows ------------------------------------------------

    def reaches_every_unit(self, user) -> bool:
        """Superusers, and holders of ``every_unit_permission``."""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        return user.is_superuser or bool(
            self.every_unit_permission and user.has_perm(self.every_unit_permission)
        )

    def managed_units(self, user) -> QuerySet:
        """Organisations whose rows the person manages (all for superusers)."""
        if self.every_unit_permission and self.reaches_every_unit(user):
            units = Organisation.objects.all()
            return units.units() if self.units_only else units
        units = managed_organisations(user, self.roles)
        return units.units() if self.units_only else units

    def _managed_ids(self, user) -> set[int]:
        cache_name = (
            f"_dangjian_managed_{type(self).__name__}_"
            f"{'_'.join(sorted(self.roles))}_{int(self.units_only)}"
        )
        if not hasattr(user, cache_name):
            setattr(
                user,
                cache_name,
                set(self.managed_units(user).values_list("pk", flat=True)),
            )
        return getattr(user, cache_name)

    def scope_q(self, user) -> Q:
        """A filter for the rows the person reaches (not for superusers)."""
        return Q(**{f"{self.unit_field}__in": self._managed_ids(user)})

    def reachable(self, user, queryset: QuerySet | None = None) -> QuerySet:
        """The rows (of ``queryset``, default all) the person may act on at
        all, whatever the action: the row-level half of the rule."""
        if queryset is None:
            queryset = self.model._default_manager.all()
        if user is None or not user.is_authenticated or not user.is_active:
            return queryset.none()
        if self.reaches_every_unit(user):
            return queryset
        return queryset.filter(self.scope_q(user))

    def is_reachable(self, user, instance) -> bool:
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if self.reaches_every_unit(user):
            return True
        simple = "__" not in self.unit_field and (
            type(self).scope_q is UnitPermissionPolicy.scope_q
        )
        if simple:
            return getattr(instance, f"{self.unit_field}_id") in self._managed_ids(user)
        return (
            bool(instance.pk) and self.reachable(user).filter(pk=instance.pk).exists()
        )

    def check_reachable_pk(self, user, pk) -> None:
        """Refuses another unit's row (403) and a row that does not exist (404)."""
        try:
            if self.reachable(user).filter(pk=pk).exists():
                return
            exists = self.model._default_manager.filter(pk=pk).exists()
        except (ValueError, TypeError, ValidationError):
            raise Http404 from None
        if exists:
            raise PermissionDenied
        raise Http404

    # --- Wagtail's permission policy API ---------------------------------------

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.is_reachable(
            user, instance
        )

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        return self.reachable(user, queryset)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])


def register_unit_policy(
    model: type[Model], policy: UnitPermissionPolicy | None = None, **kwargs
) -> UnitPermissionPolicy:
    """Registers the unit policy of a model with Wagtail and returns it.

    Either pass a policy, or the ``UnitPermissionPolicy`` arguments
    (``unit_field``, ``roles``, ``units_only``).
    """
    if policy is None:
        policy = UnitPermissionPolicy(model, **kwargs)
    register_permission_policy(model, policy, exact_class=True)
    return policy


def scoped_queryset(user, model: type[Model], actions: Iterable[str] | None = None):
    """Rows of ``model`` the person may act on: the entry point for APIs and
    exports. With ``actions``, the person must also hold one of those model
    permissions; without, the unit rule alone applies."""
    policy = UnitPermissionPolicy.for_model(model)
    if actions is None:
        return policy.reachable(user)
    return policy.instances_user_has_any_permission_for(user, list(actions))


# --- Choices in forms and choosers ---------------------------------------------

ChoiceScope = Callable[[object, QuerySet], QuerySet]
_choice_scopes: dict[type[Model], ChoiceScope] = {}


def register_choice_scope(model: type[Model], scope: ChoiceScope) -> None:
    """Declares which rows of a model a person may pick in a form or chooser,
    for models whose rule is not "own unit" (pages addressed by scope)."""
    _choice_scopes[model] = scope


def choosable_pages(user, pages: QuerySet) -> QuerySet:
    """Narrows a queryset of pages of any type (a page chooser's) by the choice
    scope of every page model that declared one. A page model's scope must
    therefore accept a queryset of ``Page`` and leave other types alone."""
    from wagtail.models import Page

    if user is None:
        return pages.none()
    if getattr(user, "is_superuser", False):
        return pages
    for model, scope in _choice_scopes.items():
        if issubclass(model, Page):
            pages = scope(user, pages)
    return pages


def choosable(user, queryset: QuerySet) -> QuerySet:
    """Narrows a queryset of choices to the rows the person may pick."""
    if user is None:
        return queryset.none()
    if getattr(user, "is_superuser", False):
        return queryset
    model = queryset.model
    for klass in model.__mro__:
        scope = _choice_scopes.get(klass)
        if scope is not None:
            return scope(user, queryset)
    policy = policy_registry.get_by_type(model, fallback=False)
    if isinstance(policy, UnitPermissionPolicy):
        return policy.reachable(user, queryset)
    return queryset


def narrow_form_choices(form, user, policy: UnitPermissionPolicy | None = None):
    """Narrows every related-object field of a form to what the person may pick.

    The unit field of ``policy`` offers only the units the person manages;
    fields to unit-owned (or scope-addressed) models offer only their rows.
    """
    if form is None or user is None or getattr(user, "is_superuser", False):
        return form
    for name, field in getattr(form, "fields", {}).items():
        queryset = getattr(field, "queryset", None)
        if not isinstance(queryset, QuerySet):
            continue
        if policy is not None and name == policy.unit_field:
            field.queryset = queryset.filter(
                pk__in=policy.managed_units(user).values("pk")
            )
        else:
            field.queryset = choosable(user, queryset)
    return form


# --- Admin views ----------------------------------------------------------------

# Methods that list rows of the model (or of its related models, in forms).
_LISTING_METHODS = (
    "get_base_queryset",
    "get_queryset",
    "get_object_list",
    "get_objects",
)
_FORM_METHODS = ("get_form", "get_creation_form")


class UnitScopedViewMixin:
    """Put in front of an admin view by ``UnitScopedViewSetMixin``."""

    unit_policy: UnitPermissionPolicy

    def setup(self, request, *args, **kwargs):
        # Before the view loads anything: whatever the view does with the row
        # later (edit, publish, revisions, usage...), it is one of the person's.
        pk = kwargs.get("pk")
        if pk is not None:
            self.unit_policy.check_reachable_pk(request.user, unquote(str(pk)))
        super().setup(request, *args, **kwargs)

    def narrow_to_units(self, result):
        if isinstance(result, QuerySet) and issubclass(
            result.model, self.unit_policy.model
        ):
            return self.unit_policy.reachable(self.request.user, result)
        return result


def _narrowing(cls, name):
    def method(self, *args, **kwargs):
        return self.narrow_to_units(getattr(super(cls, self), name)(*args, **kwargs))

    method.__name__ = name
    return method


def _form_narrowing(cls, name):
    def method(self, *args, **kwargs):
        form = getattr(super(cls, self), name)(*args, **kwargs)
        return narrow_form_choices(form, self.request.user, self.unit_policy)

    method.__name__ = name
    return method


_scoped_views: dict[tuple[type, int], type] = {}


def unit_scoped_view(view_class: type, policy: UnitPermissionPolicy) -> type:
    """Returns ``view_class`` with the unit guard in front of it."""
    if getattr(view_class, "unit_policy", None) is policy:
        return view_class
    key = (view_class, id(policy))
    if key not in _scoped_views:
        cls = type(
            f"UnitScoped{view_class.__name__}",
            (UnitScopedViewMixin, view_class),
            {"unit_policy": policy, "__module__": view_class.__module__},
        )
        for name in _LISTING_METHODS:
            if hasattr(view_class, name):
                setattr(cls, name, _narrowing(cls, name))
        for name in _FORM_METHODS:
            if hasattr(view_class, name):
                setattr(cls, name, _form_narrowing(cls, name))
        _scoped_views[key] = cls
    return _scoped_views[key]


_scoped_viewsets: dict[type, type] = {}


def _with_unit_scope(viewset_class: type) -> type:
    if issubclass(viewset_class, UnitScopedViewSetMixin):
        return viewset_class
    if viewset_class not in _scoped_viewsets:
        _scoped_viewsets[viewset_class] = type(
            f"UnitScoped{viewset_class.__name__}",
            (UnitScopedViewSetMixin, viewset_class),
            {"__module__": viewset_class.__module__},
        )
    return _scoped_viewsets[viewset_class]


class UnitScopedViewSetMixin:
    model: type[Model] | str  # set by the viewset it is mixed into
    """Scopes every view of a ModelViewSet, SnippetViewSet or ChooserViewSet
    (and a snippet's chooser) to the person's units.

    The model's ``UnitPermissionPolicy`` must be registered first
    (``register_unit_policy``); Wagtail's own checks (buttons, bulk actions)
    then use the same policy.
    """

    @property
    def unit_policy(self) -> UnitPermissionPolicy:
        model = resolve_model_string(self.model)
        policy = policy_registry.get_by_type(model, fallback=False)
        if not isinstance(policy, UnitPermissionPolicy):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: register a UnitPermissionPolicy for "
                f"{model._meta.label} (register_unit_policy) before its viewset"
            )
        return policy

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(
            unit_scoped_view(view_class, self.unit_policy), **kwargs
        )

    @property
    def chooser_viewset(self):
        viewset = super().chooser_viewset
        viewset.__class__ = _with_unit_scope(type(viewset))
        return viewset
