from django.apps import AppConfig


class QuizConfig(AppConfig):
    name = "dangjian.quiz"
    label = "quiz"
    verbose_name = "答题与知识竞赛"
