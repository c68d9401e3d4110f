"""The fast path for knowledge-base search: ``GET /api/kb/search``.

The hotline console searches on every keystroke and the citizen site and
mini programs call the same endpoint; it is the busiest read of the city.
This layer (`dangjian.lib.fastpath`) answers it without Django's request
cycle, with the same function the API view calls (``api.search_answer``).
Parameters are checked against the API's own schema limits; anything not
plainly valid (a repeated parameter, a number out of range, a query over
200 characters) goes to Django, which answers with the API's usual 422.
The answer does not depend on who asks, so sessions play no part; a bearer
token is checked as on every other API endpoint (a revoked one gets 401).
``KB_SEARCH_FAST_PATH = False`` turns it off.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from dangjian.lib.fastpath import FastPath
from dangjian.lib.text import has_control_chars

PATH = "/api/kb/search"
MAX_QUERY_STRING = 4096


def _int(value: str, low: int, high: int) -> int | None:
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        return None
    number = int(value)
    return number if low <= number <= high else None


def _rules():
    """(name, is a number, low, high, default) of each API parameter, read
    from the API's schema so that the two cannot drift apart."""
    from dangjian.kb.api import SearchParams

    rules = []
    for name, field in SearchParams.model_fields.items():
        bounds = {}
        for item in field.metadata:
            for attr in ("max_length", "ge", "le"):
                if getattr(item, attr, None) is not None:
                    bounds[attr] = getattr(item, attr)
        number = int in (field.annotation, *getattr(field.annotation, "__args__", ()))
        if number:
            low, high = bounds.get("ge", 0), bounds.get("le", 2**31 - 1)
        else:
            low, high = 0, bounds.get("max_length", MAX_QUERY_STRING)
        rules.append((name, number, low, high, field.default))
    return rules


class KbSearchFastPath(FastPath):
    path = PATH
    setting = "KB_SEARCH_FAST_PATH"

    def __init__(self, app):
        super().__init__(app)
        self._rules = None

    def parse(self, environ):
        from dangjian.kb.api import SearchParams

        raw = environ.get("QUERY_STRING", "")
        if len(raw) > MAX_QUERY_STRING:
            return None
        pairs = parse_qsl(raw, keep_blank_values=True)
        given = dict(pairs)
        if len(given) != len(pairs):  # a repeated parameter
            return None
        if any(has_control_chars(k + v) for k, v in pairs):  # NUL: Django's 422
            return None
        if self._rules is None:
            self._rules = _rules()
        values = {}
        for name, number, low, high, default in self._rules:
            value = given.get(name)
            if value is None:
                values[name] = default
            elif number:
                values[name] = _int(value, low, high)
                if values[name] is None:
                    return None
            elif len(value) > high:
                return None
            else:
                values[name] = value
        return SearchParams.model_construct(**values)

    def authenticate(self, request):
        from dangjian.orgs.middleware import authenticate_bearer

        return authenticate_bearer(request)

    def answer(self, request, data):
        from dangjian.kb.api import search_answer

        return search_answer(data)
