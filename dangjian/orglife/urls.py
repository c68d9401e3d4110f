from django.urls import path

from dangjian.orglife import views

app_name = "orglife"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("branch/<int:org_id>/", views.branch, name="branch"),
    path("meeting/<int:pk>/record/", views.record, name="record"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("compliance.xlsx", views.compliance_export, name="compliance-export"),
    path("dues/callback/", views.dues_callback, name="dues-callback"),
]
