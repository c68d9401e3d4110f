from django.urls import path

from dangjian.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="read-all"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:pk>/open/", views.open_notification, name="open"),
]
