from django.urls import path

from dangjian.quiz import views

app_name = "quiz"

urlpatterns = [
    path("", views.index, name="index"),
    path("mistakes/", views.mistakes, name="mistakes"),
    path("mistakes/practise/", views.practise_mistakes, name="mistakes-practise"),
    path("start/<slug:slug>/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/submit/", views.submit, name="submit"),
    path(
        "attempts/<int:attempt_id>/challenge/",
        views.challenge_answer,
        name="challenge-answer",
    ),
    path("attempts/<int:attempt_id>/result/", views.result, name="result"),
    path("contests/<int:contest_id>/", views.contest_page, name="contest"),
    path("contests/<int:contest_id>/start/", views.start_contest, name="contest-start"),
    path(
        "contests/<int:contest_id>/export.xlsx",
        views.contest_export,
        name="contest-export",
    ),
    path("stats/", views.stats_index, name="stats"),
    path("stats/<str:kind>/<int:pk>/", views.stats_detail, name="stats-detail"),
]
