from django.urls import path

from dangjian.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("unit/", views.unit_home, name="unit-home"),
    path("unit/<int:org_id>/", views.unit_dashboard, name="unit"),
    path("excel/<slug:name>.xlsx", views.download, name="download"),
]
