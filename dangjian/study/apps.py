from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "dangjian.study"
    label = "study"
    verbose_name = "学习"

    def ready(self):
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions
        from dangjian.study import search, signals  # noqa: F401

        register_role_permissions(
            Role.EDITOR,
            "study.add_video",
            "study.change_video",
            "study.view_video",
        )
        register_role_permissions(
            Role.UNIT_ADMIN,
            "study.add_studyplan",
            "study.change_studyplan",
            "study.delete_studyplan",
            "study.view_studyplan",
            "study.add_studysession",
            "study.change_studysession",
            "study.view_studysession",
        )
        search.register()
