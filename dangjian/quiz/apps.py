from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "dangjian.quiz"
    label = "quiz"
    verbose_name = "答题与知识竞赛"

    def ready(self):
        from dangjian.orgs.models import Role
        from dangjian.orgs.roles import register_role_permissions

        register_role_permissions(
            Role.EDITOR,
            "quiz.add_question",
            "quiz.change_question",
            "quiz.view_question",
        )
        # Reviewing a question is its own step, like confidentiality review.
        for role in (Role.REVIEWER, Role.APPROVER):
            register_role_permissions(
                role,
                "quiz.view_question",
                "quiz.change_question",
                "quiz.review_question",
            )
        register_role_permissions(
            Role.UNIT_ADMIN,
            "quiz.add_question",
            "quiz.change_question",
            "quiz.view_question",
            "quiz.review_question",
            "quiz.add_papertemplate",
            "quiz.change_papertemplate",
            "quiz.view_papertemplate",
            "quiz.add_contest",
            "quiz.change_contest",
            "quiz.view_contest",
        )
