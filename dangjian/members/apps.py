from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "党员管理"

    def ready(self):
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions

        # Unit admins (and branch secretaries, who are unit admins of their
        # branch) keep the registry of their own organisations' members.
        register_role_permissions(
            Role.UNIT_ADMIN,
            "members.view_memberprofile",
            "members.change_memberprofile",
            "members.view_transfer",
        )
