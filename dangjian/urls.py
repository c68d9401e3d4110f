from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from dangjian.api import api
from dangjian.lib.storage import serve_public_media
from dangjian.portal import views as portal_views

handler400 = "dangjian.portal.views.bad_request"
handler403 = "dangjian.portal.views.permission_denied"
handler404 = "dangjian.portal.views.page_not_found"
handler500 = "dangjian.portal.views.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", portal_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("dangjian.portal.urls")),
    path("kb/", include("dangjian.kb.urls")),
    path("experts/", include("dangjian.experts.urls")),
    path("quiz/", include("dangjian.quiz.urls")),
    path("study/", include("dangjian.study.urls")),
    path("disclosure/", include("dangjian.disclosure.urls")),
    path("votes/", include("dangjian.voting.urls")),
    path("publicity/", include("dangjian.publicity.urls")),
    path("stats/", include("dangjian.stats.urls")),
    path("notifications/", include("dangjian.notify.urls")),
    path("members/", include("dangjian.members.urls")),
    path("outreach/", include("dangjian.outreach.urls")),
    path("orglife/", include("dangjian.orglife.urls")),
    path("tickets/", include("dangjian.tickets.urls")),
]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", True):
    # Public uploads (Wagtail images) from MEDIA_ROOT; a deployment behind nginx
    # serves /media/ itself. Private files are not in MEDIA_ROOT at all, and any
    # path naming a private prefix, however spelled, is a 404 here.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve_public_media))

urlpatterns.append(path("", include(wagtail_urls)))
