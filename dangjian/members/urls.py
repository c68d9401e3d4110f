from django.urls import path

from dangjian.members import views

app_name = "members"

urlpatterns = [
    path("activate/", views.activate, name="activate"),
    path("activate/done/", views.activated, name="activated"),
]
