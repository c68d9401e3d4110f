"""Authentication classes for the API, shared by every capability's router."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth


class TokenAuth(HttpBearer):
    """Accepts requests that BearerTokenMiddleware authenticated with a token.

    A bearer scheme (``Authorization: Bearer <token>``) so that the OpenAPI
    document declares it; the middleware has already checked the token.
    """

    def __call__(self, request):
        if getattr(request, "api_token", None) is not None:
            return request.user
        return None

    def authenticate(self, request, token):
        return self(request)


# Endpoints that need a signed-in person accept a token or a session (with CSRF).
member_auth = [TokenAuth(), django_auth]
