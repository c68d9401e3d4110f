"""Who may do what with knowledge entries: only their own unit's entries."""

from __future__ import annotations

from wagtail.permission_policies.base import ModelPermissionPolicy


class EntryPermissionPolicy(ModelPermissionPolicy):
    """Model permissions from the person's role groups, narrowed to entries
    owned by a unit the person manages (platform admins: every unit)."""

    def _units(self, user):
        from dangjian.kb.actions import editable_units

        return editable_units(user)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if user.is_superuser or instance.owner_id is None:
            return True
        return self._units(user).filter(pk=instance.owner_id).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        qs = super().instances_user_has_any_permission_for(user, actions)
        if user.is_superuser:
            return qs
        return qs.filter(owner__in=self._units(user))
