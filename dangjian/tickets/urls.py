from django.urls import path

from dangjian.tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.intake, name="intake"),
    path("queue/", views.queue, name="queue"),
    path("figures/", views.figures_page, name="figures"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/step/", views.step, name="step"),
]
