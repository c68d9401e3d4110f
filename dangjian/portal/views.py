from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from wagtail import hooks

from dangjian.lib.redis import redis_client
from dangjian.orgs.models import Membership


@login_required
def me(request):
    """A member's own page. Capability apps add panels with the
    ``dangjian_my_page_panels`` hook: a function of the request that returns
    ``{"title": ..., "html": ...}`` or None."""
    memberships = (
        Membership.objects.filter(person=request.user)
        .select_related("organisation")
        .order_by("organisation__path", "role")
    )
    panels = [fn(request) for fn in hooks.get_hooks("dangjian_my_page_panels")]
    return render(
        request,
        "portal/me.html",
        {"memberships": memberships, "panels": [p for p in panels if p]},
    )


@never_cache
def healthz(request):
    """Reports whether the database and Redis answer. 200 while the database is up."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    status = 200 if checks["database"] == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", **checks}, status=status
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any driver error means "down"
        return f"error: {exc.__class__.__name__}"


def _check_redis() -> str:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return "not configured"
    try:
        # The shared client: a monitor polling this must not open a
        # connection per call.
        redis_client().ping()
        return "ok"
    except Exception as exc:  # redis raises ConnectionError, TimeoutError, …
        return f"error: {exc.__class__.__name__}"


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without a request context: the database may be what failed.
    return render(None, "500.html", status=500)
