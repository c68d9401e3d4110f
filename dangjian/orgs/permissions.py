"""A Wagtail permission policy for rows that belong to a unit.

A person may act on a row when they hold the model permission (through a
role group, see ``roles.py``) and the row's organisation is one they manage
in one of the given roles. Superusers may act on every row.

    policy = UnitPermissionPolicy(Entry, unit_field="owner_unit",
                                  roles=[Role.EDITOR, Role.UNIT_ADMIN])

Register it with ``wagtail.permissions.register_permission_policy(Model, policy)``
(the model's admin viewset picks it up), give the viewset
``index_view_class = UnitScopedIndexView`` so listings show only those rows,
and mix ``UnitScopedDeleteMixin`` into its delete view: Wagtail's generic
edit view checks the instance, its delete view only the model permission.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.admin.views.generic import IndexView
from wagtail.permission_policies import ModelPermissionPolicy

from dangjian.orgs.scope import managed_organisations


class UnitPermissionPolicy(ModelPermissionPolicy):
    def __init__(self, model, *, unit_field: str, roles, auth_model=None):
        super().__init__(model, auth_model=auth_model)
        self.unit_field = unit_field
        self.roles = list(roles)

    def _managed_ids(self, user):
        cache_name = f"_dangjian_managed_{'_'.join(sorted(self.roles))}"
        if not hasattr(user, cache_name):
            setattr(
                user,
                cache_name,
                set(
                    managed_organisations(user, self.roles).values_list("pk", flat=True)
                ),
            )
        return getattr(user, cache_name)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if user.is_superuser:
            return True
        return getattr(instance, f"{self.unit_field}_id") in self._managed_ids(user)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        if user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.unit_field}__in": self._managed_ids(user)})


class UnitScopedIndexView(IndexView):
    """Lists only the rows the person may change or delete."""

    def get_base_queryset(self):
        allowed = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change", "delete"]
        )
        return super().get_base_queryset().filter(pk__in=allowed.values("pk"))


class UnitScopedDeleteMixin:
    """Refuses deleting a row of a unit the person does not manage."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(
            request.user, "delete", self.object
        ):
            raise PermissionDenied
