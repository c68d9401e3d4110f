"""The JSON API under /api/. Each capability adds its router here.

Every error answer follows one contract (`dangjian.lib.api_errors`): the
handlers are set here, once, and the OpenAPI document lists for every
operation each error status it can answer.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from dangjian.disclosure.api import router as disclosure_router
from dangjian.experts.api import router as experts_router
from dangjian.kb.api import router as kb_router
from dangjian.lib import api_errors
from dangjian.members.api import router as members_router
from dangjian.notify.api import router as notify_router
from dangjian.orglife.api import router as orglife_router
from dangjian.orgs.api import router as orgs_router
from dangjian.outreach.api import router as outreach_router
from dangjian.publicity.api import router as publicity_router
from dangjian.quiz.api import router as quiz_router
from dangjian.stats.api import router as stats_router
from dangjian.study.api import router as study_router
from dangjian.tickets.api import router as tickets_router
from dangjian.voting.api import router as voting_router


class DangjianAPI(NinjaAPI):
    def set_default_exception_handlers(self) -> None:
        api_errors.install(self)

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(
            path_prefix=path_prefix, path_params=path_params
        )
        return api_errors.document_errors(schema)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = api_errors.wrap_view(pattern.callback)
        # Any other address under /api/ is the contract's 404 (not Django's
        # APPEND_SLASH redirect, nor the site's HTML page).
        urls.append(re_path(r"", api_errors.not_found_view))
        return urls


api = DangjianAPI(
    title="党建云 API",
    version="1",
    description="Dangjian's JSON API. Authenticate with a session, or with "
    "`Authorization: Bearer <token>` (see `manage.py issue_token`). Every "
    'error answers `{"code": "…", "detail": "中文说明"}`; invalid parameters '
    "(422) add `errors`, a list of `{field, message, code}`.",
    urls_namespace="api",
    parser=api_errors.CleanParser(),
)

api.add_router("/", orgs_router)
api.add_router("/kb", kb_router)
api.add_router("/experts", experts_router)
api.add_router("/quiz", quiz_router)
api.add_router("/study", study_router)
api.add_router("/disclosures", disclosure_router)
api.add_router("/votes", voting_router)
api.add_router("/publicity", publicity_router)
api.add_router("/stats", stats_router)
api.add_router("/notifications", notify_router)
api.add_router("/", members_router)
api.add_router("/outreach", outreach_router)
api.add_router("/", orglife_router)
api.add_router("/tickets", tickets_router)
