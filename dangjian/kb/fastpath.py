"""The fast path for knowledge-base search: ``GET /api/kb/search``.

The hotline console searches on every keystroke and the citizen site and
mini programs call the same endpoint; it is the busiest read of the city.
This layer (`dangjian.lib.fastpath`) answers it without Django's request
cycle, at the address of the API operation (``api:kb_search``), with the
same function the API view calls (``api.search_answer``). It reads the
query as the operation does (the API's parser) and validates it with the
operation's own schema (``api.SearchParams``); anything the schema refuses
(a number out of range, a query over 200 characters), a control character
or a repeated parameter goes to Django, which answers with the API's usual
422 (or, for a repeated parameter, reads the last one as ninja does). The
answer does not depend on who asks, so sessions play no part; a bearer
token is checked as on every other API endpoint (a revoked one gets 401).
``KB_SEARCH_FAST_PATH = False`` turns it off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse

from dangjian.lib.api_errors import ControlCharacters
from dangjian.lib.fastpath import FastPath

if TYPE_CHECKING:
    from dangjian.kb.api import SearchParams

MAX_QUERY_STRING = 4096


class KbSearchFastPath(FastPath):
    url_name = "api:kb_search"
    setting = "KB_SEARCH_FAST_PATH"

    def schema(self) -> type[SearchParams]:
        from dangjian.kb.api import SearchParams

        return SearchParams

    def parse(self, request: HttpRequest) -> SearchParams | None:
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            return None
        try:
            query = request.GET
            data = self.parser.parse_querydict(query, [], request)
        except (ControlCharacters, SuspiciousOperation):  # NUL, too many fields
            return None
        if any(len(values) > 1 for _, values in query.lists()):
            return None
        return self.validated(data)

    def authenticate(self, request: HttpRequest) -> HttpResponse | None:
        from dangjian.orgs.middleware import authenticate_bearer

        return authenticate_bearer(request)

    def answer(self, request: HttpRequest, data: SearchParams) -> HttpResponse:
        from dangjian.kb.api import search_answer

        return search_answer(data)
