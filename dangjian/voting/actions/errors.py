"""The one error every voting action raises: a refusal with its HTTP status,
a stable code for clients and a message for people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.functional import Promise


class VoteRefused(Exception):
    """A vote (or a voter step) refused, with the HTTP status and a stable code."""

    def __init__(
        self, status: int, code: str, detail: str | Promise, **extra: Any
    ) -> None:
        # A lazy translation is turned into text here, in the language of the
        # request that was refused.
        text = str(detail)
        super().__init__(text)
        self.status = status
        self.code = code
        self.detail = text
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.detail}
        for key, value in self.extra.items():
            body[key] = value.isoformat() if isinstance(value, dt.datetime) else value
        return body
