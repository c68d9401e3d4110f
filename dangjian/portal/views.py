from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from wagtail import hooks

from dangjian.lib import api_errors
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
    try:
        # The shared client: a monitor polling this must not open a
        # connection per call.
        client = redis_client()
        if client is None:  # no REDIS_URL
            return "not configured"
        client.ping()
        return "ok"
    except Exception as exc:  # redis raises ConnectionError, TimeoutError, …
        return f"error: {exc.__class__.__name__}"


# Error pages. Under /api/ each answers in the API's error contract
# (dangjian.lib.api_errors): a JSON client never gets an HTML page.


def _api(request) -> bool:
    return request is not None and request.path_info.startswith("/api/")


def bad_request(request, exception):
    if _api(request):
        if isinstance(exception, RequestDataTooBig):
            return api_errors.error_response(
                400, "too_large", _("提交的内容过大，请减少内容或分批提交后重试")
            )
        return api_errors.error_response(
            400, "bad_request", api_errors.status_detail(400)
        )
    message = ""
    if isinstance(exception, RequestDataTooBig):
        message = _("提交的内容过大，请减少内容或分批提交后重试。")
    # Rendered without a request context: the request is what went wrong.
    return render(None, "400.html", {"message": message}, status=400)


def permission_denied(request, exception):
    if _api(request):
        detail = api_errors.chinese_or(str(exception), api_errors.status_detail(403))
        return api_errors.error_response(403, "forbidden", detail)
    return render(None, "403.html", status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page is in English."""
    if _api(request):
        return api_errors.error_response(
            403, "csrf_failed", _("页面已过期或缺少安全令牌（CSRF），请刷新后重试")
        )
    return render(None, "403_csrf.html", status=403)


def page_not_found(request, exception):
    if _api(request):
        return api_errors.error_response(
            404, "not_found", api_errors.status_detail(404)
        )
    return render(request, "404.html", status=404)


def server_error(request):
    if _api(request):
        return api_errors.server_error_response()
    # Rendered without a request context: the database may be what failed.
    return render(None, "500.html", status=500)
