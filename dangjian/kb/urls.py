from django.urls import path

from dangjian.kb import views

app_name = "kb"

urlpatterns = [
    path("", views.search, name="search"),
    path("entries/<int:pk>/", views.entry, name="entry"),
    path("entries/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("console/", views.console, name="console"),
    path("console/search", views.console_search, name="console-search"),
    path(
        "console/click/<str:log_id>/<int:pk>", views.console_click, name="console-click"
    ),
    path("hot/", views.hot_questions, name="hot"),
    path("expiring/", views.expiring, name="expiring"),
]
