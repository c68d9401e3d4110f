from __future__ import annotations

from django.http import JsonResponse

from dangjian.orgs.actions import authenticate_token


class BearerTokenMiddleware:
    """Authenticates API requests that carry ``Authorization: Bearer <token>``.

    The token's person becomes ``request.user``, so permission checks in the
    API are the same for tokens and sessions. A bad token is refused with 401
    rather than silently treated as anonymous. CSRF does not apply to such
    requests: a browser never sends this header on its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer " and request.path.startswith("/api/"):
            token = authenticate_token(header[7:].strip())
            if token is None:
                return JsonResponse(
                    {"detail": "令牌无效或已吊销", "code": "invalid_token"},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            request.user = token.user
            request.api_token = token
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)
