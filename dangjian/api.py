"""The JSON API under /api/. Each capability adds its router here."""

from __future__ import annotations

from ninja import NinjaAPI

from dangjian.disclosure.api import router as disclosure_router
from dangjian.experts.api import router as experts_router
from dangjian.kb.api import router as kb_router
from dangjian.orgs.api import router as orgs_router
from dangjian.publicity.api import router as publicity_router
from dangjian.quiz.api import router as quiz_router
from dangjian.stats.api import router as stats_router
from dangjian.study.api import router as study_router
from dangjian.voting.api import router as voting_router

api = NinjaAPI(
    title="党建云 API",
    version="1",
    description="Dangjian's JSON API. Authenticate with a session, or with "
    "`Authorization: Bearer <token>` (see `manage.py issue_token`).",
    urls_namespace="api",
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
