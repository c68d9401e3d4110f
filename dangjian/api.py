"""The JSON API under /api/. Each capability adds its router here."""

from __future__ import annotations

from ninja import NinjaAPI

from dangjian.orgs.api import router as orgs_router

api = NinjaAPI(
    title="党建云 API",
    version="1",
    description="Dangjian's JSON API. Authenticate with a session, or with "
    "`Authorization: Bearer <token>` (see `manage.py issue_token`).",
    urls_namespace="api",
)

api.add_router("/", orgs_router)
