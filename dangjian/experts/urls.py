from django.urls import path, register_converter

from dangjian.experts import views


class TokenConverter:
    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

app_name = "experts"

urlpatterns = [
    path("", views.index, name="index"),
    path("q/<token:token>/", views.track, name="track"),
    path("q/<token:token>/rate/", views.rate, name="rate"),
    path(
        "q/<token:token>/files/<int:pk>/",
        views.track_attachment,
        name="track-attachment",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox-detail"),
    path(
        "inbox/<int:pk>/files/<int:attachment_pk>/",
        views.inbox_attachment,
        name="inbox-attachment",
    ),
    path("stats/", views.stats, name="stats"),
]
