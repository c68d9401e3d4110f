"""Response headers every page gets: caching of personal pages, and the CSP."""

from __future__ import annotations

from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` on every response that may hold
    something of one person.

    A response is personal when it was made for a signed-in person (session
    or API token) or read a visitor's non-empty session, unless the view
    marked it ``public`` on purpose (e.g. a QR code). Neither a shared proxy
    nor the browser's disk (a shared computer in a library, a phone lent to
    a colleague) may then keep it. Public pages seen by anonymous visitors
    are left alone, so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.process_response(request, self.get_response(request))

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if self.is_personal(request) and not self.is_public(response):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def is_personal(request: HttpRequest) -> bool:
        if getattr(request, "api_token", None) is not None:
            return True
        session = getattr(request, "session", None)
        # Only a session the view read can have shaped the response; reading
        # it here for a view that did not would cost a lookup for nothing.
        return bool(session is not None and session.accessed and not session.is_empty())

    @staticmethod
    def is_public(response: HttpResponseBase) -> bool:
        directives = response.get("Cache-Control", "").lower()
        return "public" in {d.split("=")[0].strip() for d in directives.split(",")}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with a second policy for the Wagtail admin.

    The public site gets ``CONTENT_SECURITY_POLICY`` (no inline script at
    all). The admin, whose widgets still carry inline scripts, gets
    ``DANGJIAN_ADMIN_CSP`` (inline allowed, but scripts, frames and form
    targets from this site only), and the site's strict policy as
    report-only, so the browser's console shows what a stricter admin
    policy would still break.
    """

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if parts.config is None and request.path_info.startswith(
            getattr(settings, "DANGJIAN_ADMIN_PREFIX", "/admin/")
        ):
            source = "CONTENT_SECURITY_POLICY" if report_only else "DANGJIAN_ADMIN_CSP"
            policy = getattr(settings, source, None) or {}
            parts.config = policy.get("DIRECTIVES")
        return parts
