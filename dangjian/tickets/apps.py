from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "dangjian.tickets"
    label = "tickets"
    verbose_name = "12345 工单"

    def ready(self) -> None:
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions

        # A unit's admins, editors (承办人) and approvers (its leaders) handle
        # the tickets dispatched to it: they read and act on them.
        for role in (Role.UNIT_ADMIN, Role.EDITOR, Role.APPROVER):
            register_role_permissions(
                role, "tickets.view_ticket", "tickets.view_ticketevent"
            )
