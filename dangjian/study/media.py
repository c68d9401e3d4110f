"""Reading a video's duration from the uploaded file itself.

"Watched to the end" is judged against the duration, so it must come from
the file rather than from what an editor typed. Two container formats are
read here, enough for what the study column accepts:

* MP4 / M4V / MOV (ISO base media, QuickTime): the ``mvhd`` box inside
  ``moov`` holds a timescale and a duration in that timescale. ``moov`` may
  come before or after the media data (``mdat``), so the top-level boxes
  are walked by their sizes, seeking over the media without reading it.
* WebM / Matroska: the ``Duration`` element of the segment's ``Info``,
  scaled by its ``TimecodeScale`` (nanoseconds per tick).

Anything else, or a file these readers cannot make sense of, gives None and
the caller falls back to the editor's value.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

# A video longer than this is certainly a misread.
MAX_SECONDS = 24 * 3600


def probe_duration(handle: BinaryIO) -> float | None:
    """Returns the duration in seconds of the video in ``handle``, or None.

    ``handle`` must be seekable; its position is restored afterwards.
    """
    try:
        start = handle.tell()
    except (AttributeError, OSError):
        return None
    try:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(0)
        head = handle.read(12)
        if len(head) < 8:
            return None
        if head[:4] == b"\x1a\x45\xdf\xa3":
            seconds = _matroska_duration(handle, size)
        else:
            seconds = _mp4_duration(handle, size)
    except (OSError, ValueError, struct.error):
        seconds = None
    finally:
        handle.seek(start)
    if seconds is None or not (0 < seconds <= MAX_SECONDS):
        return None
    return seconds


# --- ISO base media (MP4, MOV) ------------------------------------------------

_MP4_TOP_LEVEL = {
    b"ftyp",
    b"moov",
    b"mdat",
    b"free",
    b"skip",
    b"wide",
    b"uuid",
    b"pdin",
    b"moof",
    b"mfra",
    b"meta",
    b"styp",
    b"sidx",
    b"pnot",
}


def _boxes(handle: BinaryIO, start: int, end: int):
    """Yields (type, payload_start, box_end) for the boxes in [start, end)."""
    position = start
    while position + 8 <= end:
        handle.seek(position)
        header = handle.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        payload = position + 8
        if size == 1:
            # A 64-bit "largesize" follows the type (files over 4 GB).
            size = struct.unpack(">Q", handle.read(8))[0]
            payload += 8
        elif size == 0:
            # The box runs to the end of its container.
            size = end - position
        if size < payload - position or position + size > end:
            raise ValueError("box overruns its container")
        yield kind, payload, position + size
        position += size


def _mp4_duration(handle: BinaryIO, size: int) -> float | None:
    first = True
    for kind, payload, box_end in _boxes(handle, 0, size):
        if first and kind not in _MP4_TOP_LEVEL:
            # Not an ISO media file at all; do not walk random bytes.
            return None
        first = False
        if kind != b"moov":
            continue
        for inner, inner_payload, _inner_end in _boxes(handle, payload, box_end):
            if inner == b"mvhd":
                return _mvhd_seconds(handle, inner_payload)
        return None
    return None


def _mvhd_seconds(handle: BinaryIO, payload: int) -> float | None:
    handle.seek(payload)
    version = handle.read(4)[0]
    if version == 1:
        # creation (8), modification (8), timescale (4), duration (8)
        _created, _modified, timescale, duration = struct.unpack(
            ">QQIQ", handle.read(28)
        )
    else:
        _created, _modified, timescale, duration = struct.unpack(
            ">IIII", handle.read(16)
        )
    # All ones means "unknown" (e.g. a live recording that was cut off).
    if not timescale or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return duration / timescale


# --- Matroska / WebM --------------------------------------------------------------

_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TIMECODE_SCALE = 0x2AD7B1
_DURATION = 0x4489
_CLUSTER = 0x1F43B675


def _vint(handle: BinaryIO, *, keep_marker: bool) -> tuple[int, int, bool]:
    """Reads an EBML variable-length integer: (value, length, all_ones)."""
    first = handle.read(1)
    if not first:
        raise ValueError("end of file")
    byte = first[0]
    length = 1
    mask = 0x80
    while length <= 8 and not byte & mask:
        mask >>= 1
        length += 1
    if length > 8:
        raise ValueError("bad EBML length")
    value = byte if keep_marker else byte & (mask - 1)
    all_ones = (byte & (mask - 1)) == mask - 1
    for extra in handle.read(length - 1):
        value = (value << 8) | extra
        all_ones = all_ones and extra == 0xFF
    return value, length, all_ones


def _elements(handle: BinaryIO, start: int, end: int):
    """Yields (id, payload_start, payload_end) for the elements in [start, end)."""
    position = start
    while position < end:
        handle.seek(position)
        element_id, id_length, _ = _vint(handle, keep_marker=True)
        size, size_length, unknown = _vint(handle, keep_marker=False)
        payload = position + id_length + size_length
        # An "unknown size" (live streams) extends to the end of the parent.
        payload_end = end if unknown else payload + size
        if payload_end > end:
            payload_end = end
        yield element_id, payload, payload_end
        position = payload_end


def _matroska_duration(handle: BinaryIO, size: int) -> float | None:
    for element_id, payload, payload_end in _elements(handle, 0, size):
        if element_id != _SEGMENT:
            continue
        for child, child_start, child_end in _elements(handle, payload, payload_end):
            if child == _CLUSTER:
                # Info always precedes the media clusters.
                return None
            if child != _INFO:
                continue
            scale = 1_000_000
            duration = None
            for item, item_start, item_end in _elements(handle, child_start, child_end):
                handle.seek(item_start)
                data = handle.read(item_end - item_start)
                if item == _TIMECODE_SCALE and data:
                    scale = int.from_bytes(data, "big")
                elif item == _DURATION and len(data) in (4, 8):
                    duration = struct.unpack(">f" if len(data) == 4 else ">d", data)[0]
            if duration is None:
                return None
            return duration * scale / 1e9
        return None
    return None
