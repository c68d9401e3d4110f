"""Types shared by the API's parameters.

An id is a positive 64-bit integer: anything larger cannot be a row, and
SQLite refuses to even compare it (OverflowError), so it is refused as
invalid (422) before a query runs.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1

#: A database id in a path, a query or a body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

#: A calendar year as a filter.
Year = Annotated[int, Field(ge=1949, le=2100)]
