from django.urls import path

from dangjian.voting import views

app_name = "voting"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:campaign_id>/", views.campaign, name="campaign"),
    path("<int:campaign_id>/vote/", views.vote, name="vote"),
    path("<int:campaign_id>/results/", views.results, name="results"),
    path("<int:campaign_id>/verify/", views.verify, name="verify"),
    path("<int:campaign_id>/export.xlsx", views.export, name="export"),
    path(
        "<int:campaign_id>/candidates/<int:candidate_id>/",
        views.candidate,
        name="candidate",
    ),
]
