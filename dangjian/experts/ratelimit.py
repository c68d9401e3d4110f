"""How many questions one client may submit: the foundation's token bucket
(``dangjian.lib.ratelimit``) keyed by the client's address."""

from __future__ import annotations

from django.conf import settings

from dangjian.lib.clientaddr import client_ip
from dangjian.lib.ratelimit import allow


def question_limit() -> tuple[int, int]:
    """(questions, seconds) one client may submit; DANGJIAN_EXPERTS_SUBMIT_RATE."""
    return getattr(settings, "DANGJIAN_EXPERTS_SUBMIT_RATE", (10, 3600))


def allow_question(request) -> bool:
    limit, window = question_limit()
    return allow("experts-question", client_ip(request) or "unknown", limit, window)
