from django.urls import path

from dangjian.study import views

app_name = "study"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("video/<int:page_id>/", views.video, name="video"),
    path("video/<int:page_id>/poster/", views.poster, name="poster"),
    path("r/<int:reading_id>/beat/", views.beat, name="beat"),
    path("r/<int:reading_id>/finish/", views.finish, name="finish"),
    path("notes/", views.note_add, name="note-add"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("checkin/", views.checkin, name="checkin"),
    path("archive/", views.archive, name="archive"),
    path("archive/pdf/", views.archive, {"fmt": "pdf"}, name="archive-pdf"),
    path("archive/xlsx/", views.archive, {"fmt": "xlsx"}, name="archive-xlsx"),
    path("archive/<int:person_id>/", views.archive, name="archive-person"),
    path(
        "archive/<int:person_id>/pdf/",
        views.archive,
        {"fmt": "pdf"},
        name="archive-person-pdf",
    ),
    path(
        "archive/<int:person_id>/xlsx/",
        views.archive,
        {"fmt": "xlsx"},
        name="archive-person-xlsx",
    ),
    path("manage/", views.manage, name="manage"),
    path("unit/<int:org_id>/", views.unit, name="unit"),
    path("spot-checks/<int:pk>/", views.spot_check, name="spot-check"),
    path("assessment/<int:year>/", views.assessment, name="assessment"),
    path(
        "assessment/<int:year>/xlsx/",
        views.assessment,
        {"fmt": "xlsx"},
        name="assessment-xlsx",
    ),
    path(
        "assessment/<int:year>/people/<int:person_id>/",
        views.assessment_person,
        name="assessment-person",
    ),
]
