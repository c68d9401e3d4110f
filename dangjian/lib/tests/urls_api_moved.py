"""The site's URL map with the API moved from /api/ to /v2/api/ (tests of
the WSGI fast paths: their address follows the URL map)."""

from django.urls import path

from dangjian import urls as site
from dangjian.api import api

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500

urlpatterns = [
    path("v2/api/", api.urls),
    *(p for p in site.urlpatterns if str(p.pattern) != "api/"),
]
