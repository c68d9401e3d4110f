"""Control characters at the edge: what may come in as text.

PostgreSQL cannot store NUL in a text column, and a NUL written to a batch
(the search log, an import) makes the whole batch fail. The other C0 control
characters and DEL are never part of meaningful text here. Tab, line feed and
carriage return are: multi-line text keeps them, single-line text turns them
into spaces when cleaned.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls and DEL, except tab (\x09), line feed (\x0a) and carriage return (\x0d).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"[\t\r\n]+")


def has_control_chars(value: str) -> bool:
    """Whether `value` holds a character no text here may hold (NUL among them)."""
    return CONTROL_CHARS.search(value) is not None


def clean_text(value: str, *, multiline: bool = True) -> str:
    """`value` without control characters; for single-line text, tabs and line
    breaks become one space each run. For imported cells, where refusing a
    whole file for an invisible character would only puzzle the person."""
    value = CONTROL_CHARS.sub("", value)
    if not multiline:
        value = LINE_BREAKS.sub(" ", value)
    return value


def find_control_chars(
    data: Any, path: tuple[str | int, ...] = ()
) -> tuple[str | int, ...] | None:
    """The location (keys and indexes) of the first string in `data` (parsed
    JSON: dicts, lists, strings, numbers) that holds a control character, or
    None. Keys are checked as well as values."""
    if isinstance(data, str):
        return path if has_control_chars(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and has_control_chars(key):
                return (*path, key)
            found = find_control_chars(value, (*path, key))
            if found is not None:
                return found
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found = find_control_chars(value, (*path, index))
            if found is not None:
                return found
    return None
