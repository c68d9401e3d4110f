from django.urls import path

from dangjian.disclosure import press, views

app_name = "disclosure"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed.atom", views.feed, name="feed"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("export.csv", views.export_csv, name="export"),
    path("review/", views.review_list, name="review"),
    path("review/<int:task_state_id>/", views.review_detail, name="review-detail"),
    path("items/<int:page_id>/withdraw/", views.withdraw, name="withdraw"),
    path("calendar/", views.release_calendar, name="calendar"),
    path("press/", press.press_list, name="press"),
    path("press/<int:pk>/", press.press_detail, name="press-detail"),
]
