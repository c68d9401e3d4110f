"""Serving a file with HTTP Range support (RFC 9110 §14), so phones can seek videos.

Only single ranges are answered with 206; a multi-range request gets the
whole file (allowed by the RFC), an unsatisfiable range gets 416.
Django's FileResponse streams the file in blocks, so a large video is never
read into memory.
"""

from __future__ import annotations

import re

from django.http import FileResponse, HttpResponse
from django.utils.http import http_date, parse_http_date_safe

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
BLOCK = 64 * 1024


class _Window:
    """A read-only view of ``length`` bytes of a file from ``offset``."""

    def __init__(self, handle, offset: int, length: int):
        self.handle = handle
        self.remaining = length
        handle.seek(offset)

    def read(self, size=-1):
        if self.remaining <= 0:
            return b""
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self):
        self.handle.close()


def parse_range(header: str, size: int) -> tuple[int, int] | None | str:
    """Returns (first, last) inclusive, None to serve everything, or
    "unsatisfiable"."""
    match = RANGE_RE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        # A suffix: the last N bytes.
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, min(end, size - 1)


def ranged_file_response(request, field_file, content_type: str, *, modified=None):
    size = field_file.size
    etag = f'"{size:x}-{int(modified.timestamp()) if modified else 0:x}"'
    headers = {"Accept-Ranges": "bytes", "ETag": etag}
    if modified:
        headers["Last-Modified"] = http_date(modified.timestamp())
    # If-Range: serve a range only if the client's copy is still current.
    wanted = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range")
    if wanted and if_range and if_range != etag:
        since = parse_http_date_safe(if_range)
        if not (modified and since and int(modified.timestamp()) <= since):
            wanted = ""
    span = parse_range(wanted, size)
    if isinstance(span, str):  # "unsatisfiable"
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    handle = field_file.open("rb")
    response: FileResponse
    if span is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = span
        length = last - first + 1
        response = FileResponse(
            _Window(handle, first, length), content_type=content_type, status=206
        )
        response.block_size = BLOCK
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    for key, value in headers.items():
        response[key] = value
    # Private: the permission check must run on every request.
    response["Cache-Control"] = "private, max-age=3600"
    return response
