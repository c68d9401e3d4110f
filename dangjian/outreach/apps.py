from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "dangjian.outreach"
    label = "outreach"
    verbose_name = "宣讲与网格"

    def ready(self) -> None:
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions

        # Unit admins and editors keep their unit's lecture teams, venues,
        # events and grids, and read what grid workers and residents logged.
        kept = ("lectureteam", "lecturer", "venue", "event", "grid", "gridworker")
        permissions = [
            f"outreach.{verb}_{model}"
            for model in kept
            for verb in ("view", "add", "change", "delete")
        ]
        permissions += ["outreach.view_push", "outreach.view_visit"]
        permissions += ["outreach.view_rating"]
        register_role_permissions(Role.UNIT_ADMIN, *permissions)
        register_role_permissions(Role.EDITOR, *permissions)
