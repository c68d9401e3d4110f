from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "dangjian.publicity"
    label = "publicity"
    verbose_name = "宣传矩阵"

    def ready(self):
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions
        from dangjian.publicity import signals

        signals.connect()
        # Unit admins manage their own unit's channels and see its deliveries.
        register_role_permissions(
            Role.UNIT_ADMIN,
            "publicity.add_channel",
            "publicity.change_channel",
            "publicity.delete_channel",
            "publicity.view_channel",
            "publicity.view_delivery",
            "publicity.change_delivery",
        )
