from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from dangjian.orgs.actions import authenticate_token


def authenticate_bearer(request) -> HttpResponse | None:
    """Applies ``Authorization: Bearer <token>`` to an API request.

    A live token's person becomes ``request.user`` (and the token
    ``request.api_token``), so permission checks in the API are the same for
    tokens and sessions; the answer is then None. A bad, revoked or expired
    token gets the 401 answer returned here, rather than being silently
    treated as anonymous. Requests without such a header, or outside
    ``/api/``, are left alone. BearerTokenMiddleware and the WSGI fast paths
    (``dangjian.lib.fastpath``) both call this, so the two cannot disagree.
    """
    header = request.headers.get("Authorization", "")
    if header[:7].lower() != "bearer " or not request.path_info.startswith("/api/"):
        return None
    token = authenticate_token(header[7:].strip())
    if token is None:
        return JsonResponse(
            {"detail": "令牌无效或已吊销", "code": "invalid_token"},
            status=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.user = token.user
    request.api_token = token
    # CSRF does not apply: a browser never sends this header on its own.
    request._dont_enforce_csrf_checks = True
    return None


class BearerTokenMiddleware:
    """Authenticates API requests that carry ``Authorization: Bearer <token>``
    (see `authenticate_bearer`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = authenticate_bearer(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)
