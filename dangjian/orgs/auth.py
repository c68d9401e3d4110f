"""Authentication classes for the API, shared by every capability's router."""

from __future__ import annotations

from ninja.security import django_auth


class TokenAuth:
    """Accepts requests that BearerTokenMiddleware authenticated with a token."""

    def __call__(self, request):
        if getattr(request, "api_token", None) is not None:
            return request.user
        return None


# Endpoints that need a signed-in person accept a token or a session (with CSRF).
member_auth = [TokenAuth(), django_auth]
