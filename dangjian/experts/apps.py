from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "dangjian.experts"
    label = "experts"
    verbose_name = "政策专员"

    def ready(self):
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions

        # Unit admins keep their unit's experts and oversee their questions.
        register_role_permissions(
            Role.UNIT_ADMIN,
            "experts.view_question",
            "experts.change_question",
            "experts.reassign_question",
            "experts.view_expert",
            "experts.add_expert",
            "experts.change_expert",
        )
