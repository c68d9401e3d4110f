from django.urls import path

from dangjian.publicity import feeds, views

app_name = "publicity"

urlpatterns = [
    path("feeds/atom.xml", feeds.SiteFeed(), name="feed"),
    path("feeds/unit/<int:unit_id>.xml", feeds.UnitFeed(), name="feed-unit"),
    path("feeds/<slug:kind>.xml", feeds.ColumnFeed(), name="feed-column"),
    path(
        "feeds/<slug:kind>/<int:column_id>.xml",
        feeds.ColumnFeed(),
        name="feed-column-item",
    ),
    path("feeds/", views.feed_list, name="feeds"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("qr.svg", views.qr_svg, name="qr"),
]
