from django.urls import path

from dangjian.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/rate/", views.rate, name="rate"),
    path("events/<int:pk>/qr.svg", views.event_qr, name="event-qr"),
    path("grid/", views.grid, name="grid"),
    path("grid/share/", views.grid_share, name="grid-share"),
    path("grid/visit/", views.grid_visit, name="grid-visit"),
    path("figures/", views.figures_page, name="figures"),
    path("figures.xlsx", views.figures_export, name="figures-export"),
]
