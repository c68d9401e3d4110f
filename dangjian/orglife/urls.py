from django.urls import path

from dangjian.orglife import views

app_name = "orglife"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("branch/<int:org_id>/", views.branch, name="branch"),
    path("branch/<int:org_id>/dues/", views.branch_dues, name="branch-dues"),
    path(
        "branch/<int:org_id>/recruits/", views.branch_recruits, name="branch-recruits"
    ),
    path("branch/<int:org_id>/review/", views.branch_review, name="branch-review"),
    path("recruit/<int:pk>/", views.recruit, name="recruit"),
    path("document/<int:pk>/", views.document, name="document"),
    path("review/", views.my_review, name="my-review"),
    path("meeting/<int:pk>/record/", views.record, name="record"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("compliance.xlsx", views.compliance_export, name="compliance-export"),
    path("dues/callback/", views.dues_callback, name="dues-callback"),
]
