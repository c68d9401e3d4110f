from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "dangjian.disclosure"
    label = "disclosure"
    verbose_name = "党务公开"

    def ready(self):
        from dangjian.disclosure import search, signals  # noqa: F401
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions

        register_role_permissions(
            Role.UNIT_ADMIN,
            "disclosure.add_releaseplan",
            "disclosure.change_releaseplan",
            "disclosure.delete_releaseplan",
            "disclosure.view_releaseplan",
        )
        register_role_permissions(Role.EDITOR, "disclosure.view_releaseplan")
        # Press conference records: kept by the host unit's staff.
        press = [
            f"disclosure.{verb}_pressconference"
            for verb in ("add", "change", "delete", "view", "publish")
        ]
        for role in (Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER):
            register_role_permissions(role, *press)
        search.register()
