"""Toy views behind the site's middleware, for the page cache's own tests."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from dangjian import urls as site
from dangjian.lib import pagecache

#: How many times each view ran (a hit does not run it).
RUNS: dict[str, int] = {}


def _ran(name: str) -> int:
    RUNS[name] = RUNS.get(name, 0) + 1
    return RUNS[name]


@pagecache.public_page
def public(request):
    n = _ran("public")
    return HttpResponse(f"run {n} q={request.GET.urlencode()}")


def unmarked(request):
    return HttpResponse(f"run {_ran('unmarked')}")


@pagecache.public_page
def with_form(request):
    return HttpResponse(f"<form>{get_token(request)}</form> run {_ran('form')}")


@pagecache.public_page
def who(request):
    _ran("who")
    name = request.user.username if request.user.is_authenticated else "访客"
    return HttpResponse(f"您好，{name}")


@pagecache.public_page(seconds=pagecache.LIVE_SECONDS)
def live(request):
    return HttpResponse(f"run {_ran('live')}")


def _count(request, response, label):
    RUNS[label] = RUNS.get(label, 0) + 1
    response.set_cookie("dj_dev", "device")


@pagecache.public_page
def counted(request):
    response = HttpResponse("counted page")
    return pagecache.each_serve(request, response, _count, "counted-visits")


@pagecache.public_page
def sets_cookie(request):
    response = HttpResponse(f"run {_ran('cookie')}")
    response.set_cookie("someone", "x")
    return response


handler404 = site.handler404
handler500 = site.handler500

urlpatterns = [
    path("t/public/", public),
    path("t/unmarked/", unmarked),
    path("t/form/", with_form),
    path("t/who/", who),
    path("t/live/", live),
    path("t/counted/", counted),
    path("t/cookie/", sets_cookie),
    *site.urlpatterns,
]
