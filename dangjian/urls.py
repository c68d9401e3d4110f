from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from dangjian.api import api
from dangjian.portal import views as portal_views

handler404 = "dangjian.portal.views.page_not_found"
handler500 = "dangjian.portal.views.server_error"

urlpatterns = [
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
]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", True):
    # Uploaded files; a deployment behind nginx serves /media/ itself. Documents
    # are left out: they go through Wagtail's permission-checked serve view.
    urlpatterns.append(
        re_path(
            r"^media/(?P<path>(?!documents/).*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

urlpatterns.append(path("", include(wagtail_urls)))
