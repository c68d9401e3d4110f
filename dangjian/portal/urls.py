from django.contrib.auth import views as auth_views
from django.urls import path

from dangjian.portal import views

app_name = "portal"

urlpatterns = [
    path("me/", views.me, name="me"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
