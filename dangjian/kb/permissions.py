"""Who may do what with knowledge entries: only their own unit's entries.

The rule is the shared "own unit only" policy (``dangjian.orgs.permissions``);
knowledge entries narrow it to units that maintain the 12345 knowledge base.
"""

from __future__ import annotations

from dangjian.orgs.permissions import UnitPermissionPolicy


class EntryPermissionPolicy(UnitPermissionPolicy):
    """Model permissions from the person's role groups, narrowed to entries
    owned by a unit the person manages (platform admins: every unit)."""

    def __init__(self, model, **kwargs):
        from dangjian.kb.actions import EDITING_ROLES

        super().__init__(model, unit_field="owner", roles=EDITING_ROLES, **kwargs)

    def managed_units(self, user):
        from dangjian.kb.actions import editable_units

        return editable_units(user)
