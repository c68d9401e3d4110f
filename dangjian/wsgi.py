from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.core.wsgi import get_wsgi_application

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")

application: WSGIApplication = get_wsgi_application()

# The public's votes and knowledge-base searches skip Django's request cycle
# (dangjian/lib/fastpath.py).
from dangjian.kb.fastpath import KbSearchFastPath  # noqa: E402
from dangjian.voting.fastpath import VoteFastPath  # noqa: E402

application = KbSearchFastPath(VoteFastPath(application))
