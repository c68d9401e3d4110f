"""Input refused at the edge of the site's pages (the API has its own guard,
``dangjian.lib.api_errors.CleanParser``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import get_resolver
from django.utils.translation import gettext as _

from dangjian.lib.text import has_control_chars

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_control_chars(querydict: QueryDict) -> bool:
    for key, values in querydict.lists():
        if has_control_chars(key):
            return True
        if any(isinstance(v, str) and has_control_chars(v) for v in values):
            return True
    return False


class EdgeInputMiddleware:
    """Refuses, with a Chinese 400 page, a page request whose address, query
    or form holds a control character (NUL among them): PostgreSQL cannot
    store NUL, and one written to a batch (the search log) fails the batch.
    Tab and line breaks are allowed (multi-line text).

    Also answers 404, not 500, for a page whose integer address is too large
    for the database (``/study/video/10000000000000000000000/``): SQLite
    refuses to compare such a number, and no row has such an id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith("/api/") and self._refused(request):
            # Rendered without a request context: the request is what is wrong.
            return render(
                None,
                "400.html",
                {
                    "message": _(
                        "提交的内容含有不可见的控制字符（如 NUL），请删除后重试。"
                    )
                },
                status=400,
            )
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if has_control_chars(request.path) or _holds_control_chars(request.GET):
            return True
        if request.method == "POST" and request.content_type in FORM_TYPES:
            return _holds_control_chars(request.POST)
        return False

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, OverflowError) and not request.path.startswith(
            "/api/"
        ):
            # The 404 handler takes the exception too; the stub leaves it out.
            callback = cast(
                Callable[[HttpRequest, Exception], HttpResponse],
                get_resolver().resolve_error_handler(404),
            )
            return callback(request, exception)
        return None
